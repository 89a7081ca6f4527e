import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { Broadcaster } from './broadcaster';
import { OutboxEntity } from './entities/outbox.entity';
import { createEventDispatcher } from './event-dispatcher';
import { EventConsumerExplorer } from './event-consumer.explorer';
import type { EventName } from './events';
import {
  EVENTS_DATA_SOURCE,
  EVENTS_LOGGER,
  EVENTS_MODULE_OPTIONS,
  type ResolvedEventsModuleOptions,
} from './events.options';
import { describeError, type EventsLogger } from './logger';
import { nudgeAfterOutboxCommit } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { QueueDriver } from './queue-driver';
import { QUEUE_CONCURRENCY, queuesOf, SUBSCRIPTIONS } from './subscriptions';

/**
 * Starts and stops one service's events machinery with the application. Shutdown runs in two
 * phases because in embedded mode the services share one process: every relay flushes (module
 * destroy) before any queue closes (before shutdown), so no service sends into a closed queue.
 */
@Injectable()
export class EventsLifecycle implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  private uninstallNudge?: () => void;

  constructor(
    @Inject(EVENTS_MODULE_OPTIONS) private readonly options: ResolvedEventsModuleOptions,
    @Inject(EVENTS_DATA_SOURCE) private readonly dataSource: () => DataSource,
    @Inject(EVENTS_LOGGER) private readonly logger: EventsLogger,
    private readonly explorer: EventConsumerExplorer,
    private readonly driver: QueueDriver,
    private readonly relay: OutboxRelay,
    private readonly broadcaster: Broadcaster,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.start();
    } catch (err) {
      // Nest runs no shutdown hooks after a failed bootstrap: release the Redis connections here.
      await Promise.allSettled([this.driver.close(), this.broadcaster.close()]);
      throw err;
    }
  }

  private async start(): Promise<void> {
    const dataSource = this.dataSource();
    if (!dataSource.hasMetadata(OutboxEntity)) {
      throw new Error(
        `The DataSource of ${this.options.service} lacks EVENTS_ENTITIES (and EVENTS_MIGRATIONS) from @tessera/events`,
      );
    }
    const queues = queuesOf(this.options.service);
    const handlers = this.explorer.explore();
    const routes = (name: EventName) => (SUBSCRIPTIONS[name] ?? []).filter((q) => queues.includes(q));
    const unrouted = (Object.keys(handlers) as EventName[]).filter((name) => routes(name).length !== 1);
    if (unrouted.length > 0) {
      // Such a handler would silently never run (or run twice): fail at startup instead.
      throw new Error(
        `@OnEvent handlers in ${this.options.service} for events not routed to exactly one of its queues (${queues.join(', ')}) in SUBSCRIPTIONS: ${unrouted.join(', ')}`,
      );
    }
    // Every queue of the service gets all of its handlers: routing alone decides where an event
    // waits, so jobs queued before a route moved to another lane are still handled.
    for (const queue of queues) {
      await this.driver.consume(
        queue,
        createEventDispatcher({ consumer: queue, dataSource, handlers, logger: this.logger }),
        { concurrency: this.options.concurrency?.[queue] ?? QUEUE_CONCURRENCY[queue] ?? 1 },
      );
    }
    this.uninstallNudge = nudgeAfterOutboxCommit(dataSource, () => this.relay.nudge());
    this.relay.start();
    // Events committed while the service was down leave now.
    this.relay.nudge();
  }

  async onModuleDestroy(): Promise<void> {
    this.uninstallNudge?.();
    await this.relay.stop();
    await this.relay
      .flush()
      .catch((err) =>
        this.logger.error(
          { err: describeError(err) },
          'final outbox flush failed; events stay in the outbox',
        ),
      );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.driver.close();
    await this.broadcaster.close();
  }
}
