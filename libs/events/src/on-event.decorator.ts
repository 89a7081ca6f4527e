import type { EventHandler } from './event-dispatcher';
import type { EventName } from './events';

/** Methods to the events they consume; a WeakMap needs no reflect-metadata polyfill loaded. */
const consumedEvents = new WeakMap<object, readonly EventName[]>();
/** Methods declared `transactional: false`, and the handlers bound from them. */
const nonTransactional = new WeakSet<object>();

export interface OnEventOptions {
  /**
   * `false`: the handler runs outside the dispatcher's transaction, for work that waits on
   * another system (an HTTP call), which must neither hold a transaction open meanwhile (on
   * SQLite every other write of the service would wait) nor lose what it records when it throws
   * to be retried. It runs before the event's transactional handlers, once the processed mark
   * was found absent, and the mark is written after it returns: a redelivery after success is
   * acknowledged without calling it, but a crash between its success and the mark repeats it,
   * so it must be idempotent on its own. Its `manager` is the DataSource's, in no transaction:
   * it writes in transactions of its own (`inTransaction`, a UnitOfWork). Default `true`.
   */
  transactional?: boolean;
}

/**
 * Declares a provider method as the consumer of an event on its service's queue. The method
 * receives the parsed payload, the envelope and the EntityManager of the transaction that also
 * records the event as processed: write through that manager and a redelivery never repeats
 * the work. Keep the method a thin adapter to a domain service (which HTTP can call too).
 *
 * @example
 *   @OnEvent('grant.revoked')
 *   async revokeTokens(payload: EventOf<'grant.revoked'>, _e: EventEnvelope, manager: EntityManager) { ... }
 */
export function OnEvent<N extends EventName>(name: N, options: OnEventOptions = {}) {
  // Generic over the method's own type: an `async` method's Promise<void> satisfies EventHandler.
  return <T extends EventHandler<N>>(
    _target: object,
    _key: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): void => {
    const method = descriptor.value;
    if (!method) throw new Error(`@OnEvent('${name}') must decorate a method`);
    const outside = options.transactional === false;
    if (consumedEvents.has(method) && nonTransactional.has(method) !== outside) {
      throw new Error(`@OnEvent('${name}'): a method's events are all transactional or none is`);
    }
    consumedEvents.set(method, [...(consumedEvents.get(method) ?? []), name]);
    if (outside) nonTransactional.add(method);
  };
}

/** Marks a handler to run outside the dispatcher's transaction (see `OnEventOptions.transactional`). */
export function outsideTransaction<H extends EventHandler<never>>(handler: H): H {
  nonTransactional.add(handler);
  return handler;
}

export const runsOutsideTransaction = (method: unknown): boolean =>
  typeof method === 'function' && nonTransactional.has(method);

export function eventNamesOf(method: unknown): readonly EventName[] {
  return typeof method === 'function' ? (consumedEvents.get(method) ?? []) : [];
}
