import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OnEvent, type EventEnvelope, type EventOf } from '@tessera/events';
import { LoginSessionsService } from './login-sessions.service';

/**
 * `session.ended` from the token service (RP-initiated logout ends the OP session and the login
 * session under it): ends that login session here. Idempotent; an already-ended session (this
 * service's own event coming back) changes nothing and emits nothing.
 */
@Injectable()
export class SessionEndedConsumer {
  constructor(private readonly sessions: LoginSessionsService) {}

  @OnEvent('session.ended')
  async handle(payload: EventOf<'session.ended'>, _envelope: EventEnvelope<'session.ended'>, tx: EntityManager) {
    await this.sessions.endById(payload.sessionId, tx);
  }
}
