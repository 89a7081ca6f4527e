/**
 * Events for one service. In the service's root module:
 *
 *   export const TOKEN_SERVICE_DATA_SOURCE = Symbol('token-service.data-source');
 *
 *   @Module({
 *     imports: [EventsModule.forService({ service: 'token-service', dataSourceProvider: TOKEN_SERVICE_DATA_SOURCE, redisUrl: config.redisUrl })],
 *     providers: [
 *       { provide: TOKEN_SERVICE_DATA_SOURCE, useFactory: ... }, // its own DataSource, with EVENTS_ENTITIES and EVENTS_MIGRATIONS
 *       GrantRevokedConsumer, // has @OnEvent('grant.revoked') methods
 *     ],
 *     exports: [TOKEN_SERVICE_DATA_SOURCE],
 *   })
 *   export class TokenServiceModule {}
 *
 * Producers inject `Outbox` and call `outbox.add(manager, 'grant.revoked', payload)` inside
 * `inTransaction(dataSource, manager => ...)`, with the change the event reports; the relay
 * sends it after the commit. Cache invalidations go through the injected `Broadcaster`.
 *
 * The DataSource token is looked up in the whole application once every provider exists, so
 * it may be declared by the very module that imports EventsModule; give each service its own
 * token (in embedded mode all services share one container). Close the DataSource in
 * `onApplicationShutdown` (as @nestjs/typeorm does): the relay flushes before that.
 */
import { Module, type DynamicModule, type InjectionToken } from '@nestjs/common';
import { DiscoveryModule, ModuleRef } from '@nestjs/core';
import { LOGGER, MetricsRegistry } from '@tessera/runtime';
import { DataSource } from 'typeorm';
import { Broadcaster, InProcessBroadcaster } from './broadcaster';
import { BullMqQueueDriver } from './bullmq.queue-driver';
import { DeadLetterSink, TypeOrmDeadLetterSink } from './dead-letter';
import { DeadLetters } from './dead-letters.service';
import { EventConsumerExplorer } from './event-consumer.explorer';
import { TypeOrmEventInbox } from './event-inbox';
import { EventsLifecycle } from './events.lifecycle';
import { eventCounters, EventsMetrics, NO_EVENT_COUNTERS, type EventCounters } from './events.metrics';
import {
  EVENTS_DATA_SOURCE,
  EVENTS_LOGGER,
  EVENTS_MODULE_OPTIONS,
  type EventsModuleOptions,
  type ResolvedEventsModuleOptions,
} from './events.options';
import { InProcessQueueDriver } from './in-process.queue-driver';
import { defaultEventsLogger, type EventsLogger } from './logger';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { QueueDriver } from './queue-driver';
import { RedisBroadcaster } from './redis.broadcaster';
import { queueName, queuesOf, SUBSCRIPTIONS } from './subscriptions';

/** The service's EventCounters: in the application's MetricsRegistry (RuntimeModule's), else none. */
const EVENT_COUNTERS = Symbol('tessera.events.counters');

@Module({})
export class EventsModule {
  static forService(options: EventsModuleOptions): DynamicModule {
    const resolved: ResolvedEventsModuleOptions = { ...options, queue: queueName(options.service) };
    const { redisUrl, retry, retryByEvent, redisPrefix: prefix } = options;
    return {
      module: EventsModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: EVENTS_MODULE_OPTIONS, useValue: resolved },
        {
          provide: EVENTS_DATA_SOURCE,
          useFactory: (moduleRef: ModuleRef) =>
            lookUpDataSource(moduleRef, options.dataSourceProvider ?? DataSource),
          inject: [ModuleRef],
        },
        {
          provide: EVENTS_LOGGER,
          useFactory: (logger?: EventsLogger) => logger ?? defaultEventsLogger(),
          inject: [{ token: LOGGER, optional: true }],
        },
        {
          provide: EVENT_COUNTERS,
          useFactory: (metrics?: MetricsRegistry): EventCounters =>
            metrics ? eventCounters(metrics, options.service) : NO_EVENT_COUNTERS,
          inject: [{ token: MetricsRegistry, optional: true }],
        },
        {
          provide: DeadLetterSink,
          useFactory: (dataSource: () => DataSource) => new TypeOrmDeadLetterSink(dataSource),
          inject: [EVENTS_DATA_SOURCE],
        },
        {
          provide: QueueDriver,
          useFactory: (deadLetters: DeadLetterSink, logger: EventsLogger, counters: EventCounters, dataSource: () => DataSource) =>
            redisUrl
              ? new BullMqQueueDriver({ redisUrl, deadLetters, retry, retryByEvent, logger, prefix, counters })
              : new InProcessQueueDriver({
                  deadLetters,
                  // Declared while the application is being built, before any service's relay
                  // runs: what other services send here before this one starts waits on disk.
                  inbox: new TypeOrmEventInbox(dataSource),
                  queues: queuesOf(options.service),
                  retry,
                  retryByEvent,
                  logger,
                  counters,
                }),
          inject: [DeadLetterSink, EVENTS_LOGGER, EVENT_COUNTERS, EVENTS_DATA_SOURCE],
        },
        {
          provide: Broadcaster,
          useFactory: (logger: EventsLogger) =>
            redisUrl
              ? new RedisBroadcaster(redisUrl, logger, prefix)
              : new InProcessBroadcaster(undefined, logger),
          inject: [EVENTS_LOGGER],
        },
        {
          provide: OutboxRelay,
          useFactory: (dataSource: () => DataSource, driver: QueueDriver, logger: EventsLogger, counters: EventCounters) =>
            new OutboxRelay(dataSource, driver, { intervalMs: options.relayIntervalMs, logger, subscriptions: SUBSCRIPTIONS, counters }),
          inject: [EVENTS_DATA_SOURCE, QueueDriver, EVENTS_LOGGER, EVENT_COUNTERS],
        },
        // The Outbox and the relay share one routing table, so unrouted events can skip the relay.
        { provide: Outbox, useFactory: () => new Outbox(SUBSCRIPTIONS) },
        EventConsumerExplorer,
        EventsLifecycle,
        // The outbox, queue and dead-letter gauges, read at scrape time (with a MetricsRegistry).
        EventsMetrics,
        DeadLetters,
      ],
      exports: [Outbox, OutboxRelay, QueueDriver, Broadcaster, DeadLetterSink, DeadLetters],
    };
  }
}

/** `() => DataSource`, memoized: the token is not resolvable until every provider exists. */
function lookUpDataSource(moduleRef: ModuleRef, token: InjectionToken): () => DataSource {
  let dataSource: DataSource | undefined;
  return () => {
    if (dataSource) return dataSource;
    const found: unknown = moduleRef.get(token, { strict: false });
    if (!(found instanceof DataSource)) {
      throw new Error(`EventsModule: provider ${String(token)} is not a TypeORM DataSource`);
    }
    dataSource = found;
    return dataSource;
  };
}
