import type { DataSource } from 'typeorm';
import { deleteBatch, type SweepStep } from '@tessera/runtime';
import { OutboxEntity } from './entities/outbox.entity';
import { ProcessedEventEntity } from './entities/processed-event.entity';

/** How long a published outbox row stays (to read what left, or to send it again after losing Redis). */
export const PUBLISHED_OUTBOX_RETENTION_MS = 24 * 3600 * 1000;
/**
 * How long a consumer remembers an event it handled. A redelivery comes within minutes (a
 * stalled job, a relay that died between publishing and marking); BullMQ itself keeps completed
 * job ids a day. A week leaves a wide margin.
 */
export const PROCESSED_EVENT_RETENTION_MS = 7 * 24 * 3600 * 1000;

/**
 * The steps of a service's housekeeping that keep its event tables bounded: published outbox rows
 * and processed-event markers past their retention, deleted in batches. Unpublished rows and dead
 * letters are never deleted here (the first still have to leave; the second wait for an administrator).
 */
export function eventHousekeepingSteps(dataSource: DataSource, nowMs: number): SweepStep[] {
  const before = (ms: number) => new Date(nowMs - ms).toISOString();
  return [
    {
      name: 'outbox',
      deleteBatch: (limit) =>
        deleteBatch(dataSource, { table: OutboxEntity, where: '"published_at" IS NOT NULL AND "published_at" < $1', params: [before(PUBLISHED_OUTBOX_RETENTION_MS)], limit }),
    },
    {
      name: 'processed_events',
      deleteBatch: (limit) => deleteBatch(dataSource, { table: ProcessedEventEntity, where: '"processed_at" < $1', params: [before(PROCESSED_EVENT_RETENTION_MS)], limit }),
    },
  ];
}
