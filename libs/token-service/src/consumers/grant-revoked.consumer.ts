import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OnEvent, type EventEnvelope, type EventOf } from '@tessera/events';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { AccessTokenStore } from '../ports/access-token.store';
import { GrantStore } from '../ports/grant.store';

/**
 * `grant.revoked`: the grant's reference tokens are deleted and the grant marked revoked, which
 * makes its JWT access tokens inactive at introspection (issued before the revocation).
 */
@Injectable()
export class GrantRevokedConsumer {
  constructor(
    private readonly accessTokens: AccessTokenStore,
    private readonly grants: GrantStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @OnEvent('grant.revoked')
  async handle(payload: EventOf<'grant.revoked'>, _envelope: EventEnvelope<'grant.revoked'>, tx: EntityManager) {
    const at = Math.floor(Date.parse(payload.revokedAt) / 1000) || epochSeconds(this.clock);
    await this.grants.markRevoked(payload.grantId, at, tx);
    await this.accessTokens.deleteByGrant(payload.grantId, tx);
  }
}
