import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OnEvent, type AnyEventEnvelope, type EventEnvelope, type EventName } from '@tessera/events';
import { AuditLog, type NewAuditEntry } from './audit-log';

/**
 * The other services' security events into the audit log, in the transaction that marks the
 * event processed: fed by the outbox, so an entry is never lost to a queue outage, and recorded
 * once however often the event arrives. Only allow-listed fields are copied: no event carries a
 * secret, and none may reach the log through here if one ever did.
 */
@Injectable()
export class AuditConsumer {
  constructor(private readonly audit: AuditLog) {}

  @OnEvent('client.created')
  @OnEvent('client.updated')
  @OnEvent('client.deleted')
  @OnEvent('client.revoked')
  @OnEvent('grant.revoked')
  @OnEvent('key.rotated')
  @OnEvent('consent.granted')
  @OnEvent('user.created')
  @OnEvent('user.updated')
  @OnEvent('user.deleted')
  @OnEvent('password.changed')
  @OnEvent('session.ended')
  @OnEvent('login.succeeded')
  @OnEvent('login.failed')
  @OnEvent('account.locked')
  @OnEvent('mfa.changed')
  async record(_payload: unknown, envelope: EventEnvelope<EventName>, tx: EntityManager) {
    await this.audit.record(entryOf(envelope as AnyEventEnvelope), tx);
  }
}

/** What the log keeps of each event. */
export function entryOf(envelope: AnyEventEnvelope): NewAuditEntry {
  const base = { type: envelope.name, occurredAt: Date.parse(envelope.occurredAt), eventId: envelope.id, actor: { type: 'system' as const } };
  switch (envelope.name) {
    case 'client.created':
    case 'client.updated':
    case 'client.deleted':
      return { ...base, clientId: envelope.payload.clientId };
    case 'client.revoked':
      return { ...base, clientId: envelope.payload.clientId, details: { revoked_at: envelope.payload.revokedAt } };
    case 'grant.revoked':
      return { ...base, subject: envelope.payload.sub, clientId: envelope.payload.clientId, details: { grant_id: envelope.payload.grantId } };
    case 'consent.granted':
      return { ...base, actor: { type: 'user', id: envelope.payload.sub }, subject: envelope.payload.sub, clientId: envelope.payload.clientId, details: { grant_id: envelope.payload.grantId, scopes: envelope.payload.scopes } };
    case 'key.rotated':
      return { ...base, details: { alg: envelope.payload.alg, kid: envelope.payload.kid, ...(envelope.payload.previousKid ? { previous_kid: envelope.payload.previousKid } : {}) } };
    case 'session.ended':
      return { ...base, subject: envelope.payload.sub, details: { session_id: envelope.payload.sessionId } };
    case 'login.succeeded':
    case 'login.failed':
      return {
        ...base,
        actor: envelope.payload.sub ? { type: 'user', id: envelope.payload.sub } : { type: 'system' },
        subject: envelope.payload.sub,
        clientId: envelope.payload.clientId,
        ip: envelope.payload.ip,
      };
    case 'mfa.changed':
      return { ...base, subject: envelope.payload.sub, details: { factor: envelope.payload.factor, change: envelope.payload.change } };
    case 'user.created':
    case 'user.updated':
    case 'user.deleted':
    case 'password.changed':
    case 'account.locked':
      return { ...base, subject: envelope.payload.sub };
    default:
      return { ...base, details: {} };
  }
}
