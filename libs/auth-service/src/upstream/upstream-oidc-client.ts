import { Inject, Injectable } from '@nestjs/common';
import * as oidc from 'openid-client';
import { OutboundHttpClient, OutboundHttpError } from '@tessera/runtime';
import { AUTH_CLOCK, nowSeconds, type Clock } from '../auth-service.tokens';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { FlowError, type FlowErrorCode } from '../http/flow-error';
import type { UpstreamIdpEntity } from './entities/upstream-idp.entity';
import { UpstreamIdpsService } from './upstream-idps.service';
import { upstreamUrls } from './upstream-urls';

/** Discovery results are kept this long per provider version (its `updated_at`). */
const DISCOVERY_TTL_MS = 3_600_000;
const TIMEOUT_SECONDS = 5;

/** What a provider asserted about the person: who (its `sub`, at its issuer), when they authenticated, and the claims of the ID token and UserInfo. */
export interface UpstreamIdentity {
  /** The ID token's `iss`: an upstream `sub` is unique only at its issuer. */
  issuer: string;
  sub: string;
  /**
   * When the person authenticated at the provider (epoch seconds): the ID token's `auth_time`,
   * or, from a provider that does not say, its `iat` (the authentication happened then at the
   * latest); never later than now.
   */
  authTime: number;
  claims: Record<string, unknown>;
}

/** The per-request values of one authorization request (RFC 6749 §10.12, RFC 7636, OIDC Core §3.1.2.1). */
export interface UpstreamChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
  /**
   * The client's freshness demand, passed on: `max_age` is sent upstream, and the ID token must
   * then have an `auth_time` at most this many seconds before the request was sent (0: a login
   * after it). Unset: no demand.
   */
  maxAge?: number;
}

/**
 * Why a callback failed, for the portal (`upstream_error=<code>`): the person cancelled or the
 * provider refused (`access_denied`), the provider answered something that failed validation
 * (`invalid_response`: wrong `iss`, bad ID token, ...), or it could not be reached.
 */
export class UpstreamFailure extends FlowError {
  constructor(
    readonly reason: 'access_denied' | 'invalid_response' | 'unavailable',
    code: FlowErrorCode,
    description: string,
    detail?: string,
  ) {
    super(code, description, { reason }, detail);
  }
}

/**
 * The relying-party side of an upstream provider, through openid-client: discovery (issuer
 * checked against the configured one), authorization URLs with PKCE S256, state and nonce, and
 * the callback's validation: the `iss` authorization response parameter when the provider
 * advertises it (RFC 9207, mix-up defence), state, the code exchange with the PKCE verifier,
 * and the ID token (signature, `iss`, `aud`, `exp`, `nonce`), then UserInfo for the claims.
 *
 * Every request leaves through the platform's OutboundHttpClient: https only, no private or
 * special-purpose addresses, no redirects, a deadline and a size limit. Only
 * TESSERA_UPSTREAM_ALLOW_PRIVATE (tests) opens http and loopback.
 */
@Injectable()
export class UpstreamOidcClient {
  private readonly http: OutboundHttpClient;
  private readonly configurations = new Map<string, { version: string; expiresAt: number; configuration: Promise<oidc.Configuration> }>();

  constructor(
    private readonly idps: UpstreamIdpsService,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
  ) {
    const open = config.upstreamAllowPrivate;
    this.http = new OutboundHttpClient({ allowHttp: open, allowPrivateAddresses: open, timeoutMs: TIMEOUT_SECONDS * 1000, maxBodyBytes: 256 * 1024 });
  }

