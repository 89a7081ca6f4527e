import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OnEvent, type EventEnvelope, type EventOf } from '@tessera/events';
import { ClientsService } from '../clients/clients.service';
import { AccessTokenStore } from '../ports/access-token.store';
import { RefreshTokenStore } from '../ports/refresh-token.store';

/**
 * `client.revoked` (from the admin API or this service's own internal API): the client's
 * reference tokens and refresh tokens go, and its cached copy is dropped on every replica so
 * that the new `revoked_before` takes effect for JWTs at once. Idempotent: revoking twice
 * revokes nothing more.
 */
@Injectable()
export class ClientRevokedConsumer {
  constructor(
    private readonly accessTokens: AccessTokenStore,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly clients: ClientsService,
  ) {}

  @OnEvent('client.revoked')
  async handle(payload: EventOf<'client.revoked'>, _envelope: EventEnvelope<'client.revoked'>, tx: EntityManager) {
    // Only what the revocation covers: the event may arrive late, after the client got new tokens.
    const revokedAt = Math.floor(Date.parse(payload.revokedAt) / 1000);
    await this.accessTokens.deleteByClient(payload.clientId, tx, revokedAt);
    await this.refreshTokens.revokeByClient(payload.clientId, revokedAt, tx, revokedAt);
    await this.clients.invalidate(payload.clientId);
  }
}
