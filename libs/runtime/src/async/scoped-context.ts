import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * An AsyncLocalStorage whose cost is paid only while one of its `run()` scopes is in flight.
 *
 * Why: on Node 20, AsyncLocalStorage propagates its store through async_hooks. Once any instance
 * has been entered, every promise and every async resource the process creates runs an init hook,
 * whether or not it will ever read a store: 6 % or more of the CPU of a request that never opens a
 * transaction (the token endpoint, introspection, UserInfo; docs/benchmarks.md). Node turns the
 * hooks off again when every instance is disabled, so this one disables itself when its last scope
 * ends, and enables itself again on the next `run()`.
 *
 * Disabling is safe at that moment because nothing may need the store any more: a scope lasts
 * until the promise of its work settles, and work it left running in the background (a promise
 * nobody awaits) is outside the scope by definition, so `getStore()` there answering `undefined`
 * is the truth. While another scope is in flight, such background work may still read the store it
 * was started with, exactly as with a plain AsyncLocalStorage: a store is a hint to be checked
 * against what is current (the SQLite guard compares its transaction's token with the running one).
 */
export class ScopedContext<T> {
  private readonly storage = new AsyncLocalStorage<T>();
  private scopes = 0;

  /** The store of the scope the caller runs in; `undefined` outside every scope. */
  getStore(): T | undefined {
    return this.scopes === 0 ? undefined : this.storage.getStore();
  }

  /** Runs `work` with `store` as the current store until the promise it returns settles. */
  async run<R>(store: T, work: () => Promise<R>): Promise<R> {
    this.scopes++;
    try {
      return await this.storage.run(store, work);
    } finally {
      if (--this.scopes === 0) this.storage.disable();
    }
  }

  /** How many scopes are in flight (0: the storage is disabled and costs nothing). */
  get inFlight(): number {
    return this.scopes;
  }
}
