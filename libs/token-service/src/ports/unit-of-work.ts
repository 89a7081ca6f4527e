/** An open transaction; stores take it so that a change and its outbox event commit together. */
export type Transaction = import('typeorm').EntityManager;

export abstract class UnitOfWork {
  abstract run<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
}
