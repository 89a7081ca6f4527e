import type { EventName } from './events';

/** The queue a service consumes: one per service, shared by all of its replicas. */
export const queueName = (service: string) => `tessera.${service}`;

const TOKEN_SERVICE = queueName('token-service');
const AUTH_SERVICE = queueName('auth-service');
/** admin-api owns the audit log, so security-relevant events also go there. */
const ADMIN_API = queueName('admin-api');

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
export const SUBSCRIPTIONS: Subscriptions = {
  'client.created': [ADMIN_API],
  'client.updated': [ADMIN_API],
  'client.deleted': [ADMIN_API],
  'client.revoked': [TOKEN_SERVICE, ADMIN_API],
  'grant.revoked': [TOKEN_SERVICE, ADMIN_API],
  'key.rotated': [ADMIN_API],
  'consent.granted': [ADMIN_API],
  'user.updated': [ADMIN_API],
  'user.deleted': [TOKEN_SERVICE, ADMIN_API],
  'password.changed': [TOKEN_SERVICE, ADMIN_API],
  'session.ended': [TOKEN_SERVICE, ADMIN_API],
  'login.succeeded': [ADMIN_API],
  'login.failed': [ADMIN_API],
  'account.locked': [ADMIN_API],
  'logout.backchannel.requested': [TOKEN_SERVICE],
  'mail.requested': [AUTH_SERVICE],
};
