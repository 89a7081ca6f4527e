import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from './columns';

/** Access tokens by reference: only the SHA-256 of the token is stored, never the token. */
@Entity('access_tokens')
export class AccessTokenEntity {
  @PrimaryColumn('varchar', { length: 64, name: 'storage_key' })
  storageKey!: string;

  @Index('ix_access_tokens_client_id')
  @Column('varchar', { length: 255, name: 'client_id' })
  clientId!: string;

  @Column('varchar', { length: 255 })
  sub!: string;

  @Column('text')
  scope!: string;

  @Column('simple-json')
  audience!: string[];

  // Partial: most tokens (client_credentials) have no grant, and every index costs each insert.
  @Index('ix_access_tokens_grant_id', { where: '"grant_id" IS NOT NULL' })
  @Column('varchar', { length: 36, name: 'grant_id', nullable: true })
  grantId!: string | null;

  @Column('varchar', { length: 64 })
  jti!: string;

  /** OpenID Connect: the claims request (userinfo member, claims_locales) UserInfo answers with. */
  @Column('text', { nullable: true })
  claims!: string | null;

  /** The refresh-token family (or code redemption) it came from, revoked together. */
  @Index('ix_access_tokens_family_id', { where: '"family_id" IS NOT NULL' })
  @Column('varchar', { length: 36, name: 'family_id', nullable: true })
  familyId!: string | null;

  @Column('bigint', { name: 'issued_at', transformer: epochSeconds })
  issuedAt!: number;

  @Index('ix_access_tokens_expires_at')
  @Column('bigint', { name: 'expires_at', transformer: epochSeconds })
  expiresAt!: number;
}
