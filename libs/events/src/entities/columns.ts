import type { ColumnOptions } from 'typeorm';

/**
 * Instants are ISO-8601 UTC strings (`Date#toISOString()`), stored as varchar on both engines.
 * No TypeORM column type maps to `datetime` on SQLite and `timestamptz` on PostgreSQL at once,
 * and one entity must match both engines' migrations exactly. The fixed-width UTC format sorts
 * chronologically as text, and the envelope carries `occurredAt` as that same string.
 */
export const instantColumn = (
  name: string,
  options: Pick<ColumnOptions, 'nullable'> = {},
): ColumnOptions => ({
  name,
  type: 'varchar',
  length: 32,
  ...options,
});
