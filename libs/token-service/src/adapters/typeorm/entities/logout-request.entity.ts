import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from './columns';

/**
 * An RP-initiated logout waiting for the user's confirmation. Keyed by the SHA-256 of the
 * one-time confirmation value (in the page's form); bound to one browser by the hash of a
 * verifier only that browser's HttpOnly cookie holds; used at most once.
 */
@Entity('logout_requests')
export class LogoutRequestEntity {
  @PrimaryColumn('varchar', { length: 64, name: 'storage_key' })
  storageKey!: string;

  @Column('varchar', { length: 64, name: 'verifier_hash' })
  verifierHash!: string;

  /** The OP session the user was asked about; null when the request could not see one. */
  @Column('varchar', { length: 64, nullable: true })
  sid!: string | null;

  /** The validated request: client, post_logout_redirect_uri, state, ui_locales. */
  @Column('simple-json')
  request!: object;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  @Index('ix_logout_requests_expires_at')
  @Column('bigint', { name: 'expires_at', transformer: epochSeconds })
  expiresAt!: number;

  @Column('bigint', { name: 'used_at', nullable: true, transformer: epochSeconds })
  usedAt!: number | null;
}
