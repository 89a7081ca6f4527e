import type { EventName } from './events';

/** The queue a service consumes: one per service, shared by all of its replicas. */
export const queueName = (service: string) => `tessera.${service}`;

const TOKEN_SERVICE = queueName('token-service');
const AUTH_SERVICE = queueName('auth-service');
const ADMIN_API = queueName('admin-api');

/**
 * A second queue of the token service for back-channel logout POSTs: they wait on clients'
 * servers (up to the delivery timeout each), so they run many at once on their own workers and
 * a slow client never holds up the service's other events (revocations, claims changes).
 */
export const BACKCHANNEL_QUEUE = `${TOKEN_SERVICE}.backchannel`;

/** Deliveries one replica runs at once per queue, where not 1 (overridable per service). */
export const QUEUE_CONCURRENCY: Readonly<Record<string, number>> = {
  [BACKCHANNEL_QUEUE]: 16,
  // Every consent, login and change becomes an audit entry: one delivery at a time (each its own
  // transaction and commit) fell behind a few hundred sign-ins a second, and the backlog grew
  // without bound, in memory in embedded mode. Its handlers are independent of one another
  // (an entry per event, a revocation's completion), so four run at once: on SQLite their
  // transactions still take turns in arrival order and share commits; on PostgreSQL they leave
  // most of the admin API's pool (10 connections) to its HTTP requests.
  [ADMIN_API]: 4,
};

/**
 * The queues a service consumes: its inbox `tessera.<service>` and its lanes
 * `tessera.<service>.<lane>`, as routed in SUBSCRIPTIONS.
 */
export function queuesOf(service: string, subscriptions: Subscriptions = SUBSCRIPTIONS): string[] {
  const inbox = queueName(service);
  const routed = new Set(Object.values(subscriptions).flatMap((queues) => queues ?? []));
  return [inbox, ...[...routed].filter((q) => q.startsWith(`${inbox}.`)).sort()];
}

export type Subscriptions = Partial<Record<EventName, readonly string[]>>;

/**
 * Which services' queues receive each event. Static on purpose: routing is reviewed like
 * code, and a producer never needs to know who listens.
 *
 * Queue names are persisted data (BullMQ keys in Redis, `dead_letters.queue`): renaming one
 * strands the jobs already waiting under the old name, so it needs a migration plan (drain
 * the old queue, then switch), never a plain rename. An event with no entry here is still
 * written to the outbox and then simply marked published.
 */
// The admin API keeps the audit log: every security-relevant event reaches it too.
export const SUBSCRIPTIONS: Subscriptions = {
  'client.created': [ADMIN_API],
  'client.updated': [ADMIN_API],
  'client.deleted': [ADMIN_API],
  'client.revoked': [TOKEN_SERVICE, ADMIN_API],
  'grant.revoked': [TOKEN_SERVICE, ADMIN_API],
  'key.rotated': [ADMIN_API],
  'consent.granted': [ADMIN_API],
  'user.created': [ADMIN_API],
  'user.updated': [TOKEN_SERVICE, ADMIN_API],
  'user.deleted': [TOKEN_SERVICE, ADMIN_API],
  'password.changed': [TOKEN_SERVICE, ADMIN_API],
  // Both ends of one lifecycle: the token service ends the OP sessions on a login session, the
  // auth-service ends a login session the token service ended (RP-initiated logout).
  'session.ended': [TOKEN_SERVICE, AUTH_SERVICE, ADMIN_API],
  'login.succeeded': [ADMIN_API],
  'login.failed': [ADMIN_API],
  'account.locked': [ADMIN_API],
  'mfa.changed': [ADMIN_API],
  'revocation.requested': [TOKEN_SERVICE],
  'revocation.completed': [ADMIN_API],
  'logout.backchannel.requested': [BACKCHANNEL_QUEUE],
  'mail.requested': [AUTH_SERVICE],
};
