import type { DataSource } from 'typeorm';

/**
 * A DataSource, or a way to get it once the application has started: in Nest the service's
 * DataSource is resolved only after every provider exists (see events.module.ts).
 */
export type DataSourceRef = DataSource | (() => DataSource);

export const resolveDataSource = (ref: DataSourceRef): DataSource =>
  typeof ref === 'function' ? ref() : ref;
