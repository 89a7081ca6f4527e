import { randomBytes, randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import pino from 'pino';
import type { ServiceDatabase } from '@tessera/runtime';
import { DeadLetterSink, type DeadLetter } from '../src/dead-letter';
import { EVENTS_ENTITIES } from '../src/entities';
import { EventInbox, type HeldDelivery, type InboxEntry } from '../src/event-inbox';
import { EVENTS, type EventEnvelope, type EventName, type EventOf } from '../src/events';
import type { EventsLogger } from '../src/logger';
import { EVENTS_MIGRATIONS } from '../src/migrations';
import { QueueDriver, type EnvelopeHandler } from '../src/queue-driver';

/** A service database holding only the events tables, as every service's does among its own. */
export const eventsDatabase = (service = 'events'): ServiceDatabase => ({
  service,
  entities: EVENTS_ENTITIES,
  migrations: EVENTS_MIGRATIONS,
});

export const silentLogger: EventsLogger = pino({ level: 'silent' });

export function envelope<N extends EventName>(name: N, payload: EventOf<N>): EventEnvelope<N> {
  return {
    id: randomUUID(),
    name,
    version: EVENTS[name].version,
    occurredAt: new Date().toISOString(),
    payload,
  };
}

export const grantRevoked = (grantId = `g-${randomUUID()}`): EventOf<'grant.revoked'> => ({
  grantId,
  sub: 'alice',
  clientId: 'app',
  revokedAt: new Date().toISOString(),
});

export class MemoryDeadLetterSink extends DeadLetterSink {
  readonly letters: DeadLetter[] = [];
  async record(letter: DeadLetter): Promise<void> {
    this.letters.push(letter);
  }
}

/**
 * An inbox in memory, for driver tests that are not about durability (the database one,
 * TypeOrmEventInbox, has tests of its own on both engines). It copies what it keeps, as a
 * database would.
 */
export class MemoryEventInbox extends EventInbox {
  readonly rows = new Map<string, HeldDelivery & { queue: string }>();
  async addAll(queue: string, entries: ReadonlyArray<InboxEntry>): Promise<Set<string>> {
    const added = new Set<string>();
    for (const { key, envelope } of entries) {
      const id = `${queue}\u0000${key}`;
      if (this.rows.has(id)) continue;
      this.rows.set(id, { queue, key, envelope: JSON.parse(JSON.stringify(envelope) ?? 'null') as unknown, attempts: 0 });
      added.add(key);
    }
    return added;
  }
  async attempted(queue: string, key: string, attempts: number): Promise<void> {
    const row = this.rows.get(`${queue}\u0000${key}`);
    if (row) row.attempts = attempts;
  }
  async remove(queue: string, key: string): Promise<void> {
    this.rows.delete(`${queue}\u0000${key}`);
  }
  /** Not a database: nothing to join. */
  async removeWithin(): Promise<boolean> {
    return false;
  }
  async held(queue: string): Promise<HeldDelivery[]> {
    return [...this.rows.values()].filter((r) => r.queue === queue).map(({ key, envelope, attempts }) => ({ key, envelope, attempts }));
  }
}

/** Records sends; `down` (or one queue in `downQueues`) makes them fail as an unreachable broker would. */
export class RecordingQueueDriver extends QueueDriver {
  readonly sent: Array<{ queue: string; envelope: EventEnvelope }> = [];
  down = false;
  readonly downQueues = new Set<string>();

  async send(queue: string, envelope: EventEnvelope): Promise<void> {
    if (this.down || this.downQueues.has(queue)) throw new Error(`connect ECONNREFUSED (${queue})`);
    this.sent.push({ queue, envelope });
  }
  resend(queue: string, envelope: EventEnvelope): Promise<void> {
    return this.send(queue, envelope);
  }
  async consume(_queue: string, _handler: EnvelopeHandler): Promise<void> {
    throw new Error('RecordingQueueDriver does not consume');
  }
  async whenIdle(): Promise<void> {
    return;
  }
  async close(): Promise<void> {
    return;
  }
}

export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A Redis key prefix of one's own, and a way to remove what was written under it. */
export function redisNamespace(redisUrl: string) {
  const prefix = `t-events-${randomBytes(4).toString('hex')}`;
  return {
    prefix,
    async clean(): Promise<void> {
      const redis = new IORedis(redisUrl);
      try {
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
      } finally {
        await redis.quit();
      }
    },
  };
}
