import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OnEvent, type EventEnvelope, type EventOf } from '@tessera/events';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { GrantStore } from '../ports/grant.store';
import { TokenFamiliesService } from '../tokens/token-families.service';

/**
 * `grant.revoked`: the grant is marked revoked, which makes its JWT access tokens inactive at
 * introspection (issued before the revocation); its refresh tokens are revoked and its
 * reference tokens deleted, the JWTs recorded with its refresh tokens deny-listed.
 * Idempotent: a second delivery finds nothing left to revoke.
 */
@Injectable()
export class GrantRevokedConsumer {
  constructor(
    private readonly grants: GrantStore,
    private readonly families: TokenFamiliesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @OnEvent('grant.revoked')
  async handle(payload: EventOf<'grant.revoked'>, _envelope: EventEnvelope<'grant.revoked'>, tx: EntityManager) {
    const at = Math.floor(Date.parse(payload.revokedAt) / 1000) || epochSeconds(this.clock);
    await this.grants.markRevoked(payload.grantId, at, tx);
    await this.families.revokeGrant(payload.grantId, tx);
  }
}
