import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from './columns';

/** The token service's browser session: keyed by the hash of its cookie; `sid` is its public id. */
@Entity('op_sessions')
export class OpSessionEntity {
  @PrimaryColumn('varchar', { length: 64, name: 'storage_key' })
  storageKey!: string;

  @Index('uq_op_sessions_sid', { unique: true })
  @Column('varchar', { length: 64 })
  sid!: string;

  @Index('ix_op_sessions_sub')
  @Column('varchar', { length: 255 })
  sub!: string;

  @Index('ix_op_sessions_login_session_id')
  @Column('varchar', { length: 255, name: 'login_session_id' })
  loginSessionId!: string;

  @Column('varchar', { length: 255, nullable: true })
  acr!: string | null;

  @Column('simple-json')
  amr!: string[];

  @Column('bigint', { name: 'auth_time', transformer: epochSeconds })
  authTime!: number;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  @Index('ix_op_sessions_expires_at')
  @Column('bigint', { name: 'expires_at', transformer: epochSeconds })
  expiresAt!: number;

  @Column('bigint', { name: 'ended_at', nullable: true, transformer: epochSeconds })
  endedAt!: number | null;
}
