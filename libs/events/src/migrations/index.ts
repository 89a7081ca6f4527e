import { EventsTables1764288000000 as PostgresEventsTables } from './postgres/1764288000000-events-tables';
import { ProcessedEventsIndex1796300000000 as PostgresProcessedEventsIndex } from './postgres/1796300000000-processed-events-index';
import { EventInbox1796400000000 as PostgresEventInbox } from './postgres/1796400000000-event-inbox';
import { EventsTables1764288000000 as SqliteEventsTables } from './sqlite/1764288000000-events-tables';
import { ProcessedEventsIndex1796300000000 as SqliteProcessedEventsIndex } from './sqlite/1796300000000-processed-events-index';
import { EventInbox1796400000000 as SqliteEventInbox } from './sqlite/1796400000000-event-inbox';

/** Add these to the service's migrations for each engine, beside its own. */
export const EVENTS_MIGRATIONS = {
  sqlite: [SqliteEventsTables, SqliteProcessedEventsIndex, SqliteEventInbox],
  postgres: [PostgresEventsTables, PostgresProcessedEventsIndex, PostgresEventInbox],
};
