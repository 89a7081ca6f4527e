import { Column, Entity, PrimaryColumn } from 'typeorm';
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

  @Column(instantColumn('processed_at'))
  processedAt!: string;
}
