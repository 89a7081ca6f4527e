import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { AccessTokenVerificationError, verifyJwtAccessToken } from '@tessera/token-formats';
import { bearerTokenOf } from './authorization-header';
import { IntrospectionCache } from './introspection-cache';
import { IntrospectionClient } from './introspection.client';
import { ISSUER_TIMEOUT_MS } from './issuer-http';
import { IssuerMetadataSource } from './issuer-metadata';
import { normalizeOptions, type NormalizedOptions, type ResourceServerOptions } from './options';
import { assertScopes, requiredScopes } from './scopes';
import { IssuerUnavailableError, TokenError } from './token-error';
import { MAX_TOKEN_LENGTH, shapeOf } from './token-shape';
import { fromIntrospection, fromJwtClaims, type VerifiedToken } from './verified-token';

/** RFC 9701 §5: the `typ` of a signed introspection response. */
export const INTROSPECTION_JWT_TYP = 'token-introspection+jwt';

/** How old a signed introspection response may be when `verifyIntrospectionJwt` sees it (it has no `exp`). */
export const DEFAULT_INTROSPECTION_JWT_MAX_AGE_SEC = 60;

/** A verified RFC 9701 response: the `token_introspection` claim, and the JWT to forward. */
export interface IntrospectionJwt {
  /** The RFC 7662 answer as the authorization server signed it; check `active` before anything else. */
  token_introspection: Record<string, unknown>;
  /** The compact JWT, e.g. for a gateway to forward to the APIs behind it. */
  jwt: string;
  /** When the authorization server signed it (epoch seconds). */
  iat: number;
}

export interface VerifyIntrospectionJwtOptions {
  /** The expected `aud`: the client that asked for the answer. Default: `introspection.clientId`. */
  audience?: string;
  /** Default 60 seconds. */
  maxAgeSec?: number;
}

/**
 * Decides whether an access token from Tessera may be used at this API.
 *
 * - A JWT access token (three base64url segments) is verified locally, RFC 9068 §4: signature
 *   by a key from the issuer's JWKS with an asymmetric algorithm, `typ` `at+jwt`, `iss`, `aud`
 *   naming this API, `exp`, and the claims RFC 9068 §2.2 requires. A JWT's revocation is not
 *   seen until it expires; use reference tokens (or short lifetimes) where that matters.
 * - A reference token (`tsr_at_…`) is sent to the introspection endpoint (RFC 7662) with the
 *   resource server's own client; the answer is reused for at most `cacheTtlMs`.
 *
 * Every refusal is a TokenError (RFC 6750 §3.1); an issuer that cannot be asked is an
 * IssuerUnavailableError. Neither ever contains the token.
 */
export class TokenVerifier {
  private readonly options: NormalizedOptions;
  private readonly metadata: IssuerMetadataSource;
  private readonly introspection?: IntrospectionClient;
  private readonly introspect?: (token: string) => Promise<Record<string, unknown>>;
  private readonly cache?: IntrospectionCache;
  private jwksResolver?: Promise<{ getKey: JWTVerifyGetKey; uri: string }>;

  constructor(options: ResourceServerOptions) {
    this.options = normalizeOptions(options);
    this.metadata = new IssuerMetadataSource(this.options.issuer, this.options.fetch);
    const introspection = this.options.introspection;
    if (introspection) {
      if (introspection.clientId !== undefined && introspection.clientSecret !== undefined) {
        const client = new IntrospectionClient(() => this.introspectionEndpoint(), introspection.clientId, introspection.clientSecret, this.options.fetch);
        this.introspection = client;
        this.introspect = (token) => client.introspect(token);
      }
      if (introspection.request) this.introspect = introspection.request;
      this.cache = new IntrospectionCache(introspection.cacheTtlMs);
    }
  }

  /** The resource identifiers this verifier accepts in `aud` (the first one is the HTTP adapters' realm). */
  get audiences(): readonly string[] {
    return this.options.audiences;
  }

