import { createTestDatabase, testEngines, type TestDatabase } from '@tessera/test-kit';
import type { DataSource } from 'typeorm';
import { eventsDatabase, grantRevoked } from '../test/support';
import { OutboxEntity } from './entities/outbox.entity';
import { InvalidEventError, nudgeAfterOutboxCommit, Outbox } from './outbox';
import { inTransaction } from './transaction';

describe.each(testEngines())('Outbox on %s', (engine) => {
  let db: TestDatabase;
  let ds: DataSource;
  const outbox = new Outbox();

  beforeAll(async () => {
    db = await createTestDatabase(eventsDatabase(), engine);
    ds = db.dataSource;
  });
  afterAll(() => db.destroy());
  beforeEach(() => ds.getRepository(OutboxEntity).clear());

  const rows = () => ds.getRepository(OutboxEntity).find();

  it('writes the event in the caller transaction and returns its envelope', async () => {
    const payload = grantRevoked('g-1');
    const envelope = await inTransaction(ds, (m) => outbox.add(m, 'grant.revoked', payload));

    expect(envelope).toMatchObject({ name: 'grant.revoked', version: 1, payload });
    expect(Date.parse(envelope.occurredAt)).not.toBeNaN();
    expect(await rows()).toEqual([
      {
        id: envelope.id,
        name: 'grant.revoked',
        version: 1,
        payload: JSON.stringify(payload),
        occurredAt: envelope.occurredAt,
        publishedAt: null,
        attempts: 0,
        lastError: null,
      },
    ]);
  });

  it('writes an event no queue subscribes to as already published, and nudges no relay for it', async () => {
    const routed = new Outbox({ 'grant.revoked': ['tessera.token-service'] });
    let nudges = 0;
    const uninstall = nudgeAfterOutboxCommit(ds, () => nudges++);
    try {
      // Earlier tests committed without the nudge subscriber; one routed commit settles their flag.
      await inTransaction(ds, (m) => routed.add(m, 'grant.revoked', grantRevoked('g-0')));
      nudges = 0;
      const unrouted = await inTransaction(ds, (m) => routed.add(m, 'consent.granted', { grantId: 'g', sub: 's', clientId: 'c', scopes: ['a'] }));
      expect(nudges).toBe(0);
      const revoked = await inTransaction(ds, (m) => routed.add(m, 'grant.revoked', grantRevoked('g-9')));
      expect(nudges).toBe(1);
      const byId = new Map((await rows()).map((r) => [r.id, r]));
      // Kept for the record (a future audit consumer reads the table), but nothing to relay.
      expect(byId.get(unrouted.id)?.publishedAt).toBe(unrouted.occurredAt);
      expect(byId.get(revoked.id)?.publishedAt).toBeNull();
    } finally {
      uninstall();
    }
  });

  it('rejects a payload that does not match the schema and writes nothing', async () => {
    const bad = { ...grantRevoked(), revokedAt: 'yesterday' };
    const attempt = inTransaction(ds, (m) => outbox.add(m, 'grant.revoked', bad));

    await expect(attempt).rejects.toBeInstanceOf(InvalidEventError);
    await expect(attempt).rejects.toThrow(/revokedAt/);
    expect(await rows()).toEqual([]);
  });

  it('rejects an unknown event name', async () => {
    // @ts-expect-error: not a registered event
    await expect(inTransaction(ds, (m) => outbox.add(m, 'grant.exploded', {}))).rejects.toThrow(
      /unknown event/,
    );
  });

  it('rolls the event back with the change that failed', async () => {
    const failed = inTransaction(ds, async (m) => {
      await outbox.add(m, 'grant.revoked', grantRevoked());
      throw new Error('the change failed');
    });

    await expect(failed).rejects.toThrow('the change failed');
    expect(await rows()).toEqual([]);
  });

  it('refuses a manager that is not in a transaction, where the event could outlive the change', async () => {
    await expect(outbox.add(ds.manager, 'grant.revoked', grantRevoked())).rejects.toThrow(/transaction/);
    expect(await rows()).toEqual([]);
  });

  it('nudges after a commit that wrote events, and only then', async () => {
    const nudge = jest.fn();
    const uninstall = nudgeAfterOutboxCommit(ds, nudge);
    try {
      // SQLite shares one query runner, which may still carry the mark of an earlier test's
      // commit made before the hook existed: one nudge too many is harmless, so clear it here.
      await inTransaction(ds, (m) => m.getRepository(OutboxEntity).count());
      nudge.mockClear();
      await inTransaction(ds, (m) => m.getRepository(OutboxEntity).count());
      await inTransaction(ds, async (m) => {
        await outbox.add(m, 'grant.revoked', grantRevoked());
        throw new Error('rolled back');
      }).catch(() => undefined);
      expect(nudge).not.toHaveBeenCalled();

      await inTransaction(ds, async (m) => {
        await outbox.add(m, 'grant.revoked', grantRevoked());
        await outbox.add(m, 'user.updated', { sub: 'alice' });
      });
      expect(nudge).toHaveBeenCalledTimes(1);
    } finally {
      uninstall();
    }
    await inTransaction(ds, (m) => outbox.add(m, 'user.updated', { sub: 'bob' }));
    expect(nudge).toHaveBeenCalledTimes(1);
  });
});
