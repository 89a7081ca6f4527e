import { createTestDatabase, testEngines, type TestDatabase } from '@tessera/test-kit';
import type { DataSource, EntityManager } from 'typeorm';
import { envelope, eventsDatabase, grantRevoked, silentLogger } from '../test/support';
import { TypeOrmDeadLetterSink } from './dead-letter';
import { DeadLetterEntity } from './entities/dead-letter.entity';
import { EventInboxEntity } from './entities/event-inbox.entity';
import { OutboxEntity } from './entities/outbox.entity';
import { ProcessedEventEntity } from './entities/processed-event.entity';
import { createEventDispatcher, type EventHandlers } from './event-dispatcher';
import { TypeOrmEventInbox } from './event-inbox';
import type { EventEnvelope } from './events';
import { InProcessBus, InProcessQueueDriver } from './in-process.queue-driver';
import { Outbox } from './outbox';
import { outsideTransaction } from './on-event.decorator';
import { inTransaction } from './transaction';

const QUEUE = 'tessera.token-service';

describe.each(testEngines())('event consumers on %s', (engine) => {
  let db: TestDatabase;
  let ds: DataSource;
  let driver: InProcessQueueDriver;
  const outbox = new Outbox();

  beforeAll(async () => {
    db = await createTestDatabase(eventsDatabase(), engine);
    ds = db.dataSource;
  });
  afterAll(() => db.destroy());
  beforeEach(async () => {
    for (const entity of [OutboxEntity, ProcessedEventEntity, DeadLetterEntity, EventInboxEntity])
      await ds.getRepository(entity).clear();
    driver = new InProcessQueueDriver({
      deadLetters: new TypeOrmDeadLetterSink(ds),
      inbox: new TypeOrmEventInbox(ds),
      retry: { attempts: 3, backoffMs: 1 },
      logger: silentLogger,
      bus: new InProcessBus(),
    });
  });
  afterEach(() => driver.close());

  const consume = (handlers: EventHandlers) =>
    driver.consume(
      QUEUE,
      createEventDispatcher({ consumer: QUEUE, dataSource: ds, handlers, logger: silentLogger }),
    );
  const deliver = async (...envelopes: unknown[]) => {
    for (const e of envelopes) await driver.send(QUEUE, e as EventEnvelope);
    await driver.whenIdle();
  };
  const deadLetters = () => ds.getRepository(DeadLetterEntity).find();

  it('runs the handler once for an event delivered twice', async () => {
    const handled: string[] = [];
    await consume({ 'grant.revoked': [async (payload) => void handled.push(payload.grantId)] });
    const event = envelope('grant.revoked', grantRevoked('g-1'));

    await deliver(event, event);

    expect(handled).toEqual(['g-1']);
    expect(await ds.getRepository(ProcessedEventEntity).find()).toEqual([
      { consumer: QUEUE, eventId: event.id, processedAt: expect.any(String) },
    ]);
  });

  it('runs the handler once when two replicas receive the same event at the same time', async () => {
    const handled: string[] = [];
    const replica = () =>
      createEventDispatcher({
        consumer: QUEUE,
        dataSource: ds,
        handlers: { 'grant.revoked': [async (payload) => void handled.push(payload.grantId)] },
        logger: silentLogger,
      });
    const event = envelope('grant.revoked', grantRevoked('g-3'));

    await Promise.all([replica()(event), replica()(event)]);

    expect(handled).toEqual(['g-3']);
  });

  it('commits the handler writes with the processed mark, and retries both after a failure', async () => {
    let attempts = 0;
    await consume({
      'grant.revoked': [
        async (payload, _envelope, manager: EntityManager) => {
          attempts++;
          // A consumer that emits a follow-up event: its outbox row must not survive a failed attempt.
          await outbox.add(manager, 'logout.backchannel.requested', {
            clientId: payload.clientId,
            sub: payload.sub,
          });
          if (attempts === 1) throw new Error('downstream unavailable');
        },
      ],
    });

    await deliver(envelope('grant.revoked', grantRevoked()));

    expect(attempts).toBe(2);
    expect(await ds.getRepository(OutboxEntity).count()).toBe(1);
    expect(await ds.getRepository(ProcessedEventEntity).count()).toBe(1);
    expect(await deadLetters()).toEqual([]);
  });

  it('dead-letters an invalid payload at once, without calling the handler', async () => {
    const handler = jest.fn();
    await consume({ 'grant.revoked': [handler] });
    const event = { ...envelope('grant.revoked', grantRevoked()), payload: { grantId: 'g-2' } };

    await deliver(event);

    expect(handler).not.toHaveBeenCalled();
    expect(await deadLetters()).toEqual([
      expect.objectContaining({
        eventId: event.id,
        queue: QUEUE,
        name: 'grant.revoked',
        version: 1,
        occurredAt: event.occurredAt,
        payload: JSON.stringify({ grantId: 'g-2' }),
        error: expect.stringMatching(/invalid 'grant.revoked' payload[\s\S]*sub/),
        attempts: 1,
      }),
    ]);
    expect(await ds.getRepository(ProcessedEventEntity).count()).toBe(0);
  });

  it('dead-letters an event of a version it does not know, and what is not an envelope at all', async () => {
    await consume({ 'grant.revoked': [jest.fn()] });
    const future = { ...envelope('grant.revoked', grantRevoked()), version: 2 };

    await deliver(future, { hello: 'world' });

    const letters = await deadLetters();
    expect(
      letters.map((l) => [l.eventId, l.error.match(/version 2|malformed envelope/)?.[0]]).sort(),
    ).toEqual(
      [
        [future.id, 'version 2'],
        [null, 'malformed envelope'],
      ].sort(),
    );
    expect(letters.find((l) => l.eventId === null)?.payload).toBe(JSON.stringify({ hello: 'world' }));
  });

  it('writes a dead letter once the attempts are exhausted, leaving the event unprocessed for a replay', async () => {
    const handler = jest.fn(async () => {
      throw new Error('still failing');
    });
    await consume({ 'user.deleted': [handler] });
    const event = envelope('user.deleted', { sub: 'alice' });

    await deliver(event);

    expect(handler).toHaveBeenCalledTimes(3);
    expect(await deadLetters()).toEqual([
      expect.objectContaining({
        eventId: event.id,
        name: 'user.deleted',
        error: 'Error: still failing',
        attempts: 3,
      }),
    ]);
    expect(await ds.getRepository(ProcessedEventEntity).count()).toBe(0);
  });

  describe('a handler outside the transaction', () => {
    it('runs in no transaction, keeps what it wrote when it fails, and is acknowledged once it succeeded', async () => {
      const seen: Array<{ inTransaction: boolean }> = [];
      await consume({
        'logout.backchannel.requested': [
          outsideTransaction(async (payload, _envelope, manager: EntityManager) => {
            seen.push({ inTransaction: manager.queryRunner?.isTransactionActive === true });
            // What it records in a transaction of its own survives its own failure.
            await inTransaction(ds, (tx) => outbox.add(tx, 'user.updated', { sub: payload.sub }));
            if (seen.length < 3) throw new Error('listener down');
          }),
        ],
      });
      const event = envelope('logout.backchannel.requested', { clientId: 'app', sub: 'alice', sid: 's-1' });

      await deliver(event, event);

      expect(seen).toEqual([{ inTransaction: false }, { inTransaction: false }, { inTransaction: false }]);
      expect(await ds.getRepository(OutboxEntity).countBy({ name: 'user.updated' })).toBe(3);
      expect(await ds.getRepository(ProcessedEventEntity).findBy({ eventId: event.id })).toHaveLength(1);
      expect(await deadLetters()).toEqual([]);
    });

    it('does not hold the turn of other transactions on the same DataSource while it waits', async () => {
      let release!: () => void;
      const waiting = new Promise<void>((resolve) => (release = resolve));
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      await consume({
        'logout.backchannel.requested': [
          outsideTransaction(async () => {
            started();
            await waiting;
          }),
        ],
      });
      const event = envelope('logout.backchannel.requested', { clientId: 'app', sub: 'bob' });
      await driver.send(QUEUE, event);
      await running;

      // Another request's transaction commits while the handler is still waiting.
      await inTransaction(ds, (tx) => outbox.add(tx, 'user.updated', { sub: 'bob' }));
      expect(await ds.getRepository(OutboxEntity).countBy({ name: 'user.updated' })).toBe(1);

      release();
      await driver.whenIdle();
      expect(await ds.getRepository(ProcessedEventEntity).countBy({ eventId: event.id })).toBe(1);
    });

    it('runs before the transactional handlers, and neither runs again for a processed event', async () => {
      const calls: string[] = [];
      await consume({
        'logout.backchannel.requested': [
          async () => void calls.push('transactional'),
          outsideTransaction(async () => void calls.push('outside')),
        ],
      });
      const event = envelope('logout.backchannel.requested', { clientId: 'app', sub: 'carol' });

      await deliver(event);
      await deliver(event);

      expect(calls).toEqual(['outside', 'transactional']);
    });
  });

  it('acknowledges an event it has no handler for', async () => {
    await consume({});

    await deliver(envelope('user.updated', { sub: 'bob' }));

    expect(await deadLetters()).toEqual([]);
  });
});
