import { createTestDatabase, eventually, testEngines, type TestDatabase } from '@tessera/test-kit';
import { EntityManager, type DataSource } from 'typeorm';
import {
  deferred,
  eventsDatabase,
  grantRevoked,
  MemoryDeadLetterSink,
  RecordingQueueDriver,
  silentLogger,
} from '../test/support';
import { BullMqQueueDriver } from './bullmq.queue-driver';
import { OutboxEntity } from './entities/outbox.entity';
import type { EventName, EventOf } from './events';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox-relay';
import type { Subscriptions } from './subscriptions';
import { inTransaction } from './transaction';

const subscriptions: Subscriptions = {
  'grant.revoked': ['q.tokens', 'q.audit'],
  'user.updated': ['q.audit'],
};

describe.each(testEngines())('OutboxRelay on %s', (engine) => {
  let db: TestDatabase;
  let ds: DataSource;
  let driver: RecordingQueueDriver;
  let relay: OutboxRelay;
  const outbox = new Outbox();

  beforeAll(async () => {
    db = await createTestDatabase(eventsDatabase(), engine);
    ds = db.dataSource;
  });
  afterAll(() => db.destroy());
  beforeEach(async () => {
    await ds.getRepository(OutboxEntity).clear();
    driver = new RecordingQueueDriver();
    relay = new OutboxRelay(ds, driver, { subscriptions, logger: silentLogger, batchSize: 3 });
  });
  afterEach(() => relay.stop());

  const emit = <N extends EventName>(name: N, payload: EventOf<N>) =>
    inTransaction(ds, (m) => outbox.add(m, name, payload));
  const rows = () => ds.getRepository(OutboxEntity).find({ order: { id: 'ASC' } });

  it('sends committed events to every subscribed queue, oldest first, and marks them published', async () => {
    const first = await emit('grant.revoked', grantRevoked('g-1'));
    const second = await emit('user.updated', { sub: 'alice' });

    expect(await relay.flush()).toEqual({ published: 2, failed: 0 });

    expect(driver.sent.map((s) => [s.queue, s.envelope.id])).toEqual([
      ['q.tokens', first.id],
      ['q.audit', first.id],
      ['q.audit', second.id],
    ]);
    expect(driver.sent[0].envelope).toEqual(first);
    expect((await rows()).every((r) => r.publishedAt !== null)).toBe(true);

    await relay.flush();
    expect(driver.sent).toHaveLength(3);
  });

  it('works through a backlog larger than one batch', async () => {
    for (let i = 0; i < 7; i++) await emit('user.updated', { sub: `user-${i}` });

    expect(await relay.flush()).toEqual({ published: 7, failed: 0 });
    expect(driver.sent.map((s) => (s.envelope.payload as { sub: string }).sub)).toEqual(
      Array.from({ length: 7 }, (_, i) => `user-${i}`),
    );
  });

  it('marks events nobody subscribes to as published without sending them', async () => {
    await emit('login.failed', { ip: '192.0.2.1' });

    expect(await relay.flush()).toEqual({ published: 1, failed: 0 });
    expect(driver.sent).toEqual([]);
    expect((await rows())[0].publishedAt).not.toBeNull();
  });

  it('loses nothing while the queue is down, and sends everything once it is back', async () => {
    const events = [await emit('grant.revoked', grantRevoked()), await emit('user.updated', { sub: 'bob' })];
    driver.down = true;

    expect(await relay.flush()).toEqual({ published: 0, failed: 2 });
    expect(await relay.flush()).toEqual({ published: 0, failed: 2 });
    const waiting = await rows();
    expect(waiting.map((r) => [r.publishedAt, r.attempts])).toEqual([
      [null, 2],
      [null, 2],
    ]);
    expect(waiting[0].lastError).toMatch(/ECONNREFUSED/);

    driver.down = false;
    expect(await relay.flush()).toEqual({ published: 2, failed: 0 });
    expect(new Set(driver.sent.map((s) => s.envelope.id))).toEqual(new Set(events.map((e) => e.id)));
    expect((await rows()).every((r) => r.publishedAt !== null && r.lastError === null)).toBe(true);
  });

  it('keeps the events while Redis is unreachable, with the BullMQ driver', async () => {
    await emit('grant.revoked', grantRevoked());
    // Nothing listens on port 1: the connection is refused.
    const unreachable = new BullMqQueueDriver({
      redisUrl: 'redis://127.0.0.1:1',
      deadLetters: new MemoryDeadLetterSink(),
      logger: silentLogger,
      sendTimeoutMs: 100,
    });
    try {
      const result = await new OutboxRelay(ds, unreachable, { subscriptions, logger: silentLogger }).flush();

      expect(result).toEqual({ published: 0, failed: 1 });
      expect((await rows()).map((r) => [r.publishedAt, r.attempts])).toEqual([[null, 1]]);
    } finally {
      await unreachable.close();
    }
  });

  it('keeps an event for all its queues when one of them is down (sending it again to the others)', async () => {
    const event = await emit('grant.revoked', grantRevoked());
    driver.downQueues.add('q.audit');

    expect(await relay.flush()).toEqual({ published: 0, failed: 1 });
    driver.downQueues.clear();
    expect(await relay.flush()).toEqual({ published: 1, failed: 0 });

    expect(driver.sent.map((s) => s.queue)).toEqual(['q.tokens', 'q.tokens', 'q.audit']);
    expect(driver.sent.every((s) => s.envelope.id === event.id)).toBe(true);
  });

  it('marks exactly the rows of a batch that were sent, in one go, and counts an attempt on the others', async () => {
    const revoked = await emit('grant.revoked', grantRevoked());
    const updated = await emit('user.updated', { sub: 'carol' });
    const revokedToo = await emit('grant.revoked', grantRevoked());
    const updatedToo = await emit('user.updated', { sub: 'dave' });
    driver.downQueues.add('q.tokens');
    // One batch holds all four (a full batch would be followed by another, which tries the failed ones again).
    const oneBatch = new OutboxRelay(ds, driver, { subscriptions, logger: silentLogger, batchSize: 10 });
    const statements = jest.spyOn(EntityManager.prototype, 'query');

    expect(await oneBatch.flush()).toEqual({ published: 2, failed: 2 });
    const sqlOf = (call: unknown[]) => String(call[0]);
    expect(statements.mock.calls.map(sqlOf).filter((sql) => sql.includes('SET "published_at"'))).toHaveLength(1);
    statements.mockRestore();

    const after = new Map((await rows()).map((r) => [r.id, r]));
    for (const sent of [updated, updatedToo]) {
      expect(after.get(sent.id)).toMatchObject({ attempts: 0, lastError: null });
      expect(after.get(sent.id)?.publishedAt).not.toBeNull();
    }
    for (const failed of [revoked, revokedToo]) {
      expect(after.get(failed.id)).toMatchObject({ publishedAt: null, attempts: 1 });
      expect(after.get(failed.id)?.lastError).toMatch(/q\.tokens/);
    }
  });

  it('never publishes the event of a change that rolls back, even when it runs meanwhile', async () => {
    const written = deferred();
    const release = deferred();
    const change = inTransaction(ds, async (m) => {
      await outbox.add(m, 'grant.revoked', grantRevoked());
      written.resolve();
      await release.promise;
      throw new Error('the change failed');
    });
    await written.promise;

    const flushed = relay.flush();
    // PostgreSQL: the relay runs beside the open transaction; SQLite: it waits for its turn.
    if (engine === 'postgres') await flushed;
    release.resolve();
    await expect(change).rejects.toThrow('the change failed');
    await flushed;

    expect(driver.sent).toEqual([]);
    expect(await rows()).toEqual([]);
  });

  it('shares the backlog between replicas without losing or repeating events', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add((await emit('user.updated', { sub: `user-${i}` })).id);
    const other = new OutboxRelay(ds, driver, { subscriptions, logger: silentLogger, batchSize: 3 });

    const [a, b] = await Promise.all([relay.flush(), other.flush()]);

    expect(a.published + b.published).toBe(20);
    expect(driver.sent.map((s) => s.envelope.id).sort()).toEqual([...ids].sort());
    expect(await unpublishedCount()).toBe(0);
  });

  it('publishes on its interval once started', async () => {
    const event = await emit('user.updated', { sub: 'carol' });
    const ticking = new OutboxRelay(ds, driver, { subscriptions, logger: silentLogger, intervalMs: 10 });
    ticking.start();
    try {
      await eventually(() => expect(driver.sent.map((s) => s.envelope.id)).toEqual([event.id]));
    } finally {
      await ticking.stop();
    }
  });

  describe('when nudged after commits', () => {
    // Long enough that a slow CI machine still commits and nudges well inside one gap.
    const GAP_MS = 1500;
    let throttled: OutboxRelay;
    let runs: jest.SpyInstance;
    beforeEach(() => {
      throttled = new OutboxRelay(ds, driver, { subscriptions, logger: silentLogger, minRunGapMs: GAP_MS });
      runs = jest.spyOn(throttled, 'flush');
    });
    afterEach(() => throttled.stop());

    it('runs at once after a quiet spell, then answers a stream of nudges with one run per gap that carries every event', async () => {
      const first = await emit('user.updated', { sub: 'dave' });
      const nudgedAt = performance.now();
      throttled.nudge();
      expect(runs).toHaveBeenCalledTimes(1);
      await eventually(() => expect(driver.sent.map((s) => s.envelope.id)).toEqual([first.id]));

      const later: string[] = [];
      for (let i = 0; i < 3; i++) {
        later.push((await emit('user.updated', { sub: `erin-${i}` })).id);
        throttled.nudge();
      }
      expect(runs).toHaveBeenCalledTimes(1);
      await eventually(() => expect(driver.sent.map((s) => s.envelope.id)).toEqual([first.id, ...later]));
      expect(runs).toHaveBeenCalledTimes(2);
      expect(performance.now() - nudgedAt).toBeGreaterThanOrEqual(GAP_MS - 1);
    });

    it('drops a waiting run when stopped; the events stay in the outbox for the next start', async () => {
      await emit('user.updated', { sub: 'frank' });
      throttled.nudge();
      await eventually(() => expect(driver.sent).toHaveLength(1));
      await emit('user.updated', { sub: 'grace' });
      throttled.nudge();

      await throttled.stop();
      await new Promise((resolve) => setTimeout(resolve, GAP_MS + 200));

      expect(runs).toHaveBeenCalledTimes(1);
      expect(await unpublishedCount()).toBe(1);
    });

    it('still publishes at once on flush(), whatever the gap', async () => {
      throttled.nudge();
      await eventually(() => expect(runs).toHaveBeenCalledTimes(1));
      const event = await emit('user.updated', { sub: 'heidi' });

      expect(await throttled.flush()).toEqual({ published: 1, failed: 0 });
      expect(driver.sent.map((s) => s.envelope.id)).toEqual([event.id]);
    });
  });

  const unpublishedCount = async () => (await rows()).filter((r) => r.publishedAt === null).length;
});
