import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from './columns';

/**
 * A signing key's life: `next` (published in the JWKS, not yet signing) → `current` (signs) →
 * `retired` (published until every token it signed has expired, then deleted).
 */
@Entity('signing_keys')
@Index('ix_signing_keys_alg_state', ['alg', 'state'])
export class SigningKeyEntity {
  @PrimaryColumn('varchar', { length: 64 })
  kid!: string;

  @Column('varchar', { length: 16 })
  alg!: string;

  @Column('varchar', { length: 16 })
  state!: string;

  @Column('simple-json', { name: 'public_jwk' })
  publicJwk!: object;

  /** The private JWK, encrypted under the master key (JWE dir/A256GCM). */
  @Column('text', { name: 'private_jwk_encrypted' })
  privateJwkEncrypted!: string;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  @Column('bigint', { name: 'activated_at', nullable: true, transformer: epochSeconds })
  activatedAt!: number | null;

  @Column('bigint', { name: 'retired_at', nullable: true, transformer: epochSeconds })
  retiredAt!: number | null;

  /** When a retired key may leave the JWKS: its retirement plus the longest token lifetime. */
  @Column('bigint', { name: 'publish_until', nullable: true, transformer: epochSeconds })
  publishUntil!: number | null;
}
