import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OnEvent, type EventEnvelope, type EventOf } from '@tessera/events';
import { AuditLog } from '../audit/audit-log';
import { RevocationsService } from './revocations.service';

/** `revocation.completed` from the token service: the revocation's status, and its audit entry. */
@Injectable()
export class RevocationCompletedConsumer {
  constructor(
    private readonly revocations: RevocationsService,
    private readonly audit: AuditLog,
  ) {}

  @OnEvent('revocation.completed')
  async handle(payload: EventOf<'revocation.completed'>, envelope: EventEnvelope<'revocation.completed'>, tx: EntityManager) {
    await this.revocations.completed(payload, tx);
    await this.audit.record(
      {
        type: 'revocation.completed',
        actor: { type: 'system' },
        clientId: payload.clientId,
        subject: payload.sub,
        occurredAt: Date.parse(payload.completedAt),
        eventId: envelope.id,
        details: { revocation_id: payload.revocationId, grants: payload.grants, sessions: payload.sessions },
      },
      tx,
    );
  }
}
