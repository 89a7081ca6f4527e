import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OnEvent, type EventEnvelope, type EventOf } from '@tessera/events';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { GrantStore } from '../ports/grant.store';
import { TokenFamiliesService } from '../tokens/token-families.service';

/**
 * `user.deleted`: the user's grants are marked revoked (which also makes every JWT access token
 * issued to them before now inactive at introspection), and all their refresh tokens and
 * reference access tokens go. Idempotent: a second delivery finds nothing live.
 */
@Injectable()
export class UserDeletedConsumer {
  constructor(
    private readonly grants: GrantStore,
    private readonly families: TokenFamiliesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @OnEvent('user.deleted')
  async handle(payload: EventOf<'user.deleted'>, _envelope: EventEnvelope<'user.deleted'>, tx: EntityManager) {
    await this.grants.revokeBySub(payload.sub, epochSeconds(this.clock), tx);
    await this.families.revokeUserTokens(payload.sub, tx);
  }
}
