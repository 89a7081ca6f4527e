import { AdminScopePolicy } from './admin-scope.policy';
import { Inject, Injectable } from '@nestjs/common';
import { Outbox } from '@tessera/events';
import { InvalidGrantError, InvalidRequestError, InvalidScopeError, UnauthorizedClientError } from '@tessera/oauth-errors';
import { generateReferenceToken, uuidV7 } from '@tessera/token-formats';
import type { AccessTokenFormat, Client } from '../clients/client';
import { splitScope } from '../clients/client-metadata';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import type { RequestParams } from '../http/form';
import { ACR_PASSWORD, acrOf } from '../oidc/acr';
import { IdTokensService } from '../oidc/id-tokens.service';
import { CredentialCheck, type CredentialCheckResult } from '../ports/credential-check';
import { GrantStore, type Grant } from '../ports/grant.store';
import { RefreshTokenStore } from '../ports/refresh-token.store';
import { UnitOfWork, type Transaction } from '../ports/unit-of-work';
import { ResourceServersService } from '../resources/resource-servers.service';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { audienceOf } from './audience';
import { mayHoldRefreshToken } from './authorization-code.grant';
import { GrantHandler, type TokenRequestContext, type TokenResponse, type ValidatedGrant } from './grant-handler';

/** The credential check refuses longer ones; refusing them here saves the round trip. */
const MAX_USERNAME = 320;
const MAX_PASSWORD = 1024;

interface PasswordGrant extends ValidatedGrant {
  sub: string;
  amr: string[];
  authTime: number;
  scope: string[];
  resource: string[];
  audience: string[];
  format?: AccessTokenFormat;
}

/**
 * The legacy resource owner password credentials grant (RFC 6749 §4.3), for the clients an
 * administrator enabled it for (dynamic registration never can: client-metadata.ts). The
 * username and password are forwarded to the authentication service's credential check and
 * kept nowhere: not in the grant, not in a token, not in a log line or an error's detail.
 *
 * What the user gets is what the authorization-code flow gives: the scopes asked for within the
 * client's allowed ones, an ID token with `openid`, a refresh token when the client may hold one,
 * and a grant the user sees (and can revoke) among their connected apps.
 */
@Injectable()
export class PasswordGrantHandler extends GrantHandler {
  readonly grantType = 'password';
  readonly parameters = new Set(['username', 'password', 'scope', 'resource']);
  override readonly repeatableParameters = new Set(['resource']);
  /** §4.3.2: a confidential client authenticates (by its registered method); a public one sends client_id. */
  readonly clientAuthentication = 'optional' as const;

  constructor(
    private readonly credentials: CredentialCheck,
    private readonly grants: GrantStore,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly accessTokens: AccessTokensService,
    private readonly resourceServers: ResourceServersService,
    private readonly idTokens: IdTokensService,
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly adminScopes: AdminScopePolicy,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super();
  }

  async validate(params: RequestParams, client: Client, context: TokenRequestContext): Promise<PasswordGrant> {
    const { username, password } = params.one;
    if (username === undefined || password === undefined) {
      throw new InvalidRequestError('username and password are required (RFC 6749 section 4.3.2).');
    }
    if (username.length > MAX_USERNAME) throw new InvalidRequestError(`username must be at most ${MAX_USERNAME} characters.`);
    if (password.length > MAX_PASSWORD) throw new InvalidRequestError(`password must be at most ${MAX_PASSWORD} characters.`);

    // Everything the request itself can get wrong is refused before the credentials are tried,
    // so that a bad scope never counts as a sign-in attempt.
    // The grant cannot ask for a second factor: a client whose policy requires MFA (mfa_policy,
    // or default_acr_values that accept MFA only) never gets tokens from a password alone.
    if (client.mfaPolicy === 'required' || (client.defaultAcrValues?.length && !client.defaultAcrValues.includes(ACR_PASSWORD))) {
      throw new UnauthorizedClientError('This client requires multi-factor authentication, which the password grant cannot perform; use the authorization code flow.');
    }
    const scope = requestedScope(params.one['scope'], client);
    const resource = params.many['resource'] ?? [];
    const { audience, format } = await audienceOf(this.resourceServers, resource, client);

    const result = await this.credentials.check({ username, password, clientId: client.clientId, ip: context.ip });
    const { sub, amr, authTime } = authenticated(result);
    return { sub, amr, authTime, scope: await this.adminScopes.grantableToUser(sub, scope), resource, audience, format };
  }

