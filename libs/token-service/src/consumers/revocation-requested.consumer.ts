import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OnEvent, type EventEnvelope, type EventOf } from '@tessera/events';
import { AccessRevocationService } from '../revocations/access-revocation.service';

/**
 * `revocation.requested` (the admin API): an administrator revoked a client's access, for every
 * user or one. Carried out in the dispatcher's transaction, which also writes
 * `revocation.completed`. Idempotent by event id (the processed mark) and by `revocationId`
 * (AccessRevocationService), so a request sent twice revokes once.
 */
@Injectable()
export class RevocationRequestedConsumer {
  constructor(private readonly revocations: AccessRevocationService) {}

  @OnEvent('revocation.requested')
  async handle(payload: EventOf<'revocation.requested'>, _envelope: EventEnvelope<'revocation.requested'>, tx: EntityManager) {
    await this.revocations.carryOut(payload, tx);
  }
}
