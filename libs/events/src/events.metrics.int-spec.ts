import { randomUUID } from 'node:crypto';
import { Global, Inject, Injectable, Module, type DynamicModule } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { LOGGER, MetricsRegistry, type DatabaseEngine } from '@tessera/runtime';
import { createTestDatabase, eventually, testEngines, testRedisUrl, type TestDatabase } from '@tessera/test-kit';
import { DataSource } from 'typeorm';
import {
  MemoryEventInbox,
  deferred,
  envelope,
  eventsDatabase,
  grantRevoked,
  MemoryDeadLetterSink,
  RecordingQueueDriver,
  redisNamespace,
  silentLogger,
} from '../test/support';
import { BullMqQueueDriver } from './bullmq.queue-driver';
import { EVENTS_ENTITIES } from './entities';
import { DeadLetterEntity } from './entities/dead-letter.entity';
import { OutboxEntity } from './entities/outbox.entity';
import { ProcessedEventEntity } from './entities/processed-event.entity';
import type { EventOf } from './events';
import { addEventsGauges } from './events.metrics';
import { EventsModule } from './events.module';
import { InProcessBus, InProcessQueueDriver } from './in-process.queue-driver';
import type { EventsModuleOptions } from './events.options';
import { OnEvent } from './on-event.decorator';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { QueueDriver } from './queue-driver';
import { inTransaction } from './transaction';

const TOKEN_DB = Symbol('token-service.data-source');

type Labels = Record<string, string>;

/** One series' value from the registry (as a scrape reads it), by its labels besides `service`. */
async function valueOf(metrics: MetricsRegistry, name: string, labels: Labels = {}): Promise<number | undefined> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const wanted = { ...labels, service: metrics.service };
  const series = metric?.values.find((v) => {
    const all: Labels = { ...Object.fromEntries(Object.entries(v.labels).map(([k, x]) => [k, String(x)])), service: metrics.service };
    return Object.keys(all).length === Object.keys(wanted).length && Object.entries(wanted).every(([k, x]) => all[k] === x);
  });
  return series?.value;
}

@Injectable()
class GrantRevokedConsumer {
  readonly poisoned = new Set<string>();

