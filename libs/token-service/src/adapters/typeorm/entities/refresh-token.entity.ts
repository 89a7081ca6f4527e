import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from './columns';

/** A refresh token (hash only), one link of a rotation chain: its token family. */
@Entity('refresh_tokens')
export class RefreshTokenEntity {
  @PrimaryColumn('varchar', { length: 64, name: 'storage_key' })
  storageKey!: string;

  @Index('ix_refresh_tokens_family_id')
  @Column('varchar', { length: 36, name: 'family_id' })
  familyId!: string;

  @Index('ix_refresh_tokens_grant_id')
  @Column('varchar', { length: 36, name: 'grant_id', nullable: true })
  grantId!: string | null;

  @Index('ix_refresh_tokens_client_id')
  @Column('varchar', { length: 255, name: 'client_id' })
  clientId!: string;

  @Index('ix_refresh_tokens_sub')
  @Column('varchar', { length: 255 })
  sub!: string;

  /** Scope, resource, auth context: what a refresh may re-issue. */
  @Column('simple-json')
  details!: object;

  /** The access token issued with this refresh token (jti, expiry): revoked with the family. */
  @Column('varchar', { length: 64, name: 'access_jti', nullable: true })
  accessJti!: string | null;

  @Column('bigint', { name: 'access_expires_at', nullable: true, transformer: epochSeconds })
  accessExpiresAt!: number | null;

  @Column('bigint', { name: 'issued_at', transformer: epochSeconds })
  issuedAt!: number;

  @Index('ix_refresh_tokens_expires_at')
  @Column('bigint', { name: 'expires_at', transformer: epochSeconds })
  expiresAt!: number;

  /** When it was exchanged for its successor (rotation); using it again is reuse. */
  @Column('bigint', { name: 'consumed_at', nullable: true, transformer: epochSeconds })
  consumedAt!: number | null;

  @Column('bigint', { name: 'revoked_at', nullable: true, transformer: epochSeconds })
  revokedAt!: number | null;
}
