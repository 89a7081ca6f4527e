import { hash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InvalidRequestError } from '@tessera/oauth-errors';
import { orderedRandomId, randomId, storageKey } from '@tessera/token-formats';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import { LogoutRequestStore, type LogoutRequest, type ValidatedLogoutRequest } from '../ports/logout-request.store';

/** The form field of the confirmation page that carries the one-time value. */
export const LOGOUT_CONFIRMATION_FIELD = 'logout_confirmation';

/** A new confirmation: the value goes in the page's form, the verifier only in an HttpOnly cookie. */
export interface IssuedLogoutConfirmation {
  value: string;
  verifier: string;
  cookieName: string;
  maxAge: number;
}

/**
 * Named after the confirmation (its hash, not its time-led storage key), so that logouts asked in
 * two tabs do not overwrite each other.
 */
export const logoutCookieName = (value: string) => `tessera_lv_${hash('sha256', value, 'base64url').slice(0, 16)}`;

/**
 * The "do you want to sign out?" step of RP-initiated logout. Its form carries a one-time value
 * (stored hashed, short-lived) that only counts together with the verifier cookie set on the
 * browser that was shown the page: another site can neither read the value nor make this
 * browser send a request the OP would take for the user's answer (CSRF), and a value copied
 * to another browser is useless.
 */
@Injectable()
export class LogoutConfirmationsService {
  constructor(
    private readonly store: LogoutRequestStore,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(request: ValidatedLogoutRequest, sid: string | undefined): Promise<IssuedLogoutConfirmation> {
    const value = orderedRandomId(32);
    const verifier = randomId(32);
    const now = epochSeconds(this.clock);
    await this.store.insert({
      storageKey: storageKey(value),
      verifierHash: storageKey(verifier),
      sid,
      request: {
        clientId: request.clientId,
        postLogoutRedirectUri: request.postLogoutRedirectUri,
        state: request.state,
        uiLocales: request.uiLocales,
      },
      createdAt: now,
      expiresAt: now + this.config.challengeTtl,
    });
    return { value, verifier, cookieName: logoutCookieName(value), maxAge: this.config.challengeTtl };
  }

  /** The answered confirmation, used up; one message for every reason it cannot be used. */
  async consume(value: string | undefined, cookies: Record<string, string | undefined>): Promise<LogoutRequest> {
    const verifier = value ? cookies[logoutCookieName(value)] : undefined;
    const found = value && verifier ? await this.store.consume(storageKey(value), storageKey(verifier), epochSeconds(this.clock)) : undefined;
    if (!found) {
      throw new InvalidRequestError('This sign-out confirmation is unknown, expired, already used or was shown to another browser. Sign out again from the application.', {
        detail: value && verifier ? 'logout confirmation not found, used, expired or verifier mismatch' : 'logout confirmation or its cookie missing',
      });
    }
    return found;
  }
}
