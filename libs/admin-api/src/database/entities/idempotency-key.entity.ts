import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMillis } from '../columns';

/**
 * A create sent with an `Idempotency-Key` header, and what it answered: the same key with the
 * same request answers the same again (no second client, no second secret shown); with another
 * request it is refused. Kept for a day.
 */
@Entity('idempotency_keys')
export class IdempotencyKeyEntity {
  /** sha256 of actor, route and key: keys of different callers never collide. */
  @PrimaryColumn('varchar', { length: 64, name: 'storage_key' })
  storageKey!: string;

  /** sha256 of the request body. */
  @Column('varchar', { length: 64, name: 'request_hash' })
  requestHash!: string;

  @Column('integer', { nullable: true })
  status!: number | null;

  /** The answer, encrypted under the master key: a create's answer may hold a client secret. */
  @Column('text', { nullable: true })
  response!: string | null;

  @Column('bigint', { name: 'created_at', transformer: epochMillis })
  createdAt!: number;
}
