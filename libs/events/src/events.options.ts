import type { InjectionToken } from '@nestjs/common';
import type { EventRetryPolicies, RetryPolicy } from './queue-driver';

export interface EventsModuleOptions {
  /** The service's name; its queue is `tessera.<service>`. */
  service: string;
  /**
   * The token of the service's own DataSource provider (with EVENTS_ENTITIES and
   * EVENTS_MIGRATIONS included). Resolved once the application's providers exist, so it
   * may come from the module that imports EventsModule. Defaults to TypeORM's `DataSource`.
   */
  dataSourceProvider?: InjectionToken;
  /** Set in distributed mode: BullMQ queues and Redis pub/sub. Unset: in-process both. */
  redisUrl?: string;
  /** Namespace in Redis for queues and broadcast channels (default `tessera`): persisted data. */
  redisPrefix?: string;
  relayIntervalMs?: number;
  retry?: Partial<RetryPolicy>;
  /**
   * Policies of particular events over `retry` (see EventRetryPolicies): applied by this
   * service's driver when it consumes (in-process) or sends (BullMQ) them.
   */
  retryByEvent?: EventRetryPolicies;
  /** Deliveries one replica runs at once, by queue name, over QUEUE_CONCURRENCY (default 1). */
  concurrency?: Readonly<Record<string, number>>;
}

export interface ResolvedEventsModuleOptions extends EventsModuleOptions {
  queue: string;
}

export const EVENTS_MODULE_OPTIONS = Symbol('tessera.events.options');
/** `() => DataSource`: the service's DataSource, resolved on first use. */
export const EVENTS_DATA_SOURCE = Symbol('tessera.events.data-source');
export const EVENTS_LOGGER = Symbol('tessera.events.logger');
