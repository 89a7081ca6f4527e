import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from './columns';

/**
 * A pending login or consent step handed to the auth-service. Keyed by the SHA-256 of the
 * challenge value (which travels in URLs); bound to one browser by the hash of a verifier that
 * only that browser's HttpOnly cookie holds.
 */
@Entity('challenges')
export class ChallengeEntity {
  @PrimaryColumn('varchar', { length: 64, name: 'storage_key' })
  storageKey!: string;

  @Column('varchar', { length: 16 })
  kind!: string;

  @Column('varchar', { length: 16 })
  state!: string;

  @Column('varchar', { length: 64, name: 'verifier_hash' })
  verifierHash!: string;

  @Column('varchar', { length: 255, name: 'client_id' })
  clientId!: string;

  /** The validated authorization request, to resume it after the step. */
  @Column('simple-json')
  request!: object;

  /** Set on consent challenges and on login challenges of a known user: the authenticated user. */
  @Column('simple-json', { nullable: true })
  login!: object | null;

  /** What accept or reject decided. */
  @Column('simple-json', { nullable: true })
  outcome!: object | null;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  @Index('ix_challenges_expires_at')
  @Column('bigint', { name: 'expires_at', transformer: epochSeconds })
  expiresAt!: number;
}
