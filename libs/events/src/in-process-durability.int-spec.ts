import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createTestDatabase, testEngines, type TestDatabase } from '@tessera/test-kit';
import { IsNull, type DataSource } from 'typeorm';
import { eventsDatabase, grantRevoked, silentLogger } from '../test/support';
import { TypeOrmDeadLetterSink } from './dead-letter';
import { DeadLetterEntity } from './entities/dead-letter.entity';
import { EventInboxEntity } from './entities/event-inbox.entity';
import { OutboxEntity } from './entities/outbox.entity';
import { ProcessedEventEntity } from './entities/processed-event.entity';
import { createEventDispatcher, type EventHandlers } from './event-dispatcher';
import { TypeOrmEventInbox } from './event-inbox';
import type { EventName, EventOf } from './events';
import { EventsModule } from './events.module';
import { InProcessBus, InProcessQueueDriver, PROCESS_BUS } from './in-process.queue-driver';
import { OnEvent, outsideTransaction } from './on-event.decorator';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox-relay';
import type { Subscriptions } from './subscriptions';
import { inTransaction } from './transaction';

const TOKEN_DB = Symbol('token-service.data-source');

@Injectable()
class RevocationsSeen {
  readonly grants: string[] = [];

  @OnEvent('grant.revoked')
  onGrantRevoked(payload: EventOf<'grant.revoked'>) {
    this.grants.push(payload.grantId);
  }
}

/** Two services, each consuming what the other emits: a's `user.updated` goes to b, b's `grant.revoked` to a. */
const subscriptions: Subscriptions = { 'user.updated': ['q.b'], 'grant.revoked': ['q.a'] };

/**
 * Embedded mode's queue on real databases: each service keeps what its queue holds in its own
 * database until handled, so a process that dies after the relay handed an event over (and
 * marked it published) still handles it at its next start.
 */
