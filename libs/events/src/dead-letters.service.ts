import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DeadLetterEntity } from './entities/dead-letter.entity';
import { envelopeSchema, isEventName, type EventEnvelope } from './events';
import { EVENTS_DATA_SOURCE } from './events.options';
import { QueueDriver } from './queue-driver';

/**
 * What an operator sees of a dead letter: which event, where, why, how often it was tried. Not
 * its payload: some carry what must not leave the service (a mailed link's token, an address).
 */
export interface DeadLetterView {
  id: string;
  queue: string;
  event_id?: string;
  name?: string;
  occurred_at?: string;
  failed_at: string;
  attempts: number;
  error: string;
}

/** Thrown when a dead letter is not a well-formed event: there is nothing to send again. */
export class UnreplayableDeadLetterError extends Error {}

/** A service's dead letters: listed for the admin API, and replayed into their queue on request. */
@Injectable()
export class DeadLetters {
  constructor(
    @Inject(EVENTS_DATA_SOURCE) private readonly dataSource: () => DataSource,
    private readonly driver: QueueDriver,
  ) {}

  /** The most recent first. */
  async list(limit = 100): Promise<DeadLetterView[]> {
    const rows = await this.dataSource().manager.find(DeadLetterEntity, { order: { failedAt: 'DESC', id: 'DESC' }, take: limit });
    return rows.map(view);
  }

  /**
   * Sends the event again to the queue it died in (the consumer's idempotency still holds: it
   * was never marked processed), and forgets the dead letter. False: no such dead letter.
   */
  async retry(id: string): Promise<boolean> {
    const manager = this.dataSource().manager;
    const row = /^[0-9a-f-]{36}$/.test(id) ? await manager.findOneBy(DeadLetterEntity, { id }) : null;
    if (!row) return false;
    const envelope = envelopeSchema.safeParse({ id: row.eventId, name: row.name, version: row.version, occurredAt: row.occurredAt, payload: JSON.parse(row.payload) as unknown });
    if (!envelope.success || !isEventName(envelope.data.name)) throw new UnreplayableDeadLetterError('This dead letter is not a well-formed event; it cannot be sent again.');
    await this.driver.resend(row.queue, envelope.data as EventEnvelope);
    await manager.delete(DeadLetterEntity, { id });
    return true;
  }
}

function view(row: DeadLetterEntity): DeadLetterView {
  return {
    id: row.id,
    queue: row.queue,
    ...(row.eventId ? { event_id: row.eventId } : {}),
    ...(row.name ? { name: row.name } : {}),
    ...(row.occurredAt ? { occurred_at: row.occurredAt } : {}),
    failed_at: row.failedAt,
    attempts: row.attempts,
    error: row.error,
  };
}
