export * from './events';
export * from './subscriptions';
export * from './entities';
export * from './migrations';
export { inTransaction } from './transaction';
export type { DataSourceRef } from './data-source-ref';
export type { EventsLogger } from './logger';
export * from './outbox';
export * from './outbox-relay';
export * from './queue-driver';
export * from './dead-letter';
export { EventInbox, TypeOrmEventInbox, type HeldDelivery } from './event-inbox';
export * from './dead-letters.service';
export {
  InProcessBus,
  InProcessQueueDriver,
  type InProcessQueueDriverOptions,
} from './in-process.queue-driver';
export * from './bullmq.queue-driver';
export { OnEvent, outsideTransaction, type OnEventOptions } from './on-event.decorator';
export {
  createEventDispatcher,
  type EventDispatcherOptions,
  type EventHandler,
  type EventHandlers,
} from './event-dispatcher';
export { Broadcaster, InProcessBroadcaster, type BroadcastListener, type Unsubscribe } from './broadcaster';
export * from './redis.broadcaster';
export type { EventsModuleOptions } from './events.options';
export * from './events.module';
export {
  addEventsGauges,
  eventCounters,
  EventsMetrics,
  NO_EVENT_COUNTERS,
  type EventCounters,
  type EventsGaugeSources,
} from './events.metrics';
export { eventHousekeepingSteps, PUBLISHED_OUTBOX_RETENTION_MS, PROCESSED_EVENT_RETENTION_MS } from './event-housekeeping';
