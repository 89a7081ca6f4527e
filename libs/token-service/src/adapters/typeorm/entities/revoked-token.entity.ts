import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from './columns';

/** JWT access tokens are not stored when issued; a revoked one is remembered by jti until it expires. */
@Entity('revoked_tokens')
export class RevokedTokenEntity {
  @PrimaryColumn('varchar', { length: 64 })
  jti!: string;

  @Index('ix_revoked_tokens_expires_at')
  @Column('bigint', { name: 'expires_at', transformer: epochSeconds })
  expiresAt!: number;
}
