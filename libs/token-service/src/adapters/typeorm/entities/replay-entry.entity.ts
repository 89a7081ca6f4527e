import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from './columns';

/** One-time values seen (client assertion jti, ...): a second insert of the same key is a replay. */
@Entity('replay_cache')
export class ReplayEntryEntity {
  @PrimaryColumn('varchar', { length: 512 })
  key!: string;

  @Index('ix_replay_cache_expires_at')
  @Column('bigint', { name: 'expires_at', transformer: epochSeconds })
  expiresAt!: number;
}
