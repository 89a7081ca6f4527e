import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../../database/columns';

/**
 * A user's TOTP authenticator (RFC 6238), at most one per user. The shared secret must be read
 * back to check codes, so it is encrypted under the master key (never hashed). Until
 * `confirmed_at` is set it is an enrollment in progress that does not count as a factor.
 * `last_used_step` is the replay cache: a code is accepted only for a later time step, by a
 * conditional UPDATE, so two requests racing with one code cannot both win.
 */
@Entity('mfa_totp')
export class TotpCredentialEntity {
  @PrimaryColumn('varchar', { length: 64 })
  sub!: string;

  /** The base32 secret as a JWE under the master key (bound to this user's row). */
  @Column('text', { name: 'secret_encrypted' })
  secretEncrypted!: string;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  @Column('bigint', { name: 'confirmed_at', nullable: true, transformer: epochSeconds })
  confirmedAt!: number | null;

  // A time-step counter, not an instant; the transformer only turns PostgreSQL's bigint strings into numbers.
  @Column('bigint', { name: 'last_used_step', nullable: true, transformer: epochSeconds })
  lastUsedStep!: number | null;
}
