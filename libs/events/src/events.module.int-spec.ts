import { Global, Inject, Injectable, Module, type DynamicModule } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { LOGGER, type DatabaseEngine } from '@tessera/runtime';
import {
  createTestDatabase,
  eventually,
  testEngines,
  testRedisUrl,
  type TestDatabase,
} from '@tessera/test-kit';
import type { DataSource, EntityManager } from 'typeorm';
import { eventsDatabase, grantRevoked, redisNamespace, silentLogger } from '../test/support';
import { Broadcaster } from './broadcaster';
import { DeadLetters } from './dead-letters.service';
import { DeadLetterEntity } from './entities/dead-letter.entity';
import { OutboxEntity } from './entities/outbox.entity';
import { ProcessedEventEntity } from './entities/processed-event.entity';
import type { EventEnvelope, EventOf } from './events';
import { EventsModule } from './events.module';
import type { EventsModuleOptions } from './events.options';
import { OnEvent } from './on-event.decorator';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { QueueDriver } from './queue-driver';
import { inTransaction } from './transaction';

const TOKEN_DB = Symbol('token-service.data-source');
const AUTH_DB = Symbol('auth-service.data-source');

@Global()
@Module({ providers: [{ provide: LOGGER, useValue: silentLogger }], exports: [LOGGER] })
class SilentLoggerModule {}

/** A stand-in for token-service: revokes grants (producer) and consumes grant.revoked. */
@Injectable()
class GrantRevokedConsumer {
  readonly handled: Array<{ grantId: string; eventId: string; inTransaction: boolean }> = [];
  readonly poisoned = new Set<string>();

  @OnEvent('grant.revoked')
  async onGrantRevoked(
    payload: EventOf<'grant.revoked'>,
    envelope: EventEnvelope<'grant.revoked'>,
    manager: EntityManager,
  ) {
    if (this.poisoned.has(payload.grantId)) throw new Error(`cannot revoke ${payload.grantId}`);
    this.handled.push({
      grantId: payload.grantId,
      eventId: envelope.id,
      inTransaction: !!manager.queryRunner?.isTransactionActive,
    });
  }
}

@Injectable()
class Grants {
  constructor(
    private readonly outbox: Outbox,
    @Inject(TOKEN_DB) private readonly dataSource: DataSource,
  ) {}

  revoke(grantId: string) {
    return inTransaction(this.dataSource, (m) => this.outbox.add(m, 'grant.revoked', grantRevoked(grantId)));
  }

  requestMail(to: string) {
    return inTransaction(this.dataSource, (m) =>
      this.outbox.add(m, 'mail.requested', { to, template: 'welcome', params: {} }),
    );
  }
}

@Injectable()
class Mailer {
  readonly sent: string[] = [];

  @OnEvent('mail.requested')
  async onMailRequested(payload: EventOf<'mail.requested'>) {
    this.sent.push(payload.to);
  }
}

/**
 * What a service module sees of its own EventsModule. In one process every service has an
 * OutboxRelay and a QueueDriver, so `app.get(OutboxRelay)` would pick any of them: reach them
 * through the service's own injector instead.
 */
@Injectable()
class EventsProbe {
  constructor(
    readonly relay: OutboxRelay,
    readonly driver: QueueDriver,
    readonly broadcaster: Broadcaster,
  ) {}
}

type Events = Omit<EventsModuleOptions, 'service' | 'dataSourceProvider'>;

@Module({})
class TokenServiceModule {
  static with(dataSource: DataSource, events: Events): DynamicModule {
    return {
      module: TokenServiceModule,
      imports: [
        EventsModule.forService({ service: 'token-service', dataSourceProvider: TOKEN_DB, ...events }),
      ],
      providers: [{ provide: TOKEN_DB, useValue: dataSource }, GrantRevokedConsumer, Grants, EventsProbe],
      exports: [TOKEN_DB],
    };
  }
}

