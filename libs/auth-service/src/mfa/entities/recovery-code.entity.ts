import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../../database/columns';

/**
 * One recovery code of a user's current set: only its SHA-256 is stored (the codes carry 80
 * random bits, so a fast hash is enough). `used_at` is set once, by a conditional UPDATE.
 */
@Entity('mfa_recovery_codes')
@Index('uq_mfa_recovery_codes_sub_hash', ['sub', 'codeHash'], { unique: true })
export class RecoveryCodeEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  @Column('varchar', { length: 64 })
  sub!: string;

  @Column('varchar', { length: 64, name: 'code_hash' })
  codeHash!: string;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  @Column('bigint', { name: 'used_at', nullable: true, transformer: epochSeconds })
  usedAt!: number | null;
}
