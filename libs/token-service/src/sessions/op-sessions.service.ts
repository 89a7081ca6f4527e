import { Inject, Injectable } from '@nestjs/common';
import { orderedRandomId, storageKey } from '@tessera/token-formats';
import type { LoginResult } from '../authorize/authorization-request';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import { OpSessionStore, type OpSession } from '../ports/op-session.store';

export const OP_SESSION_COOKIE = 'tessera_session';

/**
 * OP sessions: created from an accepted login (always a new id: no session fixation), found by
 * the hash of their cookie, ended with their login session.
 */
@Injectable()
export class OpSessionsService {
  constructor(
    private readonly store: OpSessionStore,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(login: LoginResult): Promise<{ cookieValue: string; session: OpSession }> {
    // Ordered values: the session's key and sid land at the end of their indexes (time-ordered.ts).
    const cookieValue = orderedRandomId(32);
    const now = epochSeconds(this.clock);
    const session: OpSession = {
      storageKey: storageKey(cookieValue),
      sid: orderedRandomId(16),
      sub: login.sub,
      loginSessionId: login.loginSessionId,
      acr: login.acr,
      amr: login.amr,
      authTime: login.authTime,
      createdAt: now,
      expiresAt: Math.min(now + this.config.sessionTtl, login.loginSessionExpiresAt ?? Infinity),
    };
    await this.store.insert(session);
    return { cookieValue, session };
  }

  async fromCookie(cookieValue: string | undefined): Promise<OpSession | undefined> {
    if (!cookieValue) return undefined;
    return this.store.findActive(storageKey(cookieValue), epochSeconds(this.clock));
  }

  end(cookieValue: string) {
    return this.store.end(storageKey(cookieValue), epochSeconds(this.clock));
  }

  /**
   * Remembers that `clientId` got a code or tokens on the session (idempotent), so that the
   * client is notified (front- and back-channel logout) when the session ends.
   */
  recordClient(sid: string, clientId: string) {
    return this.store.addClient(sid, clientId, epochSeconds(this.clock));
  }
}
