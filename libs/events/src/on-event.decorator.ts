import type { EventHandler } from './event-dispatcher';
import type { EventName } from './events';

export const ON_EVENT_METADATA = Symbol.for('tessera.events.on-event');

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
  return <T extends EventHandler<N>>(_target: object, _key: string | symbol, descriptor: TypedPropertyDescriptor<T>): void => {
    const method = descriptor.value;
    if (!method) throw new Error(`@OnEvent('${name}') must decorate a method`);
    const names: EventName[] = Reflect.getMetadata(ON_EVENT_METADATA, method) ?? [];
    Reflect.defineMetadata(ON_EVENT_METADATA, [...names, name], method);
  };
}

export function eventNamesOf(method: unknown): readonly EventName[] {
  return typeof method === 'function' ? (Reflect.getMetadata(ON_EVENT_METADATA, method) ?? []) : [];
}
