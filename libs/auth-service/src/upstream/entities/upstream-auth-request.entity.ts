import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../../database/columns';

export type UpstreamPurpose = 'login' | 'link';

/**
 * One authorization request sent to an upstream provider, waiting for its callback: found by
 * the SHA-256 of its `state`, bound to the browser that started it (SHA-256 of its
 * `tessera_upstream` cookie), single-use (deleted when the callback arrives) and short-lived.
 * The values that must be read back (nonce, PKCE verifier, login challenge) are a JWE under
 * the master key.
 */
@Entity('upstream_auth_requests')
export class UpstreamAuthRequestEntity {
  @PrimaryColumn('varchar', { length: 64, name: 'state_hash' })
  stateHash!: string;

  @Column('varchar', { length: 64, name: 'binding_hash' })
  bindingHash!: string;

  @Column('varchar', { length: 64, name: 'idp_id' })
  idpId!: string;

  @Column('varchar', { length: 16 })
  purpose!: UpstreamPurpose;

  /** For a link started from the account API: the account the upstream account is linked to. */
  @Column('varchar', { length: 64, nullable: true })
  sub!: string | null;

  @Column('text', { name: 'secrets_encrypted' })
  secretsEncrypted!: string;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  @Index('ix_upstream_auth_requests_expires_at')
  @Column('bigint', { name: 'expires_at', transformer: epochSeconds })
  expiresAt!: number;
}