@Module({})
class AuthServiceModule {
  static with(
    dataSource: DataSource,
    events: Events,
    extra: Array<new (...args: never[]) => unknown> = [],
  ): DynamicModule {
    return {
      module: AuthServiceModule,
      imports: [EventsModule.forService({ service: 'auth-service', dataSourceProvider: AUTH_DB, ...events })],
      providers: [{ provide: AUTH_DB, useValue: dataSource }, Mailer, EventsProbe, ...extra],
      exports: [AUTH_DB],
    };
  }
}

interface Setup {
  engine: DatabaseEngine;
  redis: boolean;
}

const setups: Setup[] = testEngines().map((engine) => ({ engine, redis: false }));
const redisUrl = testRedisUrl();
if (redisUrl)
  setups.push({ engine: testEngines().includes('postgres') ? 'postgres' : 'sqlite', redis: true });

describe.each(setups)('EventsModule on $engine (Redis: $redis)', ({ engine, redis }) => {
  let tokenDb: TestDatabase;
  let authDb: TestDatabase;
  let app: TestingModule | undefined;
  let events: Events;
  let cleanRedis = async () => undefined as void;

  beforeAll(async () => {
    tokenDb = await createTestDatabase(eventsDatabase('token-service'), engine);
    authDb = await createTestDatabase(eventsDatabase('auth-service'), engine);
  });
  afterAll(async () => {
    await tokenDb.destroy();
    await authDb.destroy();
  });
  beforeEach(async () => {
    for (const db of [tokenDb, authDb]) {
      for (const entity of [OutboxEntity, ProcessedEventEntity, DeadLetterEntity])
        await db.dataSource.getRepository(entity).clear();
    }
    // A long interval: what the tests see published was sent by a nudge or a flush.
    events = { relayIntervalMs: 60_000, retry: { attempts: 2, backoffMs: 5 } };
    if (redis && redisUrl) {
      const namespace = redisNamespace(redisUrl);
      events = { ...events, redisUrl, redisPrefix: namespace.prefix };
      cleanRedis = namespace.clean;
    }
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await cleanRedis();
  });

  let tokenModule: DynamicModule;
  const start = async (...others: DynamicModule[]) => {
    tokenModule = TokenServiceModule.with(tokenDb.dataSource, events);
    app = await Test.createTestingModule({ imports: [SilentLoggerModule, tokenModule, ...others] }).compile();
    await app.init();
    return app;
  };
  const tokenService = (a: TestingModule) => a.select(tokenModule);
  const eventsOf = (a: TestingModule, module: DynamicModule) =>
    a.select(module).get(EventsProbe, { strict: true });
  /** Publishes what is committed and waits until every queue of this service is quiet. */
  const settle = async (a: TestingModule) => {
    await eventsOf(a, tokenModule).relay.flush();
    await eventsOf(a, tokenModule).driver.whenIdle();
  };

  it('delivers an event committed by a producer to its @OnEvent consumer, right after the commit', async () => {
    const a = await start();

    const event = await tokenService(a).get(Grants).revoke('g-1');

    // No flush: the commit nudges the relay.
    const consumer = tokenService(a).get(GrantRevokedConsumer);
    await eventually(() =>
      expect(consumer.handled).toEqual([{ grantId: 'g-1', eventId: event.id, inTransaction: true }]),
    );
    await settle(a);
    const rows = await tokenDb.dataSource.getRepository(OutboxEntity).find();
    expect(rows.map((r) => r.publishedAt !== null)).toEqual([true]);
    expect(
      await tokenDb.dataSource
        .getRepository(ProcessedEventEntity)
        .findBy({ consumer: 'tessera.token-service' }),
    ).toHaveLength(1);
  });

  it('retries a failing consumer and then writes a dead letter in the service database', async () => {
    const a = await start();
    tokenService(a).get(GrantRevokedConsumer).poisoned.add('g-poison');

    const event = await tokenService(a).get(Grants).revoke('g-poison');
    await settle(a);

    expect(await tokenDb.dataSource.getRepository(DeadLetterEntity).find()).toEqual([
      expect.objectContaining({
        eventId: event.id,
        queue: 'tessera.token-service',
        attempts: 2,
        error: 'Error: cannot revoke g-poison',
      }),
    ]);
  });

  it('lists dead letters without their payload, and replays one once its cause is fixed', async () => {
    const a = await start();
    const consumer = tokenService(a).get(GrantRevokedConsumer);
    consumer.poisoned.add('g-replay');
    const event = await tokenService(a).get(Grants).revoke('g-replay');
    await settle(a);
    const letters = tokenService(a).get(DeadLetters);

    const [letter] = await letters.list();
    expect(letter).toMatchObject({ event_id: event.id, name: 'grant.revoked', queue: 'tessera.token-service', attempts: 2, error: 'Error: cannot revoke g-replay' });
    expect(letter).not.toHaveProperty('payload');

    consumer.poisoned.delete('g-replay');
    expect(await letters.retry(letter.id)).toBe(true);
    await settle(a);
    expect(consumer.handled.map((h) => [h.grantId, h.eventId])).toEqual([['g-replay', event.id]]);
    expect(await letters.list()).toEqual([]);
    expect(await letters.retry(letter.id)).toBe(false);
    expect(await letters.retry('not-an-id')).toBe(false);
  });

  it('publishes and handles what is left in the outbox when the application closes', async () => {
    const a = await start();
    const consumer = tokenService(a).get(GrantRevokedConsumer);
    // Written without the commit nudge, as if committed just before shutdown.
    const id = '018f0000-0000-7000-8000-000000000001';
    await tokenDb.dataSource.getRepository(OutboxEntity).insert({
      id,
      name: 'grant.revoked',
      version: 1,
      payload: JSON.stringify(grantRevoked('g-late')),
      occurredAt: new Date().toISOString(),
      attempts: 0,
    });

    await a.close();
    app = undefined;

    expect(
      (await tokenDb.dataSource.getRepository(OutboxEntity).findOneByOrFail({ id })).publishedAt,
    ).not.toBeNull();
    // In process the queue drains before closing; in Redis the event waits for the next worker.
    if (!redis) expect(consumer.handled.map((h) => h.grantId)).toEqual(['g-late']);
  });

  it('keeps services in one process apart: each consumes its own queue and finds only its own consumers', async () => {
    const authModule = AuthServiceModule.with(authDb.dataSource, events);
    const a = await start(authModule);
    const mailer = a.select(authModule).get(Mailer);
    const claims: unknown[] = [];
    await eventsOf(a, authModule).broadcaster.subscribe('claims', (m) => void claims.push(m));

    await tokenService(a).get(Grants).requestMail('alice@example.com');
    await eventsOf(a, tokenModule).broadcaster.publish('claims', { sub: 'alice' });
    await eventsOf(a, tokenModule).relay.flush();
    await eventsOf(a, authModule).driver.whenIdle();

    expect(mailer.sent).toEqual(['alice@example.com']);
    await eventually(() => expect(claims).toEqual([{ sub: 'alice' }]));
    expect(
      await authDb.dataSource
        .getRepository(ProcessedEventEntity)
        .findBy({ consumer: 'tessera.auth-service' }),
    ).toHaveLength(1);
    expect(await tokenDb.dataSource.getRepository(ProcessedEventEntity).count()).toBe(0);
  });

  it('refuses to start with a consumer of an event that is not routed to its service', async () => {
    @Injectable()
    class MisroutedConsumer {
      @OnEvent('grant.revoked')
      async onGrantRevoked() {
        return;
      }
    }
    const compiled = await Test.createTestingModule({
      imports: [SilentLoggerModule, AuthServiceModule.with(authDb.dataSource, events, [MisroutedConsumer])],
    }).compile();

    await expect(compiled.init()).rejects.toThrow(/auth-service .*grant\.revoked/);
    // close() replays the failed initialization; the events module already released its connections.
    await expect(compiled.close()).rejects.toThrow(/grant\.revoked/);
  });
});
