import { EVENTS_ENTITIES, EVENTS_MIGRATIONS } from '@tessera/events';
import type { ServiceDatabase } from '@tessera/runtime';
import { ADMIN_API_ENTITIES } from './entities';
import { POSTGRES_MIGRATIONS } from './migrations/postgres';
import { SQLITE_MIGRATIONS } from './migrations/sqlite';

/** The admin API's tables, in its own SQLite file or PostgreSQL schema (with its outbox). */
export const ADMIN_API_DATABASE: ServiceDatabase = {
  service: 'admin-api',
  entities: [...ADMIN_API_ENTITIES, ...EVENTS_ENTITIES],
  migrations: {
    sqlite: [...EVENTS_MIGRATIONS.sqlite, ...SQLITE_MIGRATIONS],
    postgres: [...EVENTS_MIGRATIONS.postgres, ...POSTGRES_MIGRATIONS],
  },
};
