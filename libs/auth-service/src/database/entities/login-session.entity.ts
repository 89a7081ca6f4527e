import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../columns';

/**
 * That a person authenticated in one browser, how and when. The cookie holds a random secret;
 * only its SHA-256 (`storage_key`) is stored, and it changes at login and at each second factor
 * (no session fixation). `id` is the public id the token service's OP sessions refer to.
 * A session at stage `second_factor` knows who is signing in but is not yet a login.
 */
@Entity('login_sessions')
export class LoginSessionEntity {
  @PrimaryColumn('varchar', { length: 64 })
  id!: string;

  @Index('uq_login_sessions_storage_key', { unique: true })
  @Column('varchar', { length: 64, name: 'storage_key' })
  storageKey!: string;

  @Index('ix_login_sessions_sub')
  @Column('varchar', { length: 64 })
  sub!: string;

  @Column('varchar', { length: 16 })
  stage!: 'second_factor' | 'authenticated';

  @Column('simple-json')
  amr!: string[];

  @Column('bigint', { name: 'auth_time', transformer: epochSeconds })
  authTime!: number;

  @Column('boolean')
  remember!: boolean;

  @Column('varchar', { length: 64, nullable: true })
  ip!: string | null;

  @Column('varchar', { length: 255, name: 'user_agent', nullable: true })
  userAgent!: string | null;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  @Column('bigint', { name: 'last_seen_at', transformer: epochSeconds })
  lastSeenAt!: number;

  @Index('ix_login_sessions_expires_at')
  @Column('bigint', { name: 'expires_at', transformer: epochSeconds })
  expiresAt!: number;

  @Column('bigint', { name: 'ended_at', nullable: true, transformer: epochSeconds })
  endedAt!: number | null;
}
