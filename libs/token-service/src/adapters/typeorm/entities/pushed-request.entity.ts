import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from './columns';

/** A pushed authorization request (RFC 9126), under the hash of its request_uri; used once. */
@Entity('pushed_requests')
export class PushedRequestEntity {
  @PrimaryColumn('varchar', { length: 64, name: 'storage_key' })
  storageKey!: string;

  @Column('varchar', { length: 255, name: 'client_id' })
  clientId!: string;

  /** The authorization request's parameters, each name with its values, as validated at push. */
  @Column('text')
  params!: string;

  @Index('ix_pushed_requests_expires_at')
  @Column('bigint', { name: 'expires_at', transformer: epochSeconds })
  expiresAt!: number;
}
