import { randomUUID } from 'node:crypto';
import { resolveDataSource, type DataSourceRef } from './data-source-ref';
import { DeadLetterEntity } from './entities/dead-letter.entity';
import type { DeliveryHooks } from './queue-driver';
import { inTransaction } from './transaction';

export interface DeadLetter {
  queue: string;
  /** What was delivered: normally an envelope, but it came off a queue, so it is not trusted. */
  envelope: unknown;
  error: string;
  /** Attempts made, the failing one included. */
  attempts: number;
}

/** Where a delivery ends when it can never succeed or has used up its attempts. */
export abstract class DeadLetterSink {
  /**
   * Keeps the letter. `hooks.settle` runs in the transaction that writes it, so that the
   * driver's bookkeeping of the delivery (the in-process inbox's row) leaves with the same commit:
   * a process killed in between can neither lose the event nor dead-letter it twice.
   */
  abstract record(letter: DeadLetter, hooks?: DeliveryHooks): Promise<void>;
}

/** Writes to the consuming service's `dead_letters` table, for inspection and replay. */
export class TypeOrmDeadLetterSink extends DeadLetterSink {
  constructor(private readonly dataSource: DataSourceRef) {
    super();
  }

  async record(letter: DeadLetter, hooks?: DeliveryHooks): Promise<void> {
    const received = letter.envelope;
    const envelope =
      typeof received === 'object' && received !== null ? (received as Record<string, unknown>) : {};
    const text = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : null);
    const hasPayload = 'payload' in envelope;
    const row: DeadLetterEntity = {
      id: randomUUID(),
      eventId: text(envelope['id'], 36),
      queue: letter.queue,
      name: text(envelope['name'], 100),
      version: Number.isInteger(envelope['version']) ? (envelope['version'] as number) : null,
      occurredAt: text(envelope['occurredAt'], 32),
      payload: JSON.stringify(hasPayload ? envelope['payload'] : received) ?? 'null',
      error: letter.error,
      attempts: letter.attempts,
      failedAt: new Date().toISOString(),
    };
    await inTransaction(resolveDataSource(this.dataSource), async (manager) => {
      await manager.insert(DeadLetterEntity, row);
      await hooks?.settle?.(manager);
    });
  }
}
