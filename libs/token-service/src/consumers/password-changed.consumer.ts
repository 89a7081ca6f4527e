import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OnEvent, type EventEnvelope, type EventOf } from '@tessera/events';
import { TokenFamiliesService } from '../tokens/token-families.service';

/**
 * `password.changed` (RFC 9700 §2.2.2: a security event that may revoke refresh tokens): every
 * refresh token and reference access token of the user goes, across clients, and the JWT access
 * tokens recorded with those refresh tokens are deny-listed. The grants (consents) stay: the
 * user signs in again and is not asked to consent again. Idempotent.
 */
@Injectable()
export class PasswordChangedConsumer {
  constructor(private readonly families: TokenFamiliesService) {}

  @OnEvent('password.changed')
  async handle(payload: EventOf<'password.changed'>, _envelope: EventEnvelope<'password.changed'>, tx: EntityManager) {
    await this.families.revokeUserTokens(payload.sub, tx);
  }
}
