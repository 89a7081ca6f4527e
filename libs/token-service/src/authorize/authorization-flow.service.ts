import { AdminScopePolicy } from '../grants/admin-scope.policy';
import { Inject, Injectable } from '@nestjs/common';
import { Outbox } from '@tessera/events';
import { AccessDeniedError, ConsentRequiredError, LoginRequiredError, OAuthError } from '@tessera/oauth-errors';
import { claimsRequestedNames, essentialAcrValues, PROTOCOL_CLAIM_NAMES, type ClaimsRequest, type ScopeRegistry } from '@tessera/scopes';
import { generateReferenceToken, uuidV7 } from '@tessera/token-formats';
import type { Client } from '../clients/client';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import { ChallengesService, type IssuedChallenge } from '../interaction/challenges.service';
import { pageWithChallenge } from './page-with-challenge';
import { AuthorizationCodeStore } from '../ports/authorization-code.store';
import type { AnsweredChallenge, Challenge } from '../interaction/challenge';
import { GrantStore, type Grant } from '../ports/grant.store';
import type { OpSession } from '../ports/op-session.store';
import { UnitOfWork } from '../ports/unit-of-work';
import { OpSessionsService } from '../sessions/op-sessions.service';
import { audienceOf } from '../grants/audience';
import { satisfiesAcr, satisfiesEssentialAcr } from '../oidc/acr';
import { IdTokensService } from '../oidc/id-tokens.service';
import { SubjectsService } from '../oidc/subjects.service';
import { ResourceServersService } from '../resources/resource-servers.service';
import { SCOPE_REGISTRY } from '../token-service.tokens';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { userinfoClaimsOf, withoutDeclined } from '../oidc/userinfo-claims';
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
  /** The login and consent pages' URLs with a challenge, built once per kind. */
  private readonly pages: Partial<Record<'login' | 'consent', (challenge: string) => string>> = {};

  constructor(
    private readonly challenges: ChallengesService,
    private readonly sessions: OpSessionsService,
    private readonly grants: GrantStore,
    private readonly codes: AuthorizationCodeStore,
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly accessTokens: AccessTokensService,
    private readonly idTokens: IdTokensService,
    private readonly subjects: SubjectsService,
    private readonly resourceServers: ResourceServersService,
    private readonly adminScopes: AdminScopePolicy,
    @Inject(SCOPE_REGISTRY) private readonly registry: ScopeRegistry,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async start(request: AuthorizationRequest, client: Client, session: OpSession | undefined): Promise<FlowStep> {
    const now = epochSeconds(this.clock);
    // id_token_hint (OIDC Core §3.1.2.1) names who the client expects: another signed-in user
    // means a new login (and with prompt=none, login_required).
    const essentialAcr = request.claims ? essentialAcrValues(request.claims) : undefined;
    const expected = this.expectedSubject(request);
    const otherUser = session !== undefined && expected !== undefined && this.subjects.forClient(client, session.sub) !== expected;
    const loginNeeded =
      !session ||
      otherUser ||
      request.prompt.includes('login') ||
      request.prompt.includes('select_account') ||
      // max_age=0 is prompt=login (OIDC Core §3.1.2.1, errata set 2), even within the second.
      (request.maxAge !== undefined && (request.maxAge === 0 || now - session.authTime > request.maxAge)) ||
      // A class of authentication the session does not reach (say MFA): the login UI can step up.
      !satisfiesAcr(session.acr, request.acrValues) ||
      (essentialAcr !== undefined && !satisfiesEssentialAcr(session.acr, essentialAcr));
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
  async resume(challenge: AnsweredChallenge, client: Client, session: OpSession | undefined): Promise<{ step: FlowStep; newSession?: { cookieValue: string; session: OpSession } }> {
    const outcome = challenge.outcome;
    if (outcome.kind === 'rejected') {
      return { step: { kind: 'error', error: new OAuthError(outcome.error, outcome.errorDescription ?? 'The user or the sign-in service refused the request.') } };
    }
    if (outcome.kind === 'login') {
      const unmet = this.unmetByLogin(challenge, client, outcome.login);
      if (unmet) return { step: { kind: 'error', error: unmet } };
      // A new OP session at every login: the session id never survives an authentication.
      const created = await this.sessions.create(outcome.login);
      return { step: await this.afterLogin(challenge.request, client, created.session), newSession: created };
    }
    // Consent: the user it was asked of must still be the one signed in here.
    if (!session || !challenge.login || session.sid !== challenge.login.sid) {
      return { step: { kind: 'error', error: new LoginRequiredError('The sign-in session ended while consent was asked. Sign in again.') } };
    }
    const grant = await this.recordConsent(challenge.request, session, outcome.grantedScope, outcome.remember);
    return { step: await this.respond(challenge.request, client, session, grant, outcome.grantedScope) };
  }

  /**
   * The subject the client named (OIDC Core §3.1.2.1 id_token_hint, §5.5.1 a `sub` value in the
   * claims request), as the client knows it.
   */
  private expectedSubject(request: AuthorizationRequest): string | undefined {
    const requested = request.claims?.id_token?.['sub']?.value;
    return typeof requested === 'string' ? requested : request.idTokenHintSub;
  }

  /**
   * What a login just accepted must still satisfy before anything is issued on it: the user the
   * client named, an essential acr (§5.5.1.1: otherwise the authentication failed), and a
   * max_age that asked for a fresh authentication (§3.1.2.1: the OP MUST re-authenticate).
   */
  private unmetByLogin(challenge: Challenge, client: Client, login: LoginResult): OAuthError | undefined {
    const request = challenge.request;
    const expected = this.expectedSubject(request);
    if (expected !== undefined && this.subjects.forClient(client, login.sub) !== expected) {
      return new LoginRequiredError('The user who signed in is not the one this request is for.');
    }
    const essential = request.claims ? essentialAcrValues(request.claims) : undefined;
    if (essential && !satisfiesEssentialAcr(login.acr, essential)) {
      return new AccessDeniedError(`The sign-in did not reach the required authentication level (${essential.join(' or ')}).`);
    }
    // The authentication must not predate the request by more than max_age (the challenge was
    // created when the request arrived; its own time in the UI does not count against it).
    if (request.maxAge !== undefined && challenge.createdAt - login.authTime > request.maxAge) {
      return new LoginRequiredError('The sign-in is older than max_age allows; the user must authenticate again.');
    }
    return undefined;
  }

  private async afterLogin(request: AuthorizationRequest, client: Client, session: OpSession): Promise<FlowStep> {
    const remembered = await this.grants.findRemembered(session.sub, client.clientId);
    const covered = remembered && request.scope.every((s) => remembered.scopes.includes(s)) && this.claimsCovered(request.claims, remembered.scopes);
    const consentNeeded = request.prompt.includes('consent') || (!client.firstParty && !covered);
    if (consentNeeded) {
      if (request.prompt.includes('none')) {
        return { kind: 'error', error: new ConsentRequiredError('The user must consent, and prompt=none forbids asking.') };
      }
      return this.interaction('consent', request, { ...loginOf(session), sid: session.sid });
    }
    const grant = remembered ?? (await this.recordConsent(request, session, request.scope, true));
    return this.respond(request, client, session, grant, request.scope);
  }

  /** Claims named in the `claims` parameter beyond what the granted scopes release need consent. */
  private claimsCovered(claims: ClaimsRequest | undefined, scopes: readonly string[]): boolean {
    if (!claims) return true;
    const released = this.registry.claimsForScopes(scopes);
    const named = [...claimsRequestedNames(claims, 'id_token'), ...claimsRequestedNames(claims, 'userinfo')];
    return named.every((name) => released.has(name.split('#')[0]) || PROTOCOL_CLAIM_NAMES.has(name));
  }

  /**
   * The authorization response for the response type: a code, an access token, an ID token, or
   * a combination (OAuth 2.0 Multiple Response Types §5; OIDC Core §3.2.2.5, §3.3.2.5).
   */
  private async respond(request: AuthorizationRequest, client: Client, session: Authenticated, grant: Grant, consented: string[]): Promise<FlowStep> {
    const words = request.responseType.split(' ');
    // Consent cannot give what the user may not hold (admin scopes without the admin role).
    const scope = await this.adminScopes.grantableToUser(session.sub, consented);
    const claims = withoutDeclined(request.claims, this.registry, request.scope, scope);
    // The client is served on this OP session: it is notified when the session ends (logout).
    await this.sessions.recordClient(session.sid, client.clientId);
    const params: Record<string, string> = {};
    if (words.includes('code')) params['code'] = await this.issueCode(request, session, grant, scope, claims);
    if (words.includes('token')) {
      const { audience, format } = await audienceOf(this.resourceServers, request.resource, client);
      const access = await this.accessTokens.issue({
        client,
        sub: session.sub,
        scope,
        audience,
        format,
        grantId: grant.id,
        claims: userinfoClaimsOf(claims, request.claimsLocales),
      });
      Object.assign(params, { access_token: access.value, token_type: 'Bearer', expires_in: String(access.expiresIn), scope: scope.join(' ') });
    }
    if (words.includes('id_token')) {
      params['id_token'] = await this.idTokens.issue({
        client,
        sub: session.sub,
        scope,
        claims,
        claimsLocales: request.claimsLocales,
        nonce: request.nonce,
        authTime: session.authTime,
        acr: session.acr,
        amr: session.amr,
        sid: session.sid,
        accessToken: params['access_token'],
        code: params['code'],
        scopeClaimsInIdToken: request.responseType === 'id_token',
      });
    }
    return { kind: 'response', params };
  }

  private interaction(kind: 'login' | 'consent', request: AuthorizationRequest, login?: Challenge['login']): FlowStep {
    const challenge = this.challenges.create(kind, request, login);
    const page = (this.pages[kind] ??= pageWithChallenge(kind === 'login' ? this.config.loginUrl : this.config.consentUrl, `${kind}_challenge`));
    return { kind: 'interaction', url: page(challenge.challenge), challenge };
  }

  /** A consent becomes a grant (remembered or for this authorization only) and `consent.granted`. */
  private async recordConsent(request: AuthorizationRequest, session: Authenticated, scopes: string[], remember: boolean): Promise<Grant> {
    const now = epochSeconds(this.clock);
    // A time-ordered id: the grant's row, and the codes and tokens that name it, land at the end of
    // their indexes (time-ordered.ts).
    const grant: Grant = { id: uuidV7(), sub: session.sub, clientId: request.clientId, scopes, remember, createdAt: now, lastUsedAt: now };
    await this.uow.run(async (tx) => {
      await this.grants.insert(grant, tx);
      await this.outbox.add(tx, 'consent.granted', { grantId: grant.id, sub: grant.sub, clientId: grant.clientId, scopes });
    });
    return grant;
  }

  private async issueCode(request: AuthorizationRequest, session: Authenticated, grant: Grant, scope: string[], claims: ClaimsRequest | undefined): Promise<string> {
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
      claims,
      claimsLocales: request.claimsLocales,
      sid: session.sid,
      acr: session.acr,
      amr: session.amr,
      authTime: session.authTime,
      issuedAt: now,
      expiresAt: now + this.config.codeTtl,
    });
    return code.value;
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
