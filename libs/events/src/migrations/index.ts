import { EventsTables1764288000000 as PostgresEventsTables } from './postgres/1764288000000-events-tables';
import { EventsTables1764288000000 as SqliteEventsTables } from './sqlite/1764288000000-events-tables';

/** Add these to the service's migrations for each engine, beside its own. */
export const EVENTS_MIGRATIONS = {
  sqlite: [SqliteEventsTables],
  postgres: [PostgresEventsTables],
};
