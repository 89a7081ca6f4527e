import { Body, Controller, Get, HttpCode, Inject, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import { InvalidRequestError, OAUTH_ERROR_STATUS, type OAuthErrorCode } from '@tessera/oauth-errors';
import { ClientsService } from '../../clients/clients.service';
import { CLOCK, epochSeconds, type Clock } from '../../clock';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../../config/token-service-config';
import { ChallengesService, MAX_LOGIN_BYTES } from '../../interaction/challenges.service';
import type { Challenge } from '../../interaction/challenge';
import { ACR_VALUES, acrOf, isAcrValue } from '../../oidc/acr';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { describeScopes, type ScopeRegistry } from '@tessera/scopes';
import { SCOPE_REGISTRY } from '../../token-service.tokens';
import { InternalApiGuard, InternalCallers } from './internal-api.guard';

/** The errors a login or consent UI may end a flow with; they reach the client as they are. */
const REJECTION_ERRORS = new Set<OAuthErrorCode>(['access_denied', 'login_required', 'consent_required', 'interaction_required', 'account_selection_required']);

/**
 * The challenge API the auth-service (and so the portal) drives, as Hydra's admin API does:
 * read what to show, then accept or reject. Every answer needs the browser's verifier, read by
 * the caller from the binding cookie named in `binding_cookie`.
 */
@Controller('internal/challenges')
@UseGuards(InternalApiGuard)
@InternalCallers('auth-service', 'operator')
@UseFilters(OAuthErrorFilter)
export class InternalChallengesController {
  constructor(
    private readonly challenges: ChallengesService,
    private readonly clients: ClientsService,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SCOPE_REGISTRY) private readonly registry: ScopeRegistry,
  ) {}

  @Get(':challenge')
  async read(@Param('challenge') challengeValue: string) {
    const challenge = await this.challenges.pending(challengeValue);
    const client = await this.clients.find(challenge.clientId);
    const r = challenge.request;
    const required = new Set((client?.scopes ?? []).filter((s) => s.required).map((s) => s.scope));
    return {
      kind: challenge.kind,
      challenge: challengeValue,
      binding_cookie: challenge.bindingCookie,
      expires_at: challenge.expiresAt,
      client: client && {
        client_id: client.clientId,
        client_name: client.clientName,
        client_uri: client.display['client_uri'],
        logo_uri: client.display['logo_uri'],
        policy_uri: client.display['policy_uri'],
        tos_uri: client.display['tos_uri'],
        first_party: client.firstParty,
        // The administrator's MFA rule for this client: `required` makes the auth-service ask for a second factor.
        mfa_policy: client.mfaPolicy,
      },
      requested_scope: r.scope,
      // What each scope means and releases, for the consent screen (libs/scopes).
      scope_details: describeScopes(this.registry, r.scope),
      required_scope: r.scope.filter((s) => required.has(s)),
      requested_resource: r.resource,
      prompt: r.prompt,
      max_age: r.maxAge,
      acr_values: r.acrValues,
      login_hint: r.loginHint,
      id_token_hint_sub: r.idTokenHintSub,
      ui_locales: r.uiLocales,
      display: r.display,
      // OpenID Connect Core §5.5: claims asked for individually, for the consent screen to show.
      requested_claims: r.claims && {
        id_token: r.claims.id_token ? Object.keys(r.claims.id_token) : undefined,
        userinfo: r.claims.userinfo ? Object.keys(r.claims.userinfo) : undefined,
      },
      subject: challenge.login?.sub,
      auth_time: challenge.login?.authTime,
    };
  }

  @Post(':challenge/accept')
  @HttpCode(200)
  async accept(@Param('challenge') challengeValue: string, @Body() body: unknown) {
    const b = asObject(body);
    const challenge = await this.challenges.pending(challengeValue);
    const answer =
      challenge.kind === 'login'
        ? this.challenges.accept(challenge, b['verifier'], { kind: 'login', login: this.parseLogin(b) })
        : this.challenges.accept(challenge, b['verifier'], { kind: 'consent', ...(await this.parseConsent(b, challenge)) });
    return { redirect_to: this.resumeUrl(answer) };
  }

  @Post(':challenge/reject')
  @HttpCode(200)
  async reject(@Param('challenge') challengeValue: string, @Body() body: unknown) {
    const b = asObject(body);
    const error = (b['error'] ?? 'access_denied') as OAuthErrorCode;
    if (!REJECTION_ERRORS.has(error) || !(error in OAUTH_ERROR_STATUS)) {
      throw new InvalidRequestError(`error must be one of: ${[...REJECTION_ERRORS].join(', ')}.`);
    }
    const description = b['error_description'];
    if (description !== undefined && (typeof description !== 'string' || description.length > 500)) {
      throw new InvalidRequestError('error_description must be a string of at most 500 characters.');
    }
    const challenge = await this.challenges.pending(challengeValue);
    const answer = this.challenges.reject(challenge, b['verifier'], { kind: 'rejected', error, errorDescription: description as string | undefined });
    return { redirect_to: this.resumeUrl(answer) };
  }

  /** Back to the authorization endpoint with the sealed answer (base64url: nothing to escape). */
  private resumeUrl(answer: string) {
    return `${this.config.issuer}/oauth2/authorize/resume?challenge=${answer}`;
  }

  private parseLogin(b: Record<string, unknown>) {
    const { sub, login_session_id, acr, amr, auth_time, remember, session_expires_at } = b;
    if (typeof sub !== 'string' || !sub || sub.length > 255) throw new InvalidRequestError('sub must be a non-empty string of at most 255 characters.');
    if (typeof login_session_id !== 'string' || !login_session_id || login_session_id.length > 255) {
      throw new InvalidRequestError('login_session_id must be a non-empty string of at most 255 characters.');
    }
    if (acr !== undefined && !isAcrValue(acr)) throw new InvalidRequestError(`acr must be one of: ${ACR_VALUES.join(', ')}.`);
    if (!Array.isArray(amr) || amr.length > 16 || !amr.every((v) => typeof v === 'string' && v.length <= 64)) {
      throw new InvalidRequestError('amr must be an array of at most 16 strings of at most 64 characters (RFC 8176).');
    }
    const now = epochSeconds(this.clock);
    if (!Number.isInteger(auth_time) || (auth_time as number) > now + 60) throw new InvalidRequestError('auth_time must be the epoch second the user authenticated.');
    if (remember !== undefined && typeof remember !== 'boolean') throw new InvalidRequestError('remember must be true or false.');
    if (session_expires_at !== undefined && (!Number.isInteger(session_expires_at) || (session_expires_at as number) <= now)) {
      throw new InvalidRequestError('session_expires_at must be the epoch second the login session expires, in the future.');
    }
    const login = {
      sub,
      loginSessionId: login_session_id,
      acr: acrOf(acr as string | undefined, amr as string[]),
      amr: amr as string[],
      authTime: auth_time as number,
      remember: remember === true,
      ...(session_expires_at !== undefined ? { loginSessionExpiresAt: session_expires_at as number } : {}),
    };
    // It travels sealed in URLs from here on (ChallengesService): bounded as it will be written.
    if (Buffer.byteLength(JSON.stringify(login)) > MAX_LOGIN_BYTES) {
      throw new InvalidRequestError(`The login result is too large to carry (more than ${MAX_LOGIN_BYTES} bytes as JSON): shorten sub or login_session_id.`);
    }
    return login;
  }

  /** Granted scopes must be among those requested and include every one the client marks required. */
  private async parseConsent(b: Record<string, unknown>, challenge: Challenge) {
    const { grant_scope, remember } = b;
    if (!Array.isArray(grant_scope) || !grant_scope.every((s) => typeof s === 'string')) {
      throw new InvalidRequestError('grant_scope must be an array of scope strings.');
    }
    const requested = new Set(challenge.request.scope);
    const beyond = grant_scope.filter((s) => !requested.has(s));
    if (beyond.length) throw new InvalidRequestError(`grant_scope may only contain requested scopes; not requested: ${beyond.join(' ')}.`);
    const client = await this.clients.find(challenge.clientId);
    const missing = (client?.scopes ?? []).filter((s) => s.required && requested.has(s.scope) && !grant_scope.includes(s.scope));
    if (missing.length) throw new InvalidRequestError(`grant_scope must include the scopes the client requires: ${missing.map((s) => s.scope).join(' ')}.`);
    if (remember !== undefined && typeof remember !== 'boolean') throw new InvalidRequestError('remember must be true or false.');
    return { grantedScope: [...new Set(grant_scope as string[])], remember: remember === true };
  }
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidRequestError('The body must be a JSON object.');
  return body as Record<string, unknown>;
}
