import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { EVENTS_ENTITIES, inTransaction, Outbox, type EventName, type EventOf } from '@tessera/events';

/** Where the platform's token service keeps its tables (and so its outbox). */
export type PlatformDatabase = { engine: 'sqlite'; dataDir: string } | { engine: 'postgres'; url: string };

/**
 * Emits an event into a running platform from outside its process, the way every producer
 * does: an outbox row written with the events library's own `Outbox` (schema-checked payload,
 * versioned envelope), which the platform's relay picks up on its next run and sends through
 * its queue driver to the consumers. Stands in for a producer the platform does not have yet
 * (the auth-service announcing `user.updated`).
 */
export class EventPublisher {
  private constructor(private readonly dataSource: DataSource) {}

  static async open(database: PlatformDatabase): Promise<EventPublisher> {
    const dataSource = new DataSource(
      database.engine === 'sqlite'
        ? {
            type: 'better-sqlite3',
            database: join(database.dataDir, 'token-service.sqlite'),
            entities: EVENTS_ENTITIES,
            // The platform holds the same file open (WAL): wait for its writes instead of failing.
            prepareDatabase: (db: { pragma(s: string): unknown }) => {
              db.pragma('busy_timeout = 5000');
            },
          }
        : {
            type: 'postgres',
            url: database.url,
            entities: EVENTS_ENTITIES,
            extra: { max: 1, options: '-c search_path="token_service"' },
          },
    );
    await dataSource.initialize();
    return new EventPublisher(dataSource);
  }

  async publish<N extends EventName>(name: N, payload: EventOf<N>): Promise<void> {
    // Without a routing table the row waits for the relay (published_at NULL), as it must here.
    const outbox = new Outbox();
    await inTransaction(this.dataSource, (manager) => outbox.add(manager, name, payload));
  }

  close(): Promise<void> {
    return this.dataSource.destroy();
  }
}