describe.each(testEngines())('in-process queue with its inbox on %s', (engine) => {
  let a: TestDatabase;
  let b: TestDatabase;
  const outbox = new Outbox(subscriptions);
  const open: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    a = await createTestDatabase(eventsDatabase('svc-a'), engine);
    b = await createTestDatabase(eventsDatabase('svc-b'), engine);
  });
  afterAll(async () => {
    await a.destroy();
    await b.destroy();
  });
  beforeEach(async () => {
    for (const ds of [a.dataSource, b.dataSource])
      for (const entity of [OutboxEntity, ProcessedEventEntity, EventInboxEntity]) await ds.getRepository(entity).clear();
  });
  afterEach(async () => {
    for (const closable of open.splice(0)) await closable.close();
  });

  /** One service's queue driver (on `bus`, one per process) and relay. */
  const service = (ds: DataSource, bus: InProcessBus) => {
    const driver = new InProcessQueueDriver({
      deadLetters: new TypeOrmDeadLetterSink(ds),
      inbox: new TypeOrmEventInbox(ds),
      bus,
      logger: silentLogger,
      retry: { attempts: 3, backoffMs: 1 },
    });
    const relay = new OutboxRelay(ds, driver, { subscriptions, logger: silentLogger, batchSize: 10 });
    open.push({ close: () => relay.stop() }, driver);
    return { driver, relay };
  };
  const consume = (driver: InProcessQueueDriver, queue: string, ds: DataSource, handlers: EventHandlers) =>
    driver.consume(queue, createEventDispatcher({ consumer: queue, dataSource: ds, handlers, logger: silentLogger }));
  const emit = <N extends EventName>(ds: DataSource, name: N, payload: EventOf<N>) =>
    inTransaction(ds, (m) => outbox.add(m, name, payload));
  const count = (ds: DataSource, entity: typeof OutboxEntity | typeof EventInboxEntity | typeof ProcessedEventEntity) =>
    ds.getRepository(entity).count();
  const unpublished = (ds: DataSource) => ds.getRepository(OutboxEntity).countBy({ publishedAt: IsNull() });

  it("relays two services' events to each other at once, keeping each in the consumer's inbox until handled", async () => {
    const bus = new InProcessBus();
    const svcA = service(a.dataSource, bus);
    const svcB = service(b.dataSource, bus);
    const handledByA: string[] = [];
    const handledByB: string[] = [];
    await consume(svcA.driver, 'q.a', a.dataSource, { 'grant.revoked': [(p) => void handledByA.push(p.grantId)] });
    await consume(svcB.driver, 'q.b', b.dataSource, { 'user.updated': [(p) => void handledByB.push(p.sub)] });
    for (let i = 0; i < 25; i++) {
      await emit(a.dataSource, 'user.updated', { sub: `u-${i}` });
      await emit(b.dataSource, 'grant.revoked', grantRevoked(`g-${i}`));
    }

    // Each relay waits for the other database's inbox commit: neither may hold its own database meanwhile.
    const [fromA, fromB] = await Promise.all([svcA.relay.flush(), svcB.relay.flush()]);
    await bus.whenIdle();

    expect([fromA.published, fromB.published]).toEqual([25, 25]);
    expect(handledByB.sort()).toEqual(Array.from({ length: 25 }, (_, i) => `u-${i}`).sort());
    expect(handledByA.sort()).toEqual(Array.from({ length: 25 }, (_, i) => `g-${i}`).sort());
    expect([await unpublished(a.dataSource), await unpublished(b.dataSource)]).toEqual([0, 0]);
    expect([await count(a.dataSource, EventInboxEntity), await count(b.dataSource, EventInboxEntity)]).toEqual([0, 0]);
  });

  it('handles at the next start an event whose consumer died after the relay marked it published', async () => {
    const firstProcess = new InProcessBus();
    const producer = service(a.dataSource, firstProcess);
    const dying = service(b.dataSource, firstProcess);
    let started = 0;
    await consume(dying.driver, 'q.b', b.dataSource, {
      'user.updated': [
        // The process is killed while the handler runs: it never finishes. (Outside a
        // transaction, so that it holds nothing of the database the next start uses.)
        outsideTransaction(() => {
          started++;
          return new Promise<void>(() => undefined);
        }),
      ],
    });
    const sent = await emit(a.dataSource, 'user.updated', { sub: 'kate' });

    expect(await producer.relay.flush()).toEqual({ published: 1, failed: 0 });
    expect(await unpublished(a.dataSource)).toBe(0);
    const kept = await b.dataSource.getRepository(EventInboxEntity).find();
    expect(kept.map((row) => [row.queue, row.eventId, JSON.parse(row.envelope)])).toEqual([['q.b', sent.id, sent]]);
    // Nothing of the first process runs on: a new bus and driver are the next start.
    open.length = 0;

    const nextProcess = new InProcessBus();
    const restarted = service(b.dataSource, nextProcess);
    const handled: string[] = [];
    await consume(restarted.driver, 'q.b', b.dataSource, { 'user.updated': [(p) => void handled.push(p.sub)] });
    await nextProcess.whenIdle();

    expect(started).toBe(1);
    expect(handled).toEqual(['kate']);
    expect(await count(b.dataSource, EventInboxEntity)).toBe(0);
    expect(await b.dataSource.getRepository(ProcessedEventEntity).findOneBy({ consumer: 'q.b', eventId: sent.id })).not.toBeNull();
  });

  it('does not hand an event over twice when the relay sends it again while it is held', async () => {
    const bus = new InProcessBus();
    const consumer = service(b.dataSource, bus);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const handled: string[] = [];
    await consume(consumer.driver, 'q.b', b.dataSource, {
      'user.updated': [
        // Outside a transaction: the second send's inbox insert must not wait for this handler.
        outsideTransaction(async (p) => {
          handled.push(p.sub);
          await released;
        }),
      ],
    });
    const sent = await emit(a.dataSource, 'user.updated', { sub: 'liam' });
    const producer = new InProcessQueueDriver({ deadLetters: new TypeOrmDeadLetterSink(a.dataSource), inbox: new TypeOrmEventInbox(a.dataSource), bus, logger: silentLogger });
    open.push(producer);

    // A relay that crashed before marking the row published sends it again after its restart.
    await producer.send('q.b', sent);
    await producer.send('q.b', sent);
    release();
    await bus.whenIdle();

    expect(handled).toEqual(['liam']);
    expect(await count(b.dataSource, EventInboxEntity)).toBe(0);
  });

  it("takes a handled event out of the inbox in the transaction that marks it processed, and keeps a failed one", async () => {
    const bus = new InProcessBus();
    const inbox = new TypeOrmEventInbox(b.dataSource);
    const separateRemovals = jest.spyOn(inbox, 'remove');
    const driver = new InProcessQueueDriver({ deadLetters: new TypeOrmDeadLetterSink(b.dataSource), inbox, bus, logger: silentLogger, retry: { attempts: 2, backoffMs: 60_000 } });
    open.push(driver);
    await consume(driver, 'q.b', b.dataSource, {
      'user.updated': [
        (p) => {
          if (p.sub === 'fails') throw new Error('handler down');
        },
      ],
    });
    const fine = await emit(a.dataSource, 'user.updated', { sub: 'fine' });
    const failing = await emit(a.dataSource, 'user.updated', { sub: 'fails' });
    const attempted = jest.spyOn(inbox, 'attempted');

    await driver.sendAll([{ queue: 'q.b', envelope: fine }, { queue: 'q.b', envelope: failing }]);
    await eventuallyCalled(attempted);

    expect(separateRemovals).not.toHaveBeenCalled();
    const kept = await b.dataSource.getRepository(EventInboxEntity).find();
    expect(kept.map((row) => [row.eventId, row.attempts])).toEqual([[failing.id, 1]]);
    const markers = await b.dataSource.getRepository(ProcessedEventEntity).find();
    expect(markers.map((m) => m.eventId)).toEqual([fine.id]);
  });

  it('dead-letters an event in the transaction that takes it out of the inbox: a failure in between leaves neither, and the next start writes one letter', async () => {
    const unhandleable = await emit(a.dataSource, 'user.updated', { sub: 'never' });
    const letters = () => b.dataSource.getRepository(DeadLetterEntity).countBy({ eventId: unhandleable.id });
    const start = async (inbox: TypeOrmEventInbox) => {
      const driver = new InProcessQueueDriver({ deadLetters: new TypeOrmDeadLetterSink(b.dataSource), inbox, bus: new InProcessBus(), logger: silentLogger, retry: { attempts: 1, backoffMs: 1 } });
      open.push(driver);
      await consume(driver, 'q.b', b.dataSource, {
        'user.updated': [
          () => {
            throw new Error('handler down');
          },
        ],
      });
      return driver;
    };
    // The process "dies" between writing the letter and removing the row: whichever way the
    // driver removes it, that removal fails once.
    const dying = new TypeOrmEventInbox(b.dataSource);
    jest.spyOn(dying, 'removeWithin').mockRejectedValueOnce(new Error('disk I/O error'));
    jest.spyOn(dying, 'remove').mockRejectedValueOnce(new Error('disk I/O error'));
    const first = await start(dying);

    await first.send('q.b', unhandleable);
    await first.whenIdle();

    expect(await letters()).toBe(0);
    expect(await count(b.dataSource, EventInboxEntity)).toBe(1);

    await first.close();
    const next = await start(new TypeOrmEventInbox(b.dataSource));
    await next.whenIdle();

    expect(await letters()).toBe(1);
    expect(await count(b.dataSource, EventInboxEntity)).toBe(0);
  });

  it('declares the queues of a Nest service when the application is built: what arrives before it starts waits in its inbox', async () => {
    @Module({})
    class TokenServiceModule {}
    const app = await Test.createTestingModule({
      imports: [
        {
          module: TokenServiceModule,
          imports: [EventsModule.forService({ service: 'token-service', dataSourceProvider: TOKEN_DB, relayIntervalMs: 60_000 })],
          providers: [{ provide: TOKEN_DB, useValue: b.dataSource }, RevocationsSeen],
        },
      ],
    }).compile();
    const producer = new InProcessQueueDriver({ deadLetters: new TypeOrmDeadLetterSink(a.dataSource), inbox: new TypeOrmEventInbox(a.dataSource), logger: silentLogger });
    open.push(producer);
    try {
      const early = await emit(a.dataSource, 'grant.revoked', grantRevoked('g-early'));
      // Another service's relay, first to start: the token service's queue has no consumer yet.
      await producer.send('tessera.token-service', early);
      expect((await b.dataSource.getRepository(EventInboxEntity).find()).map((row) => [row.queue, row.eventId])).toEqual([['tessera.token-service', early.id]]);

      await app.init();
      await PROCESS_BUS.whenIdle();

      expect(app.get(RevocationsSeen).grants).toEqual(['g-early']);
      expect(await count(b.dataSource, EventInboxEntity)).toBe(0);
    } finally {
      await app.close();
    }
  });
});

/** Resolves once the spy was called (a retry being scheduled happens in the background). */
async function eventuallyCalled(spy: jest.SpyInstance): Promise<void> {
  for (let i = 0; i < 2000 && spy.mock.calls.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(spy).toHaveBeenCalled();
  // Let the recorded attempt reach the database.
  await spy.mock.results[0].value;
}
