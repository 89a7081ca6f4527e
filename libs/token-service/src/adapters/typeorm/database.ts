import { EVENTS_ENTITIES, EVENTS_MIGRATIONS } from '@tessera/events';
import type { ServiceDatabase } from '@tessera/runtime';
import { TOKEN_SERVICE_ENTITIES } from './entities';
import { POSTGRES_MIGRATIONS } from './migrations/postgres';
import { SQLITE_MIGRATIONS } from './migrations/sqlite';

/** The token service's tables, in its own SQLite file or PostgreSQL schema. */
export const SERVICE_DATABASE: ServiceDatabase = {
  service: 'token-service',
  entities: [...TOKEN_SERVICE_ENTITIES, ...EVENTS_ENTITIES],
  // The events library's tables (outbox, processed events, dead letters) live beside ours, so
  // that a change and its event commit in one transaction.
  migrations: {
    sqlite: [...EVENTS_MIGRATIONS.sqlite, ...SQLITE_MIGRATIONS],
    postgres: [...EVENTS_MIGRATIONS.postgres, ...POSTGRES_MIGRATIONS],
  },
};
