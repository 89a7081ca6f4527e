import type { QueryRunner } from 'typeorm';

/**
 * TypeORM does not set `search_path` for a DataSource's `schema`, so raw SQL names the
 * service's schema itself (each service owns one; tests use a private one each).
 */
export function qualified(q: QueryRunner): (name: string) => string {
  const schema = (q.connection.options as { schema?: string }).schema;
  return (name) => (schema ? `"${schema}"."${name}"` : `"${name}"`);
}
