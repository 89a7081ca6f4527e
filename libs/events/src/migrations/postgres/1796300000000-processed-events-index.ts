import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualified } from './schema';

/** Housekeeping deletes processed-event markers by age: an index on `processed_at` keeps that a range scan. */
export class ProcessedEventsIndex1796300000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    const t = qualified(q);
    await q.query(`CREATE INDEX "IDX_processed_events_processed_at" ON ${t('processed_events')} ("processed_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ${qualified(q)('IDX_processed_events_processed_at')}`);
  }
}
