import { Column, Entity, Index, PrimaryColumn, type ValueTransformer } from 'typeorm';
import { epochSeconds } from '../database/columns';

/** A counter in a BIGINT (it is an unsigned 32-bit value); PostgreSQL hands bigints back as strings. */
const bigintNumber: ValueTransformer = { to: (v: number) => v, from: (v: string | number) => Number(v) };

/** `singleDevice`: bound to one authenticator (hardware); `multiDevice`: may be synced (WebAuthn "backup eligible"). */
export type PasskeyDeviceType = 'singleDevice' | 'multiDevice';

/**
 * A user's WebAuthn credential (a passkey): what the authenticator gave at registration (its
 * id, COSE public key, signature counter, transports, backup flags, model) and what the user
 * calls it. `user_handle` is the random WebAuthn user id the authenticator stores with a
 * discoverable credential and returns at sign-in (never the `sub`: WebAuthn §14.6.1).
 */
@Entity('passkeys')
export class PasskeyEntity {
  /** Our public id (the account API's `:id`), not the credential id. */
  @PrimaryColumn('varchar', { length: 64 })
  id!: string;

  @Index('ix_passkeys_sub')
  @Column('varchar', { length: 64 })
  sub!: string;

  /** base64url; credential ids are at most 1023 bytes (WebAuthn §5.8.3). */
  @Index('uq_passkeys_credential_id', { unique: true })
  @Column('varchar', { length: 1400, name: 'credential_id' })
  credentialId!: string;

  /** base64url of the WebAuthn user handle (at most 64 bytes). */
  @Column('varchar', { length: 128, name: 'user_handle' })
  userHandle!: string;

  /** base64url of the COSE_Key. */
  @Column('text', { name: 'public_key' })
  publicKey!: string;

  /** The authenticator's signature counter (an unsigned 32-bit value; 0 when it keeps none). */
  @Column('bigint', { name: 'sign_count', transformer: bigintNumber })
  signCount!: number;

  @Column('simple-json')
  transports!: string[];

  @Column('varchar', { length: 16, name: 'device_type' })
  deviceType!: PasskeyDeviceType;

  @Column('boolean', { name: 'backed_up' })
  backedUp!: boolean;

  @Column('varchar', { length: 36 })
  aaguid!: string;

  @Column('varchar', { length: 64 })
  name!: string;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  @Column('bigint', { name: 'last_used_at', nullable: true, transformer: epochSeconds })
  lastUsedAt!: number | null;
}

/** What a ceremony challenge was issued for. */
export type PasskeyCeremony = 'login' | 'second_factor' | 'registration';

/**
 * A pending WebAuthn ceremony: the challenge's SHA-256 (never the value), what it is for, the
 * browser it was issued to (the SHA-256 of that browser's HttpOnly binding cookie), and for
 * whom or which login challenge. Consumed (deleted) by the first attempt to answer it.
 */
@Entity('passkey_challenges')
export class PasskeyChallengeEntity {
  @PrimaryColumn('varchar', { length: 64, name: 'storage_key' })
  storageKey!: string;

  @Column('varchar', { length: 16 })
  ceremony!: PasskeyCeremony;

  @Column('varchar', { length: 64 })
  binding!: string;

  /** The user the ceremony is for (second factor, registration); null for a passwordless login. */
  @Index('ix_passkey_challenges_sub')
  @Column('varchar', { length: 64, nullable: true })
  sub!: string | null;

  /** SHA-256 of the login challenge the ceremony belongs to (login, second factor). */
  @Column('varchar', { length: 64, name: 'login_challenge', nullable: true })
  loginChallenge!: string | null;

  /** The user handle offered at registration (stored with the new credential). */
  @Column('varchar', { length: 128, name: 'user_handle', nullable: true })
  userHandle!: string | null;

  @Index('ix_passkey_challenges_expires_at')
  @Column('bigint', { name: 'expires_at', transformer: epochSeconds })
  expiresAt!: number;
}

/** The feature's tables (listed in AUTH_SERVICE_ENTITIES). */
export const PASSKEY_ENTITIES = [PasskeyEntity, PasskeyChallengeEntity];
