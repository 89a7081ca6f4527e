import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { resolveDataSource, type DataSourceRef } from './data-source-ref';
import { ProcessedEventEntity } from './entities/processed-event.entity';
import {
  envelopeSchema,
  EVENTS,
  isEventName,
  type EventEnvelope,
  type EventName,
  type EventOf,
} from './events';
import type { EventsLogger } from './logger';
import { runsOutsideTransaction } from './on-event.decorator';
import { UnrecoverableEventError, type EnvelopeHandler } from './queue-driver';
import { inTransaction } from './transaction';

export type EventHandler<N extends EventName = EventName> = (
  payload: EventOf<N>,
  envelope: EventEnvelope<N>,
  manager: EntityManager,
) => Promise<void> | void;

/** The handlers of one service, by event. */
export type EventHandlers = { [N in EventName]?: ReadonlyArray<EventHandler<N>> };

export interface EventDispatcherOptions {
  /** The idempotency key's owner: the consuming queue. Persisted in `processed_events`. */
  consumer: string;
  dataSource: DataSourceRef;
  handlers: EventHandlers;
  logger: EventsLogger;
}

/**
 * The queue handler of one service: checks the envelope and its payload against the registry
 * (a bad one can never succeed, so it is dead-lettered without retries), then runs the
 * handlers in one transaction with the `processed_events` marker. A redelivered event finds
 * its marker and is acknowledged; a failing handler rolls the marker back and is retried.
 * Handlers marked `outsideTransaction` (`@OnEvent(name, { transactional: false })`) run first,
 * in no transaction, once the marker was found absent; the marker is written after them. The
 * driver's `settle` hook runs last in the marker's transaction.
 */
export function createEventDispatcher(options: EventDispatcherOptions): EnvelopeHandler {
  return async (received, hooks) => {
    const envelope = checkEnvelope(received);
    // The envelope's payload was parsed with its own event's schema just above.
    const handlers = (options.handlers[envelope.name] ?? []) as ReadonlyArray<EventHandler>;
    if (handlers.length === 0) {
      options.logger.warn(
        { consumer: options.consumer, event: envelope.name, eventId: envelope.id },
        'no handler for routed event; acknowledged',
      );
      return;
    }
    const dataSource = resolveDataSource(options.dataSource);
    const acknowledged = () =>
      options.logger.debug(
        { consumer: options.consumer, eventId: envelope.id },
        'event already processed; acknowledged',
      );
    const outside = handlers.filter(runsOutsideTransaction);
    if (outside.length > 0) {
      if (await inTransaction(dataSource, (manager) => isProcessed(manager, options.consumer, envelope.id))) {
        acknowledged();
        return;
      }
      for (const handler of outside) await handler(envelope.payload, envelope, dataSource.manager);
    }
    await inTransaction(dataSource, async (manager) => {
      if (!(await claim(manager, options.consumer, envelope.id))) acknowledged();
      else {
        for (const handler of handlers) {
          if (!runsOutsideTransaction(handler)) await handler(envelope.payload, envelope, manager);
        }
      }
      await hooks?.settle?.(manager);
    });
  };
}

function checkEnvelope(received: unknown): EventEnvelope {
  const shape = envelopeSchema.safeParse(received);
  if (!shape.success)
    throw new UnrecoverableEventError(`malformed envelope: ${z.prettifyError(shape.error)}`);
  const { name, version } = shape.data;
  if (!isEventName(name)) throw new UnrecoverableEventError(`unknown event '${name}'`);
  const definition = EVENTS[name];
  if (version !== definition.version) {
    throw new UnrecoverableEventError(
      `'${name}' version ${version} is not the supported version ${definition.version}`,
    );
  }
  const payload = definition.schema.safeParse(shape.data.payload);
  if (!payload.success)
    throw new UnrecoverableEventError(`invalid '${name}' payload: ${z.prettifyError(payload.error)}`);
  return { ...shape.data, name, payload: payload.data } as EventEnvelope;
}

async function isProcessed(manager: EntityManager, consumer: string, eventId: string): Promise<boolean> {
  return (await manager.countBy(ProcessedEventEntity, { consumer, eventId })) > 0;
}

/** Inserts the marker unless it exists; true when this delivery is the first to get it. */
async function claim(manager: EntityManager, consumer: string, eventId: string): Promise<boolean> {
  const { driver } = manager.connection;
  const metadata = manager.connection.getMetadata(ProcessedEventEntity);
  const table = metadata.schema
    ? `${driver.escape(metadata.schema)}.${driver.escape(metadata.tableName)}`
    : driver.escape(metadata.tableName);
  const [a, b, c] = [0, 1, 2].map((i) => driver.createParameter(`p${i}`, i));
  // ON CONFLICT ... RETURNING works on PostgreSQL and SQLite alike, in one round trip.
  const rows: unknown[] = await manager.query(
    `INSERT INTO ${table} ("consumer", "event_id", "processed_at") VALUES (${a}, ${b}, ${c}) ON CONFLICT DO NOTHING RETURNING "event_id"`,
    [consumer, eventId, new Date().toISOString()],
  );
  return rows.length === 1;
}
