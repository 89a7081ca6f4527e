import { sweepInBatches } from '@tessera/runtime';
import { createTestDatabase, testEngines, type TestDatabase } from '@tessera/test-kit';
import type { DataSource } from 'typeorm';
import { eventsDatabase } from '../test/support';
import { OutboxEntity } from './entities/outbox.entity';
import { ProcessedEventEntity } from './entities/processed-event.entity';
import { eventHousekeepingSteps, PROCESSED_EVENT_RETENTION_MS, PUBLISHED_OUTBOX_RETENTION_MS } from './event-housekeeping';

const NOW = Date.parse('2026-11-28T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

/** The event tables stay bounded under constant load: what is done with goes after its retention, nothing else. */
describe.each(testEngines())('event housekeeping on %s', (engine) => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase(eventsDatabase(), engine);
    ds = db.dataSource;
  });
  afterAll(() => db.destroy());

  const outboxRow = (id: string, occurredAt: string, publishedAt: string | null) =>
    Object.assign(new OutboxEntity(), { id, name: 'grant.revoked', version: 1, payload: '{}', occurredAt, publishedAt, attempts: 0, lastError: null });

  it('deletes published outbox rows past a day and processed markers past a week, in batches, and keeps the rest', async () => {
    const old = Array.from({ length: 25 }, (_, i) => outboxRow(`old-${String(i).padStart(2, '0')}`, ago(PUBLISHED_OUTBOX_RETENTION_MS + 60_000), ago(PUBLISHED_OUTBOX_RETENTION_MS + 1000)));
    await ds.getRepository(OutboxEntity).insert([
      ...old,
      outboxRow('recent', ago(60_000), ago(30_000)),
      // Never published (Redis down for days): it still has to leave, whatever its age.
      outboxRow('unpublished', ago(30 * 24 * 3600 * 1000), null),
    ]);
    await ds.getRepository(ProcessedEventEntity).insert([
      { consumer: 'c', eventId: 'stale', processedAt: ago(PROCESSED_EVENT_RETENTION_MS + 1000) },
      { consumer: 'c', eventId: 'fresh', processedAt: ago(PROCESSED_EVENT_RETENTION_MS - 60_000) },
    ]);

    const report = await sweepInBatches(eventHousekeepingSteps(ds, NOW), { batchSize: 10 });

    expect((await ds.getRepository(OutboxEntity).find({ order: { id: 'ASC' } })).map((r) => r.id)).toEqual(['recent', 'unpublished']);
    expect((await ds.getRepository(ProcessedEventEntity).find()).map((r) => r.eventId)).toEqual(['fresh']);
    expect(report.deleted).toMatchObject({ outbox: 25, processed_events: 1 });
  });
});
