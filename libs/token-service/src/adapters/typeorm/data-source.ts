import { DataSource, type EntityManager } from 'typeorm';
import { inTransaction } from '@tessera/events';
import { UnitOfWork, type Transaction } from '../../ports/unit-of-work';

/** The DI token of the token service's own DataSource. */
export const TOKEN_SERVICE_DATA_SOURCE = Symbol.for('tessera.token-service.data-source');

export class TypeormUnitOfWork extends UnitOfWork {
  constructor(private readonly dataSource: DataSource) {
    super();
  }
  run<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    // Not dataSource.transaction(): on SQLite (one shared connection) a concurrent second
    // transaction would silently become a savepoint inside the first. inTransaction makes them
    // take turns there, and joins the caller's transaction (an event consumer's) when there is one.
    return inTransaction(this.dataSource, work);
  }
}

/** The manager of the caller's transaction, or the DataSource's own outside one. */
export const managerOf = (dataSource: DataSource, tx?: EntityManager) => tx ?? dataSource.manager;

/** True for a duplicate-key violation on either engine. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } };
  const code = e.driverError?.code ?? e.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
