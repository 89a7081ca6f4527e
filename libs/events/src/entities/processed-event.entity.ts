import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { instantColumn } from './columns';

/**
 * The idempotency record of a consumer: a row commits together with the handler's own writes,
 * so a redelivered event id is acknowledged without running the handler again.
 */
@Entity({ name: 'processed_events' })
export class ProcessedEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  consumer!: string;

  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 36 })
  eventId!: string;

  @Index('IDX_processed_events_processed_at')
  @Column(instantColumn('processed_at'))
  processedAt!: string;
}
