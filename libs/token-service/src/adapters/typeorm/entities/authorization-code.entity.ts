import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from './columns';

/** An authorization code, stored as its hash; single use, and remembers what it issued. */
@Entity('authorization_codes')
export class AuthorizationCodeEntity {
  @PrimaryColumn('varchar', { length: 64, name: 'storage_key' })
  storageKey!: string;

  @Column('varchar', { length: 255, name: 'client_id' })
  clientId!: string;

  // Not indexed: no statement looks codes up by grant (a revoked grant fails the redemption's own
  // check), and the index cost every code a page write at its grant's place.
  @Column('varchar', { length: 36, name: 'grant_id' })
  grantId!: string;

  @Column('varchar', { length: 255 })
  sub!: string;

  /** Everything the token endpoint needs to check and to issue (scope, redirect_uri, PKCE, ...). */
  @Column('simple-json')
  details!: object;

  @Column('bigint', { name: 'issued_at', transformer: epochSeconds })
  issuedAt!: number;

  @Index('ix_authorization_codes_expires_at')
  @Column('bigint', { name: 'expires_at', transformer: epochSeconds })
  expiresAt!: number;

  @Column('bigint', { name: 'consumed_at', nullable: true, transformer: epochSeconds })
  consumedAt!: number | null;

  /** The token family its redemption started: revoked if the code is replayed. */
  @Column('varchar', { length: 36, name: 'family_id', nullable: true })
  familyId!: string | null;
}
