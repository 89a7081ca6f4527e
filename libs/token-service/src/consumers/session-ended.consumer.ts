import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OnEvent, type EventEnvelope, type EventOf } from '@tessera/events';
import { OpSessionEndingService } from '../sessions/op-session-ending.service';

/**
 * `session.ended` (a login session ended: sign-out in the portal, a password change, an account
 * deletion or lock, an admin action, or this service's own RP-initiated logout): every OP session
 * built on it ends, and its clients with a backchannel_logout_uri are notified, in the
 * consumer's transaction. This is the only way a user's OP sessions end besides RP-initiated
 * logout, so `user.deleted` and `password.changed` (which end the login sessions, hence emit
 * this event) never notify a client a second time. Idempotent: a session already ended is not
 * ended, nor announced, again.
 */
@Injectable()
export class SessionEndedConsumer {
  constructor(private readonly ending: OpSessionEndingService) {}

  @OnEvent('session.ended')
  async handle(payload: EventOf<'session.ended'>, _envelope: EventEnvelope<'session.ended'>, tx: EntityManager) {
    await this.ending.endLoginSession(payload.sessionId, tx);
  }
}
