import { EVENTS_ENTITIES, EVENTS_MIGRATIONS } from '@tessera/events';
import type { ServiceDatabase } from '@tessera/runtime';
import { AUTH_SERVICE_ENTITIES } from './entities';
import { POSTGRES_MIGRATIONS } from './migrations/postgres';
import { SQLITE_MIGRATIONS } from './migrations/sqlite';

/** The authentication service's tables, in its own SQLite file or PostgreSQL schema (with its outbox). */
export const AUTH_SERVICE_DATABASE: ServiceDatabase = {
  service: 'auth-service',
  entities: [...AUTH_SERVICE_ENTITIES, ...EVENTS_ENTITIES],
  migrations: {
    sqlite: [...EVENTS_MIGRATIONS.sqlite, ...SQLITE_MIGRATIONS],
    postgres: [...EVENTS_MIGRATIONS.postgres, ...POSTGRES_MIGRATIONS],
  },
};
