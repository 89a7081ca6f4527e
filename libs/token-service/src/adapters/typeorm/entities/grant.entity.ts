import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from './columns';

/** What a user consented to for one client. */
@Entity('grants')
@Index('ix_grants_sub_client', ['sub', 'clientId'])
export class GrantEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  @Column('varchar', { length: 255 })
  sub!: string;

  @Index('ix_grants_client_id')
  @Column('varchar', { length: 255, name: 'client_id' })
  clientId!: string;

  @Column('simple-json')
  scopes!: string[];

  @Column('boolean', { default: false })
  remember!: boolean;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  @Column('bigint', { name: 'last_used_at', nullable: true, transformer: epochSeconds })
  lastUsedAt!: number | null;

  @Column('bigint', { name: 'revoked_at', nullable: true, transformer: epochSeconds })
  revokedAt!: number | null;
}