  /** The token's verified view, or TokenError('invalid_token'). */
  async verify(token: string): Promise<VerifiedToken> {
    if (typeof token !== 'string' || token === '') throw invalidToken('The access token is empty.', 'empty');
    if (token.length > MAX_TOKEN_LENGTH) throw invalidToken('The access token is too long.', 'too_long');
    switch (shapeOf(token)) {
      case 'jwt':
        return this.options.introspection?.allTokens ? this.verifyReference(token) : this.verifyJwt(token);
      case 'reference':
        return this.verifyReference(token);
      default:
        throw invalidToken('The access token is not one this API accepts.', 'unrecognised_format');
    }
  }

  /**
   * The request's token, verified and holding every one of `requiredScopes`. Throws TokenError:
   * with `credentialsMissing` when the header carries no bearer token (401, bare challenge),
   * invalid_request for a malformed Bearer header (400), invalid_token (401),
   * insufficient_scope (403).
   */
  async authorize(authorizationHeader: string | undefined, requiredScopesList: readonly string[] = []): Promise<VerifiedToken> {
    const required = requiredScopes(requiredScopesList);
    const token = bearerTokenOf(authorizationHeader);
    if (token === undefined) throw TokenError.missingCredentials();
    const verified = await this.verify(token);
    assertScopes(verified, required);
    return verified;
  }

  /**
   * RFC 9701, for the phantom-token pattern at a gateway: exchanges a token for the
   * authorization server's signed introspection answer (`Accept:
   * application/token-introspection+jwt`), verified here (`typ`, `iss`, `aud` = this resource
   * server's client_id, signature by a JWKS key, `iat`). Nothing is cached. A response that
   * fails verification is the issuer's fault, not the caller's: IssuerUnavailableError.
   */
  async introspectJwt(token: string): Promise<IntrospectionJwt> {
    if (!this.introspection) throw new TypeError('introspectJwt needs the introspection option with the resource server client (clientId and clientSecret).');
    if (typeof token !== 'string' || token === '') throw invalidToken('The access token is empty.', 'empty');
    if (token.length > MAX_TOKEN_LENGTH) throw invalidToken('The access token is too long.', 'too_long');
    const jwt = await this.introspection.introspectJwt(token);
    try {
      return await this.verifyIntrospectionJwt(jwt);
    } catch (err) {
      if (err instanceof TokenError) {
        throw new IssuerUnavailableError(`The introspection endpoint's signed answer failed verification (${err.detail ?? err.code})`);
      }
      throw err;
    }
  }

