import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager, EntitySubscriberInterface } from 'typeorm';
import { z } from 'zod';
import { FixedSql } from '@tessera/runtime';
import { EVENTS, isEventName, type EventEnvelope, type EventName, type EventOf } from './events';
import { OutboxEntity } from './entities/outbox.entity';
import { newEventId } from './event-id';
import type { Subscriptions } from './subscriptions';

export class InvalidEventError extends Error {
  constructor(
    readonly eventName: string,
    readonly issues: z.ZodError['issues'],
    detail: string,
  ) {
    super(`Invalid '${eventName}' event: ${detail}`);
    this.name = 'InvalidEventError';
  }
}

const outboxInserts = new WeakMap<DataSource, FixedSql<OutboxEntity>>();
/** The outbox insert of a DataSource, built once (every change that emits an event runs it). */
function outboxSql(dataSource: DataSource): FixedSql<OutboxEntity> {
  let sql = outboxInserts.get(dataSource);
  if (!sql) outboxInserts.set(dataSource, (sql = new FixedSql(dataSource, OutboxEntity)));
  return sql;
}

/** Marks a query runner whose transaction wrote outbox rows, so the relay is nudged after commit. */
export const OUTBOX_WRITTEN = 'tessera.outboxWritten';

/**
 * The only way to emit an event: it is written next to the change that caused it, in the
 * caller's transaction, and published later by the relay. If the change rolls back, so does
 * the event; if the queue is down, the change still commits and the event waits.
 */
@Injectable()
export class Outbox {
  /**
   * The relay's routing table, when the module wires one: an event no queue subscribes to is
   * written already published, so no relay transaction follows the commit (on SQLite that
   * transaction makes every other query wait). Without it (`new Outbox()`), every event waits
   * for the relay, which is the behaviour a relay with its own table needs.
   */
  constructor(private readonly routes?: Subscriptions) {}

  async add<N extends EventName>(
    manager: EntityManager,
    name: N,
    payload: EventOf<N>,
  ): Promise<EventEnvelope<N>> {
    if (!isEventName(name)) throw new InvalidEventError(String(name), [], 'unknown event name');
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) {
      throw new Error(`Outbox.add('${name}') needs the manager of the transaction that makes the change`);
    }
    const definition = EVENTS[name];
    const parsed = definition.schema.safeParse(payload);
    if (!parsed.success)
      throw new InvalidEventError(name, parsed.error.issues, z.prettifyError(parsed.error));
    const envelope: EventEnvelope<N> = {
      id: newEventId(),
      name,
      version: definition.version,
      occurredAt: new Date().toISOString(),
      payload: parsed.data as EventOf<N>,
    };
    const unrouted = this.routes !== undefined && !this.routes[name]?.length;
    // Fixed SQL, nothing read back: every column is given.
    await outboxSql(manager.connection).insert(
      Object.assign(new OutboxEntity(), {
        id: envelope.id,
        name: envelope.name,
        version: envelope.version,
        payload: JSON.stringify(envelope.payload),
        occurredAt: envelope.occurredAt,
        publishedAt: unrouted ? envelope.occurredAt : null,
        attempts: 0,
        lastError: null,
      }),
      manager,
    );
    if (!unrouted) runner.data[OUTBOX_WRITTEN] = true;
    return envelope;
  }
}

/**
 * Nudges the relay after each commit that wrote outbox rows, so events leave at once instead of
 * at the relay's next interval, and producers need not remember to. Returns the uninstaller.
 */
export function nudgeAfterOutboxCommit(dataSource: DataSource, nudge: () => void): () => void {
  const subscriber: EntitySubscriberInterface = {
    afterTransactionCommit({ queryRunner }) {
      // Savepoint releases report commits too; only the outermost one makes rows visible.
      if (queryRunner.isTransactionActive || !queryRunner.data[OUTBOX_WRITTEN]) return;
      delete queryRunner.data[OUTBOX_WRITTEN];
      nudge();
    },
    afterTransactionRollback({ queryRunner }) {
      if (!queryRunner.isTransactionActive) delete queryRunner.data[OUTBOX_WRITTEN];
    },
  };
  dataSource.subscribers.push(subscriber);
  return () => {
    const index = dataSource.subscribers.indexOf(subscriber);
    if (index >= 0) dataSource.subscribers.splice(index, 1);
  };
}
