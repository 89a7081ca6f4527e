import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OnEvent, type EventEnvelope, type EventOf } from '@tessera/events';
import { ClientsService } from '../clients/clients.service';
import { AccessTokenStore } from '../ports/access-token.store';

/**
 * `client.revoked` (from the admin API or this service's own internal API): the client's
 * reference tokens go, and its cached copy is dropped on every replica so that the new
 * `revoked_before` takes effect for JWTs at once. Idempotent: deleting twice deletes nothing more.
 */
@Injectable()
export class ClientRevokedConsumer {
  constructor(
    private readonly accessTokens: AccessTokenStore,
    private readonly clients: ClientsService,
  ) {}

  @OnEvent('client.revoked')
  async handle(payload: EventOf<'client.revoked'>, _envelope: EventEnvelope<'client.revoked'>, tx: EntityManager) {
    await this.accessTokens.deleteByClient(payload.clientId, tx);
    await this.clients.invalidate(payload.clientId);
  }
}
