import { createTestDatabase, eventually, testEngines, type TestDatabase } from '@tessera/test-kit';
import type { DataSource } from 'typeorm';
import { deferred, eventsDatabase, grantRevoked, MemoryDeadLetterSink, silentLogger } from '../test/support';
import { DeadLetterSink, type DeadLetter } from './dead-letter';
import { OutboxEntity } from './entities/outbox.entity';
import type { EventEnvelope } from './events';
import { InProcessBus, InProcessQueueDriver } from './in-process.queue-driver';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox-relay';
import type { Subscriptions } from './subscriptions';
import { inTransaction } from './transaction';

const subscriptions: Subscriptions = { 'grant.revoked': ['q.tokens'] };

/** A dead-letter store that cannot write (its database is gone) until `working` is set. */
class FailingDeadLetterSink extends DeadLetterSink {
  working = false;
  readonly letters: DeadLetter[] = [];
  async record(letter: DeadLetter): Promise<void> {
    if (!this.working) throw new Error('dead-letter store unavailable');
    this.letters.push(letter);
  }
}

/**
 * The in-process queue keeps nothing across a crash, so the outbox does: an event is marked
 * published only once its consumer is done with it, and one still queued when the process dies
 * is sent again by the next.
 */
describe.each(testEngines())('OutboxRelay with the in-process queue on %s', (engine) => {
  let db: TestDatabase;
  let ds: DataSource;
  const outbox = new Outbox();
  const running: Array<{ relay: OutboxRelay; driver: InProcessQueueDriver }> = [];

  beforeAll(async () => {
    db = await createTestDatabase(eventsDatabase(), engine);
    ds = db.dataSource;
  });
  afterAll(() => db.destroy());
  beforeEach(() => ds.getRepository(OutboxEntity).clear());
  afterEach(async () => {
    for (const { relay, driver } of running.splice(0)) {
      await relay.stop();
      await driver.close();
    }
  });

  /** One process's relay and queue (a bus of its own: a new process has an empty memory). */
  function startProcess(options: { deadLetters?: DeadLetterSink; maxInFlight?: number } = {}) {
    const driver = new InProcessQueueDriver({
      deadLetters: options.deadLetters ?? new MemoryDeadLetterSink(),
      bus: new InProcessBus(),
      logger: silentLogger,
      retry: { attempts: 1, backoffMs: 1 },
    });
    const relay = new OutboxRelay(ds, driver, { subscriptions, logger: silentLogger, batchSize: 10, maxInFlight: options.maxInFlight });
    running.push({ relay, driver });
    return { driver, relay };
  }
  const emit = (grantId: string) => inTransaction(ds, (m) => outbox.add(m, 'grant.revoked', grantRevoked(grantId)));
  const publishedOf = async (id: string) => (await ds.getRepository(OutboxEntity).findOneByOrFail({ id })).publishedAt;

  it('marks an event published only once its consumer has handled it', async () => {
    const { driver, relay } = startProcess();
    const release = deferred();
    const handled: string[] = [];
    await driver.consume('q.tokens', async (e) => {
      await release.promise;
      handled.push(e.id);
    });
    const event = await emit('g-1');

    await relay.flush();
    expect(await publishedOf(event.id)).toBeNull();
    // In flight: a second run does not send it again.
    await relay.flush();
    expect(await publishedOf(event.id)).toBeNull();

    release.resolve();
    await driver.whenIdle();
    await relay.flush();
    expect(handled).toEqual([event.id]);
    expect(await publishedOf(event.id)).not.toBeNull();
  });

  it('loses nothing when the process dies before its consumer finished: the next one sends the event again', async () => {
    const first = startProcess();
    // Dies, so nothing of it is ever closed (closing would wait for the delivery that never ends).
    running.splice(running.indexOf(first), 1);
    await first.driver.consume('q.tokens', () => new Promise<void>(() => undefined)); // never finishes: the process dies first
    const event = await emit('g-crash');
    await first.relay.flush();
    expect(await publishedOf(event.id)).toBeNull();

    // The next process: an empty memory, the same database.
    const next = startProcess();
    const handled: EventEnvelope[] = [];
    await next.driver.consume('q.tokens', async (e) => void handled.push(e));
    await next.relay.flush();
    await next.driver.whenIdle();
    await next.relay.flush();

    expect(handled.map((e) => e.id)).toEqual([event.id]);
    expect(await publishedOf(event.id)).not.toBeNull();
  });

  it('keeps a slow consumer\'s backlog in the outbox, not in memory', async () => {
    const { driver, relay } = startProcess({ maxInFlight: 2 });
    const release = deferred();
    const handled: string[] = [];
    await driver.consume('q.tokens', async (e) => {
      await release.promise;
      handled.push((e.payload as { grantId: string }).grantId);
    });
    for (let i = 0; i < 5; i++) await emit(`g-${i}`);

    await relay.flush();
    expect((await driver.jobCounts())['q.tokens']).toMatchObject({ waiting: 1, active: 1 });

    release.resolve();
    await eventually(async () => {
      await relay.flush();
      await driver.whenIdle();
      expect((await ds.getRepository(OutboxEntity).find()).every((r) => r.publishedAt !== null)).toBe(true);
    });
    expect(handled).toEqual(['g-0', 'g-1', 'g-2', 'g-3', 'g-4']);
  });

  it('sends again an event its queue could not keep (the dead letter could not be written)', async () => {
    const deadLetters = new FailingDeadLetterSink();
    const { driver, relay } = startProcess({ deadLetters });
    let attempts = 0;
    await driver.consume('q.tokens', async () => {
      attempts++;
      throw new Error('handler fails');
    });
    const event = await emit('g-poison');

    await relay.flush();
    await driver.whenIdle();
    await relay.flush();
    expect(await publishedOf(event.id)).toBeNull();

    deadLetters.working = true;
    await eventually(async () => {
      await relay.flush();
      await driver.whenIdle();
      expect(await publishedOf(event.id)).not.toBeNull();
    });
    expect(deadLetters.letters.map((l) => (l.envelope as EventEnvelope).id)).toEqual([event.id]);
    expect(attempts).toBeGreaterThanOrEqual(2);
  });

  it('does not hold up events for a queue with no consumer in this process', async () => {
    const { relay } = startProcess();
    const event = await emit('g-nobody');

    await relay.flush();
    await relay.flush();

    expect(await publishedOf(event.id)).not.toBeNull();
  });

  it('marks at shutdown what its queue finished while closing', async () => {
    const { driver, relay } = startProcess();
    const handled: string[] = [];
    await driver.consume('q.tokens', async (e) => void handled.push(e.id));
    const event = await emit('g-late');

    await relay.stop();
    await relay.flush();
    await driver.close();
    expect(await relay.markFinished()).toBe(1);

    expect(handled).toEqual([event.id]);
    expect(await publishedOf(event.id)).not.toBeNull();
  });
});
