import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../../database/columns';

/**
 * A one-time code mailed for one login session. Six digits are few, so the stored value is an
 * HMAC under a key derived from the master key (a leaked table alone cannot be brute-forced),
 * and the code dies after a few wrong tries, after use, when a new one is sent, or at expiry.
 */
@Entity('mfa_email_codes')
export class EmailCodeEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  @Index('ix_mfa_email_codes_sub')
  @Column('varchar', { length: 64 })
  sub!: string;

  @Index('ix_mfa_email_codes_login_session_id')
  @Column('varchar', { length: 64, name: 'login_session_id' })
  loginSessionId!: string;

  @Column('varchar', { length: 64, name: 'code_hash' })
  codeHash!: string;

  /** Tries spent on this code (right or wrong). */
  @Column('integer')
  attempts!: number;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  @Column('bigint', { name: 'expires_at', transformer: epochSeconds })
  expiresAt!: number;

  /** When the code stopped being usable: used, replaced by a newer one, or out of tries. */
  @Column('bigint', { name: 'ended_at', nullable: true, transformer: epochSeconds })
  endedAt!: number | null;
}
