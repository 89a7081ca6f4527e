import type { Transaction, UnitOfWork } from '../../src/ports/unit-of-work';

/** What a contract suite gets for one test: a store over an empty database, and its unit of work. */
export interface StoreUnderTest<S> {
  store: S;
  uow: UnitOfWork;
  close(): Promise<void>;
}

/** Builds a store over a fresh, migrated database (one per test: no shared seed). */
export type MakeStore<S> = () => Promise<StoreUnderTest<S>>;

/**
 * Registers beforeEach/afterEach that open a fresh store for every test and close it after,
 * and returns an accessor for the current one.
 */
export function useFreshStore<S>(make: MakeStore<S>): () => StoreUnderTest<S> {
  let current: StoreUnderTest<S> | undefined;
  beforeEach(async () => {
    current = await make();
  });
  afterEach(async () => {
    const closing = current;
    current = undefined;
    await closing?.close();
  });
  return () => {
    if (!current) throw new Error('the store is opened in beforeEach; use it inside a test');
    return current;
  };
}

/** Thrown inside a unit of work to make it roll back. */
export class Rollback extends Error {
  constructor() {
    super('rollback requested by the test');
  }
}

/** Runs `work` in a unit of work that then throws, and checks the error reached the caller. */
export async function runAndRollBack(
  uow: UnitOfWork,
  work: (tx: Transaction) => Promise<unknown>,
): Promise<void> {
  await expect(
    uow.run(async (tx) => {
      await work(tx);
      throw new Rollback();
    }),
  ).rejects.toBeInstanceOf(Rollback);
}
