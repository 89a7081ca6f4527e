import { z } from 'zod';

/**
 * Every event Tessera emits, with its payload schema and version. Event names and payloads
 * are persisted data (outbox rows, queued jobs, dead letters): never change a payload in
 * place. Add a new version of the event instead and migrate consumers first.
 */
const instant = z.iso.datetime({ offset: true });
const clientRef = z.object({ clientId: z.string().min(1) });
const subjectRef = z.object({ sub: z.string().min(1) });
const loginAttempt = z.object({
  sub: z.string().min(1).optional(),
  clientId: z.string().min(1).optional(),
  ip: z.string().min(1).optional(),
});

export const EVENTS = {
  'client.created': { version: 1, schema: clientRef },
  'client.updated': { version: 1, schema: clientRef },
  'client.deleted': { version: 1, schema: clientRef },
  'client.revoked': { version: 1, schema: clientRef.extend({ revokedAt: instant }) },
  'grant.revoked': {
    version: 1,
    schema: z.object({
      grantId: z.string().min(1),
      sub: z.string().min(1),
      clientId: z.string().min(1),
      revokedAt: instant,
    }),
  },
  'key.rotated': {
    version: 1,
    schema: z.object({
      alg: z.string().min(1),
      kid: z.string().min(1),
      previousKid: z.string().min(1).optional(),
    }),
  },
  'consent.granted': {
    version: 1,
    schema: z.object({
      grantId: z.string().min(1),
      sub: z.string().min(1),
      clientId: z.string().min(1),
      scopes: z.array(z.string().min(1)),
    }),
  },
  'user.created': { version: 1, schema: subjectRef },
  'user.updated': { version: 1, schema: subjectRef },
  'user.deleted': { version: 1, schema: subjectRef },
  'password.changed': { version: 1, schema: subjectRef },
  'session.ended': { version: 1, schema: z.object({ sessionId: z.string().min(1), sub: z.string().min(1) }) },
  'login.succeeded': { version: 1, schema: loginAttempt },
  'login.failed': { version: 1, schema: loginAttempt },
  'account.locked': { version: 1, schema: subjectRef },
  /** A second factor (TOTP, passkey, recovery codes) was added or removed. */
  'mfa.changed': { version: 1, schema: subjectRef.extend({ factor: z.string().min(1), change: z.enum(['added', 'removed']) }) },
  'logout.backchannel.requested': {
    version: 1,
    schema: z.object({
      clientId: z.string().min(1),
      sub: z.string().min(1),
      sid: z.string().min(1).optional(),
    }),
  },
  /**
   * An administrator revoked a client's access everywhere (no `sub`), or one user's access to
   * one client: every grant, refresh token, reference token and OP session of it. The token
   * service carries it out and answers with `revocation.completed`.
   */
  'revocation.requested': {
    version: 1,
    schema: z.object({
      revocationId: z.uuid(),
      clientId: z.string().min(1),
      sub: z.string().min(1).optional(),
      /** Also disable the client, so that it gets nothing new (client-wide revocations only). */
      disableClient: z.boolean(),
      requestedAt: instant,
    }),
  },
  'revocation.completed': {
    version: 1,
    schema: z.object({
      revocationId: z.uuid(),
      clientId: z.string().min(1),
      sub: z.string().min(1).optional(),
      /** What it ended: grants revoked, OP sessions the client was signed out of (back-channel logout queued). */
      grants: z.number().int().min(0),
      sessions: z.number().int().min(0),
      completedAt: instant,
    }),
  },
  'mail.requested': {
    version: 1,
    schema: z.object({
      to: z.email(),
      template: z.string().min(1),
      params: z.record(z.string(), z.unknown()),
    }),
  },
} as const satisfies Record<string, { version: number; schema: z.ZodType }>;

export type EventName = keyof typeof EVENTS;

export type EventOf<N extends EventName> = z.output<(typeof EVENTS)[N]['schema']>;

export interface EventEnvelope<N extends EventName = EventName> {
  /** A UUID; consumers and BullMQ deduplicate by it. */
  id: string;
  name: N;
  version: number;
  /** ISO-8601 instant, UTC. */
  occurredAt: string;
  payload: EventOf<N>;
}

/** One envelope type per event name, so `switch (envelope.name)` narrows the payload. */
export type AnyEventEnvelope = { [N in EventName]: EventEnvelope<N> }[EventName];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(EVENTS, name);
}

/**
 * The shape a consumer accepts off a queue before it looks at the payload: what arrives
 * there was serialized by another process (or another version of this code).
 */
export const envelopeSchema = z.object({
  id: z.uuid(),
  name: z.string().min(1),
  version: z.number().int().positive(),
  occurredAt: instant,
  payload: z.unknown(),
});
