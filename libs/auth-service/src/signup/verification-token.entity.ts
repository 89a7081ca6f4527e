import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../database/columns';

/**
 * What a single-use token lets its holder do:
 * - `verify_email`: prove the account's current address (mailed at sign-up, or on request);
 * - `change_email`: prove a new address, which then becomes the account's (mailed to it);
 * - `reset_password`: set a new password (mailed to the account's address);
 * - `signup_signin`: held by the browser that signed up with a login challenge, to finish
 *   that sign-in once the address is verified (a cookie, never mailed).
 */
export type VerificationPurpose = 'verify_email' | 'change_email' | 'reset_password' | 'signup_signin';

/**
 * A single-use, short-lived token: only its SHA-256 is stored (the value is 256 random bits, so
 * a fast hash is enough), with the address it was sent to. Consumed atomically; spent and
 * expired rows stay a day (they count towards the mail quotas' history and explain refusals).
 */
@Entity('verification_tokens')
@Index('ix_verification_tokens_sub', ['sub', 'purpose'])
export class VerificationTokenEntity {
  @PrimaryColumn('varchar', { length: 64, name: 'token_hash' })
  tokenHash!: string;

  @Column('varchar', { length: 16 })
  purpose!: VerificationPurpose;

  @Column('varchar', { length: 64 })
  sub!: string;

  /** The address the token proves (the new one for an email change). */
  @Column('varchar', { length: 320 })
  email!: string;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  @Index('ix_verification_tokens_expires_at')
  @Column('bigint', { name: 'expires_at', transformer: epochSeconds })
  expiresAt!: number;

  @Column('bigint', { name: 'consumed_at', nullable: true, transformer: epochSeconds })
  consumedAt!: number | null;
}

/** How many mails of one kind an account (or address) was sent in the current window. */
@Entity('mail_quota')
export class MailQuotaEntity {
  @PrimaryColumn('varchar', { length: 400 })
  key!: string;

  @Column('integer')
  count!: number;

  @Column('bigint', { name: 'window_start', transformer: epochSeconds })
  windowStart!: number;
}

export const SIGNUP_ENTITIES = [VerificationTokenEntity, MailQuotaEntity];
