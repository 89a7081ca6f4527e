import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Outbox } from '@tessera/events';
import { ConsentRequiredError, LoginRequiredError, OAuthError } from '@tessera/oauth-errors';
import { generateReferenceToken } from '@tessera/token-formats';
import type { Client } from '../clients/client';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import { ChallengesService, type IssuedChallenge } from '../interaction/challenges.service';
import { AuthorizationCodeStore } from '../ports/authorization-code.store';
import type { Challenge } from '../ports/challenge.store';
import { GrantStore, type Grant } from '../ports/grant.store';
import type { OpSession } from '../ports/op-session.store';
import { UnitOfWork } from '../ports/unit-of-work';
import { OpSessionsService } from '../sessions/op-sessions.service';
import type { AuthorizationRequest, LoginResult } from './authorization-request';

/** Where the authorization endpoint sends the browser next. */
export type FlowStep =
  | { kind: 'interaction'; url: string; challenge: IssuedChallenge }
  | { kind: 'response'; params: Record<string, string> }
  | { kind: 'error'; error: OAuthError };

/** The authenticated user and how, from the OP session or a login just accepted. */
type Authenticated = Pick<OpSession, 'sub' | 'sid' | 'acr' | 'amr' | 'authTime'>;

/**
 * The decision at the heart of /authorize (Hydra's flow, panva's prompts): is a login needed,
 * then a consent, else issue the code. A valid OP session that satisfies the request skips the
 * login with no round trip; a remembered grant covering the scopes (or a first-party client)
 * skips the consent unless prompt=consent.
 */
@Injectable()
export class AuthorizationFlowService {
  constructor(
    private readonly challenges: ChallengesService,
    private readonly sessions: OpSessionsService,
    private readonly grants: GrantStore,
    private readonly codes: AuthorizationCodeStore,
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async start(request: AuthorizationRequest, client: Client, session: OpSession | undefined): Promise<FlowStep> {
    const now = epochSeconds(this.clock);
    const loginNeeded =
      !session ||
      request.prompt.includes('login') ||
      request.prompt.includes('select_account') ||
      (request.maxAge !== undefined && now - session.authTime > request.maxAge);
    if (loginNeeded) {
      if (request.prompt.includes('none')) {
        return { kind: 'error', error: new LoginRequiredError('The user must sign in, and prompt=none forbids asking.') };
      }
      const current = session ? { ...loginOf(session), sid: session.sid } : undefined;
      return this.interaction('login', request, current);
    }
    return this.afterLogin(request, client, session);
  }

  /** Back from the login or consent UI with an answered challenge. */
  async resume(challenge: Challenge, client: Client, session: OpSession | undefined): Promise<{ step: FlowStep; newSession?: { cookieValue: string; session: OpSession } }> {
    const outcome = challenge.outcome;
    if (!outcome) throw new Error('resume() needs an answered challenge');
    if (outcome.kind === 'rejected') {
      return { step: { kind: 'error', error: new OAuthError(outcome.error, outcome.errorDescription ?? 'The user or the sign-in service refused the request.') } };
    }
    if (outcome.kind === 'login') {
      // A new OP session at every login: the session id never survives an authentication.
      const created = await this.sessions.create(outcome.login);
      return { step: await this.afterLogin(challenge.request, client, created.session), newSession: created };
    }
    // Consent: the user it was asked of must still be the one signed in here.
    if (!session || !challenge.login || session.sid !== challenge.login.sid) {
      return { step: { kind: 'error', error: new LoginRequiredError('The sign-in session ended while consent was asked. Sign in again.') } };
    }
    const grant = await this.recordConsent(challenge.request, session, outcome.grantedScope, outcome.remember);
    return { step: await this.issueCode(challenge.request, session, grant, outcome.grantedScope) };
  }

  private async afterLogin(request: AuthorizationRequest, client: Client, session: OpSession): Promise<FlowStep> {
    const remembered = await this.grants.findRemembered(session.sub, client.clientId);
    const covered = remembered && request.scope.every((s) => remembered.scopes.includes(s));
    const consentNeeded = request.prompt.includes('consent') || (!client.firstParty && !covered);
    if (consentNeeded) {
      if (request.prompt.includes('none')) {
        return { kind: 'error', error: new ConsentRequiredError('The user must consent, and prompt=none forbids asking.') };
      }
      return this.interaction('consent', request, { ...loginOf(session), sid: session.sid });
    }
    const grant = remembered ?? (await this.recordConsent(request, session, request.scope, true));
    return this.issueCode(request, session, grant, request.scope);
  }

  private async interaction(kind: 'login' | 'consent', request: AuthorizationRequest, login?: Challenge['login']): Promise<FlowStep> {
    const challenge = await this.challenges.create(kind, request, login);
    const base = kind === 'login' ? this.config.loginUrl : this.config.consentUrl;
    const url = new URL(base);
    url.searchParams.set(`${kind}_challenge`, challenge.challenge);
    return { kind: 'interaction', url: url.toString(), challenge };
  }

  /** A consent becomes a grant (remembered or for this authorization only) and `consent.granted`. */
  private async recordConsent(request: AuthorizationRequest, session: Authenticated, scopes: string[], remember: boolean): Promise<Grant> {
    const now = epochSeconds(this.clock);
    const grant: Grant = { id: randomUUID(), sub: session.sub, clientId: request.clientId, scopes, remember, createdAt: now, lastUsedAt: now };
    await this.uow.run(async (tx) => {
      await this.grants.insert(grant, tx);
      await this.outbox.add(tx, 'consent.granted', { grantId: grant.id, sub: grant.sub, clientId: grant.clientId, scopes });
    });
    return grant;
  }

  private async issueCode(request: AuthorizationRequest, session: Authenticated, grant: Grant, scope: string[]): Promise<FlowStep> {
    const now = epochSeconds(this.clock);
    const code = generateReferenceToken('authorization_code');
    await this.codes.insert({
      storageKey: code.storageKey,
      clientId: request.clientId,
      grantId: grant.id,
      sub: session.sub,
      scope,
      resource: request.resource,
      redirectUri: request.redirectUri,
      redirectUriSent: request.redirectUriSent,
      codeChallenge: request.codeChallenge,
      codeChallengeMethod: request.codeChallengeMethod,
      nonce: request.nonce,
      sid: session.sid,
      acr: session.acr,
      amr: session.amr,
      authTime: session.authTime,
      issuedAt: now,
      expiresAt: now + this.config.codeTtl,
    });
    return { kind: 'response', params: { code: code.value } };
  }
}

const loginOf = (s: Authenticated & { loginSessionId?: string }): LoginResult => ({
  sub: s.sub,
  loginSessionId: s.loginSessionId ?? '',
  acr: s.acr,
  amr: s.amr,
  authTime: s.authTime,
  remember: false,
});