  async issue(validated: ValidatedGrant, client: Client): Promise<TokenResponse> {
    const g = validated as PasswordGrant;
    const now = epochSeconds(this.clock);
    const familyId = uuidV7();
    // The credential check says how the user authenticated; the acr follows from it as for a login.
    const acr = acrOf(undefined, g.amr);
    // Prepared before anything is written: a user directory outage refuses the request cleanly.
    const signIdToken = g.scope.includes('openid')
      ? await this.idTokens.prepare({ client, sub: g.sub, scope: g.scope, authTime: g.authTime, acr, amr: g.amr })
      : undefined;
    const remembered = await this.grants.findRemembered(g.sub, client.clientId);
    const issued = await this.uow.run(async (tx) => {
      const grant = await this.grantFor(g, client, remembered, now, tx);
      const access = await this.accessTokens.issue(
        { client, sub: g.sub, scope: g.scope, audience: g.audience, format: g.format, grantId: grant.id, familyId },
        tx,
      );
      let refreshToken: string | undefined;
      if (mayHoldRefreshToken(client, g.scope)) {
        const refresh = generateReferenceToken('refresh_token');
        await this.refreshTokens.insert(
          {
            storageKey: refresh.storageKey,
            familyId,
            grantId: grant.id,
            clientId: client.clientId,
            sub: g.sub,
            scope: g.scope,
            resource: g.resource,
            acr,
            amr: g.amr,
            authTime: g.authTime,
            accessJti: access.format === 'jwt' ? access.jti : undefined,
            accessExpiresAt: access.format === 'jwt' ? access.expiresAt : undefined,
            issuedAt: now,
            expiresAt: now + client.refreshTokenTtl,
          },
          tx,
        );
        refreshToken = refresh.value;
      }
      return { access, refreshToken };
    });
    const idToken = signIdToken?.({ accessToken: issued.access.value });
    return {
      access_token: issued.access.value,
      token_type: 'Bearer',
      expires_in: issued.access.expiresIn,
      ...(g.scope.length ? { scope: g.scope.join(' ') } : {}),
      ...(issued.refreshToken ? { refresh_token: issued.refreshToken } : {}),
      ...(idToken ? { id_token: idToken } : {}),
    };
  }

  /**
   * The user's grant for the client, as the authorization-code flow records one for a client
   * that asks no consent (a first-party client): the user's remembered grant when it covers the
   * scopes, else a new remembered grant with `consent.granted`. Either way the client is among
   * the user's connected apps, and revoking it there revokes these tokens.
   */
  private async grantFor(g: PasswordGrant, client: Client, remembered: Grant | undefined, now: number, tx: Transaction): Promise<Grant> {
    const covers = remembered && g.scope.every((s) => remembered.scopes.includes(s));
    // markUsed is false when the grant was revoked since it was read: then a new one is recorded.
    if (covers && (await this.grants.markUsed(remembered.id, now, { sub: g.sub, clientId: client.clientId }, tx))) return remembered;
    const grant: Grant = { id: uuidV7(), sub: g.sub, clientId: client.clientId, scopes: g.scope, remember: true, createdAt: now, lastUsedAt: now };
    await this.grants.insert(grant, tx);
    await this.outbox.add(tx, 'consent.granted', { grantId: grant.id, sub: grant.sub, clientId: grant.clientId, scopes: grant.scopes });
    return grant;
  }
}

/** RFC 6749 §3.3, as at the authorization endpoint: within the client's allowed scopes; omitted, its required ones. */
function requestedScope(sent: string | undefined, client: Client): string[] {
  const requested = sent !== undefined ? splitScope(sent) : client.scopes.filter((s) => s.required).map((s) => s.scope);
  const allowed = new Set(client.scopes.map((s) => s.scope));
  const refused = requested.filter((s) => !allowed.has(s));
  if (refused.length) throw new InvalidScopeError(`The client is not allowed the scope ${refused.join(' ')}.`, { scope: refused.join(' ') });
  return requested;
}

/** RFC 6749 §5.2: every refusal of the resource owner's credentials is `invalid_grant`, each with what to do. */
function authenticated(result: CredentialCheckResult): { sub: string; amr: string[]; authTime: number } {
  switch (result.outcome) {
    case 'authenticated':
      return result;
    case 'invalid_credentials':
      throw new InvalidGrantError('The username or password is not correct.', { detail: 'credential check: invalid credentials' });
    case 'too_many_attempts':
      throw new InvalidGrantError(
        `Too many failed sign-in attempts. Try again later${result.retryAfter !== undefined ? ` (in ${result.retryAfter} seconds)` : ''}.`,
        { detail: 'credential check: throttled' },
      );
    case 'second_factor_required':
      throw new InvalidGrantError(
        'This account uses two-step verification, which the password grant cannot ask for. Sign in through the browser (authorization code flow) instead.',
        { detail: 'credential check: second factor enrolled' },
      );
    case 'account_disabled':
      throw new InvalidGrantError('This account is disabled. Contact the administrator.', { detail: 'credential check: account disabled' });
    case 'invalid_request':
      throw new InvalidRequestError('The sign-in service refused the username or password as malformed.', { detail: 'credential check: invalid_request' });
  }
}