  /**
   * Verifies an RFC 9701 signed introspection response: what an API behind a gateway does with
   * the JWT the gateway forwards (`audience` is then the gateway's client_id). TokenError
   * (invalid_token) when it does not verify.
   */
  async verifyIntrospectionJwt(jwt: string, options: VerifyIntrospectionJwtOptions = {}): Promise<IntrospectionJwt> {
    const audience = options.audience ?? this.options.introspection?.clientId;
    if (!audience) throw new TypeError('verifyIntrospectionJwt needs an audience (or the introspection option).');
    if (typeof jwt !== 'string' || shapeOf(jwt) !== 'jwt' || jwt.length > MAX_TOKEN_LENGTH) {
      throw invalidToken('The introspection response is not a signed JWT.', 'malformed');
    }
    const { getKey, uri } = await this.jwks();
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(jwt, getKey, {
        issuer: this.options.issuer,
        audience,
        // Cross-JWT confusion (RFC 9701 §8.1): an access token or ID token signed by the same keys is not an introspection response.
        typ: INTROSPECTION_JWT_TYP,
        algorithms: [...this.options.algorithms],
        clockTolerance: this.options.clockToleranceSec,
        maxTokenAge: options.maxAgeSec ?? DEFAULT_INTROSPECTION_JWT_MAX_AGE_SEC,
        requiredClaims: ['iat'],
      }));
    } catch (err) {
      if (isTokensFault(err)) throw invalidToken('The introspection response did not verify.', joseReason(err));
      throw new IssuerUnavailableError(`The JWKS at ${uri} could not be used`, { cause: err });
    }
    const answer = payload['token_introspection'];
    if (answer === null || typeof answer !== 'object' || Array.isArray(answer) || typeof (answer as { active?: unknown }).active !== 'boolean') {
      throw invalidToken('The introspection response has no valid token_introspection claim.', 'no_token_introspection');
    }
    return { token_introspection: { ...(answer as Record<string, unknown>) }, jwt, iat: payload['iat'] as number };
  }

  private async verifyJwt(token: string): Promise<VerifiedToken> {
    const { getKey, uri } = await this.jwks();
    try {
      const claims = await verifyJwtAccessToken(token, {
        issuer: this.options.issuer,
        jwks: getKey,
        audience: this.options.audiences,
        algorithms: this.options.algorithms,
        clockTolerance: this.options.clockToleranceSec,
      });
      return fromJwtClaims(claims);
    } catch (err) {
      // The messages of AccessTokenVerificationError are written for developers and never echo the token.
      if (err instanceof AccessTokenVerificationError) throw invalidToken(err.message, err.reason);
      throw new IssuerUnavailableError(`The JWKS at ${uri} could not be used`, { cause: err });
    }
  }

  private async verifyReference(token: string): Promise<VerifiedToken> {
    const introspect = this.introspect;
    if (!introspect || !this.cache) {
      throw invalidToken('This API accepts only JWT access tokens.', 'reference_token_without_introspection');
    }
    return this.cache.resolve(token, async () =>
      fromIntrospection(await introspect(token), {
        issuer: this.options.issuer,
        audiences: this.options.audiences,
        clockToleranceSec: this.options.clockToleranceSec,
        now: Math.floor(Date.now() / 1000),
      }, shapeOf(token) === 'jwt' ? 'jwt' : 'reference'),
    );
  }

  /**
   * jose's remote JWKS: cached (re-fetched when older than ten minutes), re-fetched at once for
   * an unknown `kid` unless it was fetched less than `jwksCooldownMs` ago, concurrent fetches
   * shared, no redirects, a timeout. Built once, from `jwksUri` or the discovery document.
   */
  private jwks(): Promise<{ getKey: JWTVerifyGetKey; uri: string }> {
    this.jwksResolver ??= (async () => {
      const uri = this.options.jwksUri ?? (await this.metadata.get()).jwksUri;
      const getKey = createRemoteJWKSet(new URL(uri), {
        cooldownDuration: this.options.jwksCooldownMs,
        timeoutDuration: ISSUER_TIMEOUT_MS,
        [customFetch]: this.options.fetch,
      });
      return { getKey, uri };
    })();
    // A failed discovery must not be remembered forever: the next request tries again.
    const current = this.jwksResolver;
    return current.catch((err: unknown) => {
      if (this.jwksResolver === current) this.jwksResolver = undefined;
      throw err;
    });
  }

  private async introspectionEndpoint(): Promise<string> {
    const configured = this.options.introspection?.endpoint;
    if (configured) return configured;
    const { introspectionEndpoint } = await this.metadata.get();
    if (!introspectionEndpoint) {
      throw new IssuerUnavailableError(`The discovery document at ${this.metadata.url} names no introspection_endpoint`);
    }
    return introspectionEndpoint;
  }
}

function invalidToken(description: string, detail: string): TokenError {
  return new TokenError('invalid_token', description, { detail });
}

/** A jose verdict about the JWT itself, as opposed to a JWKS that could not be fetched or read. */
function isTokensFault(err: unknown): err is InstanceType<typeof errors.JOSEError> {
  return (
    err instanceof errors.JOSEError &&
    !(err instanceof errors.JWKSTimeout) &&
    !(err instanceof errors.JWKSInvalid) &&
    err.code !== 'ERR_JOSE_GENERIC'
  );
}

/** The same reasons as for JWT access tokens (AccessTokenRejection), for logs and tests. */
function joseReason(err: InstanceType<typeof errors.JOSEError>): string {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    const byClaim: Record<string, string> = { typ: 'wrong_type', iss: 'wrong_issuer', aud: 'wrong_audience' };
    return byClaim[err.claim] ?? 'invalid_claims';
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return 'algorithm_not_allowed';
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) return 'unknown_key';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'invalid_signature';
  return 'malformed';
}
