import type { EventHandler } from './event-dispatcher';
import type { EventName } from './events';

/** Methods to the events they consume; a WeakMap needs no reflect-metadata polyfill loaded. */
const consumedEvents = new WeakMap<object, readonly EventName[]>();

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
export function OnEvent<N extends EventName>(name: N) {
  // Generic over the method's own type: an `async` method's Promise<void> satisfies EventHandler.
  return <T extends EventHandler<N>>(
    _target: object,
    _key: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): void => {
    const method = descriptor.value;
    if (!method) throw new Error(`@OnEvent('${name}') must decorate a method`);
    consumedEvents.set(method, [...(consumedEvents.get(method) ?? []), name]);
  };
}

export function eventNamesOf(method: unknown): readonly EventName[] {
  return typeof method === 'function' ? (consumedEvents.get(method) ?? []) : [];
}
