import { Inject, Injectable, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { MetricsRegistry } from '@tessera/runtime';
import type { DataSource } from 'typeorm';
import { DeadLetterEntity } from './entities/dead-letter.entity';
import { OutboxEntity } from './entities/outbox.entity';
import { isEventName, type EventName } from './events';
import { EVENTS_DATA_SOURCE, EVENTS_MODULE_OPTIONS, type ResolvedEventsModuleOptions } from './events.options';
import { JOB_STATES, QueueDriver } from './queue-driver';
import { queuesOf, SUBSCRIPTIONS, type Subscriptions } from './subscriptions';

/** What the relay and the queue drivers report as they go. */
export interface EventCounters {
  /** The relay sent an event to every queue that subscribes to it (counted once committed). */
  published(event: unknown): void;
  /** A consumer's handler threw (each failed attempt, retried or dead-lettered). */
  failed(event: unknown): void;
}

/** For a relay or driver made without metrics (tests, scripts). */
export const NO_EVENT_COUNTERS: EventCounters = { published: () => undefined, failed: () => undefined };

/**
 * The `event` label: a name from the registry, or `unknown` for whatever else came off a queue,
 * so that a malformed job cannot add series.
 */
const eventLabel = (event: unknown): string => (isEventName(event) ? event : 'unknown');

/**
 * The events counters of one service in `metrics` (shared with the other services of the
 * embedded platform: same names, same series per event). The failures of the events the service
 * consumes start at 0, so that the first failure is an increase a rate() or an alert can see.
 */
export function eventCounters(metrics: MetricsRegistry, service: string, subscriptions: Subscriptions = SUBSCRIPTIONS): EventCounters {
  const published = metrics.counter({
    name: 'tessera_events_published_total',
    help: 'Events the outbox relay sent to every queue that subscribes to them, by event.',
    labelNames: ['event'],
  });
  const failures = metrics.counter({
    name: 'tessera_event_failures_total',
    help: 'Event deliveries whose handler threw (retried or dead-lettered), by event.',
    labelNames: ['event'],
  });
  const queues = queuesOf(service, subscriptions);
  for (const [event, routes] of Object.entries(subscriptions)) {
    if (routes?.some((queue) => queues.includes(queue))) failures.inc({ event: event as EventName }, 0);
  }
  return {
    published: (event) => published.inc({ event: eventLabel(event) }),
    failed: (event) => failures.inc({ event: eventLabel(event) }),
  };
}

export interface EventsGaugeSources {
  service: string;
  dataSource: () => DataSource;
  driver: QueueDriver;
  subscriptions?: Subscriptions;
}

/**
 * The scrape-time gauges of one service's events machinery: its outbox (unpublished rows and
 * the age of the oldest), its queues' jobs by state, and its dead letters. Each is read when
 * Prometheus scrapes, with one query: the outbox's by `published_at IS NULL` on its index
 * (IDX_outbox_published_at), so it reads only the unpublished rows. Returns the remover.
 */
export function addEventsGauges(metrics: MetricsRegistry, sources: EventsGaugeSources): () => void {
  const { service, dataSource, driver } = sources;
  const outbox = { outbox: service };
  const readOutbox = sharedInFlight(() => outboxBacklog(dataSource()));
  const removers = [
    metrics.addGaugeSource(
      { name: 'tessera_outbox_pending', help: 'Outbox rows not yet published to their queues, by the service that owns the outbox.', labelNames: ['outbox'] },
      { name: `outbox of ${service}`, read: async (set) => set(outbox, (await readOutbox()).pending) },
    ),
    metrics.addGaugeSource(
      {
        name: 'tessera_outbox_lag_seconds',
        help: 'Age of the oldest unpublished outbox row (0 when none), by the service that owns the outbox.',
        labelNames: ['outbox'],
      },
      {
        name: `outbox of ${service}`,
        read: async (set) => {
          const { oldest } = await readOutbox();
          set(outbox, oldest === null ? 0 : Math.max(0, (Date.now() - Date.parse(oldest)) / 1000));
        },
      },
    ),
    metrics.addGaugeSource(
      {
        name: 'tessera_queue_jobs',
        help: 'Jobs in the queues this service consumes, by queue and state (waiting, active, delayed, failed).',
        labelNames: ['queue', 'state'],
      },
      {
        name: `queues of ${service}`,
        read: async (set) => {
          for (const [queue, counts] of Object.entries(await driver.jobCounts())) {
            for (const state of JOB_STATES) set({ queue, state }, counts[state]);
          }
        },
      },
    ),
    metrics.addGaugeSource(
      { name: 'tessera_dead_letters', help: 'Dead letters waiting for an operator, by the queue the delivery failed in.', labelNames: ['queue'] },
      {
        name: `dead letters of ${service}`,
        read: async (set) => {
          const counts = new Map(queuesOf(service, sources.subscriptions).map((queue) => [queue, 0]));
          for (const row of await deadLetterCounts(dataSource())) counts.set(row.queue, row.count);
          for (const [queue, count] of counts) set({ queue }, count);
        },
      },
    ),
  ];
  return () => removers.forEach((remove) => remove());
}

async function outboxBacklog(dataSource: DataSource): Promise<{ pending: number; oldest: string | null }> {
  const row = await dataSource
    .getRepository(OutboxEntity)
    .createQueryBuilder('outbox')
    .select('COUNT(*)', 'pending')
    .addSelect('MIN(outbox.occurredAt)', 'oldest')
    .where('outbox.publishedAt IS NULL')
    .getRawOne<{ pending: string | number; oldest: string | null }>();
  return { pending: Number(row?.pending ?? 0), oldest: row?.oldest ?? null };
}

async function deadLetterCounts(dataSource: DataSource): Promise<Array<{ queue: string; count: number }>> {
  const rows = await dataSource
    .getRepository(DeadLetterEntity)
    .createQueryBuilder('letter')
    .select('letter.queue', 'queue')
    .addSelect('COUNT(*)', 'count')
    .groupBy('letter.queue')
    .getRawMany<{ queue: string; count: string | number }>();
  return rows.map((row) => ({ queue: row.queue, count: Number(row.count) }));
}

/** Callers that arrive while a run is in flight share it: both outbox gauges of a scrape, one query. */
function sharedInFlight<T>(run: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    if (inFlight) return inFlight;
    const current = Promise.resolve().then(run);
    inFlight = current;
    const settle = () => {
      if (inFlight === current) inFlight = undefined;
    };
    current.then(settle, settle);
    return current;
  };
}

/** Registers one service's events gauges in the application's MetricsRegistry, if it has one. */
@Injectable()
export class EventsMetrics implements OnModuleInit, OnModuleDestroy {
  private remove?: () => void;

  constructor(
    @Inject(EVENTS_MODULE_OPTIONS) private readonly options: ResolvedEventsModuleOptions,
    @Inject(EVENTS_DATA_SOURCE) private readonly dataSource: () => DataSource,
    private readonly driver: QueueDriver,
    @Optional() @Inject(MetricsRegistry) private readonly metrics?: MetricsRegistry,
  ) {}

  onModuleInit(): void {
    if (this.metrics) this.remove = addEventsGauges(this.metrics, { service: this.options.service, dataSource: this.dataSource, driver: this.driver });
  }

  onModuleDestroy(): void {
    this.remove?.();
    this.remove = undefined;
  }
}
