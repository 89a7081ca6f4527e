import { FakeClock, testEngines } from '@tessera/test-kit';
import type { DataSource } from 'typeorm';
import { AuditEntryEntity } from '../../src/database/entities/audit-entry.entity';
import { IdempotencyKeyEntity } from '../../src/database/entities/idempotency-key.entity';
import { AdminHousekeepingService } from '../../src/housekeeping.service';
import { startAdminPlatform, type AdminPlatform } from '../support/admin-platform';

const DAY_MS = 86_400_000;

/** Audit retention and idempotency keys: old rows go in statements of TESSERA_HOUSEKEEPING_BATCH rows. */
describe.each(testEngines())('admin API housekeeping (%s)', (engine) => {
  const clock = new FakeClock(Date.now());
  let platform: AdminPlatform;
  let ds: DataSource;

  beforeAll(async () => {
    platform = await startAdminPlatform({ engine, clock: clock.now, env: { TESSERA_HOUSEKEEPING_BATCH: '100', TESSERA_AUDIT_RETENTION_DAYS: '30' } });
    ds = platform.adminDataSource();
  });
  afterAll(() => platform?.close());

  const housekeeping = () => platform.running.app.get(AdminHousekeepingService);
  const count = async (table: string) => Number(((await ds.query(`SELECT COUNT(*) AS "n" FROM "${table}"`)) as Array<{ n: string | number }>)[0].n);
  const entry = (i: number, occurredAt: number) =>
    Object.assign(new AuditEntryEntity(), { occurredAt, type: 'test.old', actorType: 'system', actorId: null, subject: `s-${i}`, clientId: null, ip: null, eventId: null, details: {} });
  const key = (i: number, createdAt: number) => Object.assign(new IdempotencyKeyEntity(), { storageKey: `k-${i}`.padEnd(64, '0'), requestHash: 'h'.repeat(64), status: 201, response: null, createdAt });

  it('deletes audit entries past retention and day-old idempotency keys in bounded statements, keeping the rest', async () => {
    const now = clock.now();
    const old = Array.from({ length: 250 }, (_, i) => entry(i, now - 31 * DAY_MS - i));
    for (let i = 0; i < old.length; i += 100) await ds.manager.insert(AuditEntryEntity, old.slice(i, i + 100) as never);
    await ds.manager.insert(AuditEntryEntity, [entry(1000, now - 29 * DAY_MS), entry(1001, now)] as never);
    await ds.manager.insert(IdempotencyKeyEntity, [...Array.from({ length: 3 }, (_, i) => key(i, now - DAY_MS - 1)), key(99, now - 60_000)]);
    const keysBefore = await count('idempotency_keys');

    const report = await housekeeping().sweep();

    // Plus one statement for each event table (outbox, processed markers), where nothing is old.
    expect(report).toMatchObject({ deleted: { audit_entries: 250, idempotency_keys: 3, outbox: 0, processed_events: 0 }, statements: 3 + 1 + 2, left: [], failed: [], outcome: 'done' });
    // (Entries the platform itself records meanwhile, from its events, are recent: counted apart.)
    expect((await ds.manager.findBy(AuditEntryEntity, { type: 'test.old' })).map((e) => e.subject).sort()).toEqual(['s-1000', 's-1001']);
    expect(await count('idempotency_keys')).toBe(keysBefore - 3);
  });

  it('runs as a scheduled job: a tick runs the sweep on this replica', async () => {
    expect(await housekeeping().tick()).toBe('done');
  });
});