  /** Where to send the browser: the provider's authorization endpoint with this request's parameters. */
  async authorizationUrl(idp: UpstreamIdpEntity, checks: UpstreamChecks, extra: Record<string, string> = {}): Promise<string> {
    const configuration = await this.configurationOf(idp);
    const url = oidc.buildAuthorizationUrl(configuration, {
      ...extra,
      // OIDC Core §3.1.2.1: with max_age, the provider re-authenticates a person who signed in
      // longer ago, and the ID token MUST carry auth_time (checked in `complete`).
      ...(checks.maxAge === undefined ? {} : { max_age: String(checks.maxAge) }),
      response_type: 'code',
      redirect_uri: upstreamUrls(this.config.issuer).callback(idp.id),
      scope: idp.scopes.join(' '),
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
    return url.href;
  }

  /**
   * Validates the authorization response (the callback's query string) and redeems its code.
   * The redirect URI is the configured one, never one built from request headers. `sentAt` is
   * when the request went upstream (epoch seconds): a `maxAge` counts from then, so the time the
   * person spent at the provider is not held against them, and `max_age=0` means "after it".
   */
  async complete(idp: UpstreamIdpEntity, query: string, checks: UpstreamChecks, sentAt: number): Promise<UpstreamIdentity> {
    const configuration = await this.configurationOf(idp);
    const current = new URL(upstreamUrls(this.config.issuer).callback(idp.id));
    current.search = query;
    const now = nowSeconds(this.clock);
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, current, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
        // openid-client then requires auth_time and refuses an older one (OIDC Core §3.1.3.7 item 13).
        maxAge: checks.maxAge === undefined ? undefined : checks.maxAge + Math.max(0, now - sentAt),
      });
      const idToken = tokens.claims();
      if (!idToken) throw new oidc.ClientError('the token response has no ID token');
      // OIDC Core §2: at most 255 ASCII characters; the link is keyed by it.
      if (idToken.sub.length > 255) throw new oidc.ClientError('the ID token sub is longer than 255 characters');
      let userinfo: Record<string, unknown> = {};
      if (configuration.serverMetadata().userinfo_endpoint && tokens.access_token) {
        // The UserInfo `sub` must be the ID token's (OIDC Core §5.3.2): openid-client checks it.
        userinfo = await oidc.fetchUserInfo(configuration, tokens.access_token, idToken.sub);
      }
      // Never later than now: a provider's clock running ahead must not make a login look fresher.
      const authTime = Math.min(typeof idToken.auth_time === 'number' ? idToken.auth_time : idToken.iat, now);
      return { issuer: idToken.iss, sub: idToken.sub, authTime, claims: { ...idToken, ...userinfo, sub: idToken.sub } };
    } catch (err) {
      throw this.failure(idp, err);
    }
  }

  /** Discovery per provider version, cached; a failed discovery is not cached. */
  private configurationOf(idp: UpstreamIdpEntity): Promise<oidc.Configuration> {
    const now = this.clock();
    const cached = this.configurations.get(idp.id);
    const version = versionOf(idp);
    if (cached && cached.version === version && cached.expiresAt > now) return cached.configuration;
    const configuration = this.discover(idp);
    this.configurations.set(idp.id, { version, expiresAt: now + DISCOVERY_TTL_MS, configuration });
    configuration.catch(() => {
      if (this.configurations.get(idp.id)?.configuration === configuration) this.configurations.delete(idp.id);
    });
    return configuration;
  }

  private async discover(idp: UpstreamIdpEntity): Promise<oidc.Configuration> {
    const secret = await this.idps.clientSecretOf(idp);
    const auth = idp.tokenEndpointAuthMethod === 'client_secret_post' ? oidc.ClientSecretPost(secret) : oidc.ClientSecretBasic(secret);
    try {
      // openid-client checks that the discovered `issuer` is exactly the configured one (OIDC Discovery §4.3).
      return await oidc.discovery(new URL(idp.issuer), idp.clientId, { client_secret: secret }, auth, {
        [oidc.customFetch]: this.http.fetch as oidc.CustomFetch,
        // Tests only (TESSERA_UPSTREAM_ALLOW_PRIVATE): loopback http upstreams.
        execute: this.config.upstreamAllowPrivate ? [oidc.allowInsecureRequests] : [],
        timeout: TIMEOUT_SECONDS,
      });
    } catch (err) {
      throw new UpstreamFailure(
        'unavailable',
        'temporarily_unavailable',
        `${idp.displayName} cannot be reached right now; try again later or sign in another way.`,
        `discovery of ${idp.issuer} failed: ${describe(err)}`,
      );
    }
  }

  private failure(idp: UpstreamIdpEntity, err: unknown): UpstreamFailure {
    if (err instanceof UpstreamFailure) return err;
    if (err instanceof oidc.AuthorizationResponseError) {
      // The provider answered the authorization request with an error (RFC 6749 §4.1.2.1).
      const denied = err.error === 'access_denied' || err.error === 'login_required' || err.error === 'interaction_required';
      return new UpstreamFailure(
        'access_denied',
        'forbidden',
        denied ? `The sign-in with ${idp.displayName} was cancelled or refused.` : `${idp.displayName} refused the sign-in.`,
        `authorization error from ${idp.issuer}: ${err.error}`,
      );
    }
    if (err instanceof OutboundHttpError || (err as { cause?: unknown })?.cause instanceof OutboundHttpError) {
      return new UpstreamFailure('unavailable', 'temporarily_unavailable', `${idp.displayName} cannot be reached right now; try again later.`, `${idp.issuer}: ${describe(err)}`);
    }
    // Everything else failed a check: the response's iss or state, the code exchange, the ID token.
    return new UpstreamFailure('invalid_response', 'invalid_request', `The answer from ${idp.displayName} could not be verified; start the sign-in again.`, `${idp.issuer}: ${describe(err)}`);
  }
}

/**
 * What a cached configuration was made from. `updated_at` alone is not enough: a provider
 * deleted and created again under the same id (how it moves to another issuer) can have the
 * same `updated_at` as the one cached, in this process or in another replica.
 */
const versionOf = (idp: UpstreamIdpEntity) => [idp.updatedAt, idp.createdAt, idp.issuer, idp.clientId, idp.tokenEndpointAuthMethod, idp.clientSecretEncrypted].join('\n');

/** An error's message and its causes' (for the log: none of them hold secrets or tokens). */
function describe(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(`${e.name}: ${e.message}${(e as { code?: string }).code ? ` (${(e as { code?: string }).code})` : ''}`);
  }
  return parts.join(' <- ') || String(err);
}