  @OnEvent('grant.revoked')
  async onGrantRevoked(payload: EventOf<'grant.revoked'>) {
    if (this.poisoned.has(payload.grantId)) throw new Error(`cannot revoke ${payload.grantId}`);
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
}

@Injectable()
class EventsProbe {
  constructor(
    readonly relay: OutboxRelay,
    readonly driver: QueueDriver,
  ) {}
}

type Events = Omit<EventsModuleOptions, 'service' | 'dataSourceProvider'>;

@Module({})
class TokenServiceModule {
  static with(dataSource: DataSource, events: Events): DynamicModule {
    return {
      module: TokenServiceModule,
      imports: [EventsModule.forService({ service: 'token-service', dataSourceProvider: TOKEN_DB, ...events })],
      providers: [{ provide: TOKEN_DB, useValue: dataSource }, GrantRevokedConsumer, Grants, EventsProbe],
      exports: [TOKEN_DB],
    };
  }
}

const setups = testEngines().map((engine) => ({ engine, redis: false }));
const redisUrl = testRedisUrl();
if (redisUrl) setups.push({ engine: testEngines().includes('postgres') ? 'postgres' : 'sqlite', redis: true });

describe.each(setups)('events metrics on $engine (Redis: $redis)', ({ engine, redis }: { engine: DatabaseEngine; redis: boolean }) => {
  let db: TestDatabase;
  let app: TestingModule | undefined;
  let metrics: MetricsRegistry;
  let tokenModule: DynamicModule;
  let cleanRedis = async () => undefined as void;

  beforeAll(async () => {
    db = await createTestDatabase(eventsDatabase('token-service'), engine);
  });
  afterAll(() => db.destroy());
  beforeEach(async () => {
    for (const entity of [OutboxEntity, ProcessedEventEntity, DeadLetterEntity]) await db.dataSource.getRepository(entity).clear();
    metrics = new MetricsRegistry({ service: 'token-service', logger: silentLogger });
    // A long interval: what is published was sent by a nudge or a flush.
    let events: Events = { relayIntervalMs: 60_000, retry: { attempts: 2, backoffMs: 5 } };
    if (redis && redisUrl) {
      const namespace = redisNamespace(redisUrl);
      events = { ...events, redisUrl, redisPrefix: namespace.prefix };
      cleanRedis = namespace.clean;
    }
    @Global()
    @Module({
      providers: [
        { provide: LOGGER, useValue: silentLogger },
        { provide: MetricsRegistry, useValue: metrics },
      ],
      exports: [LOGGER, MetricsRegistry],
    })
    class RuntimeStandIn {}
    tokenModule = TokenServiceModule.with(db.dataSource, events);
    app = await Test.createTestingModule({ imports: [RuntimeStandIn, tokenModule] }).compile();
    await app.init();
    // The run every start makes (events committed while the service was down) is over.
    await probe().relay.flush();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await cleanRedis();
  });

  const probe = () => (app as TestingModule).select(tokenModule).get(EventsProbe, { strict: true });
  const settle = async () => {
    await probe().relay.flush();
    await probe().driver.whenIdle();
  };
  /** A committed, unpublished outbox row, as a producer leaves it when the relay is behind. */
  const unpublished = (ageSeconds: number) =>
    db.dataSource.getRepository(OutboxEntity).insert({
      id: randomUUID(),
      name: 'grant.revoked',
      version: 1,
      payload: JSON.stringify(grantRevoked()),
      occurredAt: new Date(Date.now() - ageSeconds * 1000).toISOString(),
      attempts: 0,
    });

  it('reports unpublished outbox rows and the age of the oldest, both 0 once the relay published them', async () => {
    const outbox = { outbox: 'token-service' };
    expect(await valueOf(metrics, 'tessera_outbox_pending', outbox)).toBe(0);
    expect(await valueOf(metrics, 'tessera_outbox_lag_seconds', outbox)).toBe(0);

    await unpublished(90);
    await unpublished(10);

    expect(await valueOf(metrics, 'tessera_outbox_pending', outbox)).toBe(2);
    const lag = await valueOf(metrics, 'tessera_outbox_lag_seconds', outbox);
    expect(lag).toBeGreaterThanOrEqual(90);
    expect(lag).toBeLessThan(90 + 600); // the oldest row's age, not the newest's nor a timestamp

    await settle();

    expect(await valueOf(metrics, 'tessera_outbox_pending', outbox)).toBe(0);
    expect(await valueOf(metrics, 'tessera_outbox_lag_seconds', outbox)).toBe(0);
    expect(await valueOf(metrics, 'tessera_events_published_total', { event: 'grant.revoked' })).toBe(2);
  });

  it('counts failed deliveries by event and reports the dead letter by queue', async () => {
    expect(await valueOf(metrics, 'tessera_event_failures_total', { event: 'grant.revoked' })).toBe(0);
    expect(await valueOf(metrics, 'tessera_dead_letters', { queue: 'tessera.token-service' })).toBe(0);
    app?.select(tokenModule).get(GrantRevokedConsumer).poisoned.add('g-poison');

    await app?.select(tokenModule).get(Grants).revoke('g-poison');
    await settle();

    // Two attempts (the retry policy), both failed; then the dead letter.
    expect(await valueOf(metrics, 'tessera_event_failures_total', { event: 'grant.revoked' })).toBe(2);
    expect(await valueOf(metrics, 'tessera_dead_letters', { queue: 'tessera.token-service' })).toBe(1);
    expect(await valueOf(metrics, 'tessera_dead_letters', { queue: 'tessera.token-service.backchannel' })).toBe(0);
    expect(await valueOf(metrics, 'tessera_events_published_total', { event: 'grant.revoked' })).toBe(1);
  });

  it('reports the jobs of every queue the service consumes, by state', async () => {
    for (const queue of ['tessera.token-service', 'tessera.token-service.backchannel']) {
      for (const state of ['waiting', 'active', 'delayed', 'failed']) {
        expect(await valueOf(metrics, 'tessera_queue_jobs', { queue, state })).toBe(0);
      }
    }
  });
});

describe('events gauges when the database is down', () => {
  it('leave the outbox and dead letters out of the scrape, which still answers, and log at debug', async () => {
    const debug: string[] = [];
    const metrics = new MetricsRegistry({ service: 'token-service', logger: { debug: (fields: { source?: string }) => void debug.push(String(fields.source)) } });
    // Never initialized: every query fails, as with a database that does not answer.
    const down = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: EVENTS_ENTITIES });
    addEventsGauges(metrics, { service: 'token-service', dataSource: () => down, driver: new RecordingQueueDriver() });

    const text = await metrics.metrics();

    expect(text).toContain('# TYPE tessera_outbox_pending gauge');
    expect(text).not.toMatch(/^tessera_outbox_pending\{/m);
    expect(text).not.toMatch(/^tessera_dead_letters\{/m);
    expect(text).toMatch(/^process_resident_memory_bytes\{service="token-service"\} /m);
    expect(debug.sort()).toEqual(['dead letters of token-service', 'outbox of token-service', 'outbox of token-service']);
  });
});

const drivers: Array<[string, () => { driver: QueueDriver; close(): Promise<void> }]> = [
  [
    'InProcessQueueDriver',
    () => {
      const driver = new InProcessQueueDriver({ deadLetters: new MemoryDeadLetterSink(), inbox: new MemoryEventInbox(), logger: silentLogger, bus: new InProcessBus() });
      return { driver, close: () => driver.close() };
    },
  ],
];
if (redisUrl) {
  drivers.push([
    'BullMqQueueDriver',
    () => {
      const namespace = redisNamespace(redisUrl);
      const driver = new BullMqQueueDriver({ redisUrl, deadLetters: new MemoryDeadLetterSink(), logger: silentLogger, prefix: namespace.prefix });
      return {
        driver,
        close: async () => {
          await driver.close();
          await namespace.clean();
        },
      };
    },
  ]);
}

describe.each(drivers)('%s.jobCounts', (_, make) => {
  it('counts the jobs waiting behind a running one, and none once they are handled', async () => {
    const { driver, close } = make();
    try {
      const release = deferred();
      const handled: string[] = [];
      await driver.consume('q.metrics', async (e) => {
        await release.promise;
        handled.push(e.id);
      });
      for (let i = 0; i < 3; i++) await driver.send('q.metrics', envelope('user.updated', { sub: `user-${i}` }));

      await eventually(async () => expect(await driver.jobCounts()).toEqual({ 'q.metrics': { waiting: 2, active: 1, delayed: 0, failed: 0 } }));

      release.resolve();
      await driver.whenIdle();
      expect(handled).toHaveLength(3);
      // The in-process worker settles its bookkeeping a tick after the bus reports idle.
      await eventually(async () => expect(await driver.jobCounts()).toEqual({ 'q.metrics': { waiting: 0, active: 0, delayed: 0, failed: 0 } }));
    } finally {
      await close();
    }
  });
});
