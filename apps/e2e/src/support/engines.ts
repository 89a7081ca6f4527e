import type { DatabaseEngine } from '@tessera/runtime';

/** SQLite always; PostgreSQL (with Redis when REDIS_URL is set) when DATABASE_URL is set. */
export const e2eEngines = (): DatabaseEngine[] => (process.env['DATABASE_URL'] ? ['sqlite', 'postgres'] : ['sqlite']);
