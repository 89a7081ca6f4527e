import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../../database/columns';

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post';

/**
 * An upstream OpenID provider an admin configured: people may sign in with it and link it to
 * their account. The client secret is a JWE under the master key (never returned, never logged).
 */
@Entity('upstream_idps')
export class UpstreamIdpEntity {
  /** A slug: part of the redirect URI (`{issuer}/auth/upstream/{id}/callback`), so never changed. */
  @PrimaryColumn('varchar', { length: 64 })
  id!: string;

  @Column('varchar', { length: 100, name: 'display_name' })
  displayName!: string;

  @Column('varchar', { length: 2048 })
  issuer!: string;

  @Column('varchar', { length: 255, name: 'client_id' })
  clientId!: string;

  @Column('text', { name: 'client_secret_encrypted' })
  clientSecretEncrypted!: string;

  @Column('varchar', { length: 32, name: 'token_endpoint_auth_method' })
  tokenEndpointAuthMethod!: TokenEndpointAuthMethod;

  @Column('simple-json')
  scopes!: string[];

  /** Upstream claim name → local claim name (a profile claim, or `email` / `email_verified`). */
  @Column('simple-json', { name: 'claim_mapping' })
  claimMapping!: Record<string, string>;

  /** Whether the provider's `email_verified: true` makes the address verified here. */
  @Column('boolean', { name: 'trust_email_verified' })
  trustEmailVerified!: boolean;

  @Column('boolean')
  enabled!: boolean;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  @Column('bigint', { name: 'updated_at', transformer: epochSeconds })
  updatedAt!: number;
}
