import { SIGNING_ALGS, type SigningAlg } from '@tessera/token-formats';
import { isHttpUrl } from './issuer-metadata';

export type { SigningAlg };

export interface IntrospectionOptions {
  /** Default: the discovery document's `introspection_endpoint`. */
  endpoint?: string;
  /** The resource server's own client (registered with it as `client_id`), client_secret_basic. Needed unless `request` is given. */
  clientId?: string;
  clientSecret?: string;
  /**
   * Asks the authorization server some other way than RFC 7662 over HTTP with client
   * credentials, and returns its RFC 7662 answer. Tessera's own APIs (the admin API) ask the
   * token service's internal API with their service credential.
   */
  request?: (token: string) => Promise<Record<string, unknown>>;
  /**
   * Introspect JWT access tokens too, instead of verifying them locally: a revoked JWT is then
   * refused within `cacheTtlMs`, at the cost of a call per token. For APIs where that matters more
   * than the call (administration).
   */
  allTokens?: boolean;
  /**
   * How long an active answer is reused, in milliseconds (default 5_000; 0 disables the cache).
   * A revoked reference token is refused at the latest this long after its revocation; an
   * answer is never kept past the token's `exp`, and an inactive answer is never cached.
   */
  cacheTtlMs?: number;
}

export interface ResourceServerOptions {
  /** The expected `iss`: the authorization server's issuer identifier (an origin), exactly. */
  issuer: string;
  /** The `aud` value(s) this API accepts: its resource identifier(s), as registered with the token service. */
  audience: string | string[];
  /** Default: the discovery document's `jwks_uri` (`${issuer}/.well-known/openid-configuration`). */
  jwksUri?: string;
  /** Needed for reference tokens and for `introspectJwt` (RFC 9701). */
  introspection?: IntrospectionOptions;
  /** Seconds of clock skew tolerated on `exp`, `nbf` and `iat` (default 5). */
  clockToleranceSec?: number;
  /** Signature algorithms accepted (default: all Tessera signs with: ES256, EdDSA, PS256, RS256). Never `none` or HMAC. */
  algorithms?: SigningAlg[];
  /**
   * A JWT signed with a `kid` missing from the cached JWKS makes the JWKS be fetched again, at
   * most once per this many milliseconds (default 30_000), so that tokens with made-up `kid`s
   * cannot turn into a flood of fetches. Tessera publishes a key before it signs with it, so a
   * cache younger than the rotation period already holds every key in use.
   */
  jwksCooldownMs?: number;
  /** The fetch used for discovery, JWKS and introspection (default: the global one). For tests. */
  fetch?: typeof fetch;
}

export interface NormalizedOptions {
  issuer: string;
  audiences: readonly string[];
  jwksUri?: string;
  introspection?: { endpoint?: string; clientId?: string; clientSecret?: string; request?: (token: string) => Promise<Record<string, unknown>>; cacheTtlMs: number; allTokens: boolean };
  clockToleranceSec: number;
  algorithms: readonly SigningAlg[];
  jwksCooldownMs: number;
  fetch: typeof fetch;
}

export const DEFAULT_CACHE_TTL_MS = 5_000;
export const DEFAULT_CLOCK_TOLERANCE_SEC = 5;
export const DEFAULT_JWKS_COOLDOWN_MS = 30_000;

/**
 * Checks every option and reports all the bad ones in one TypeError, as the platform's own
 * configuration does. Secrets are never echoed.
 */
export function normalizeOptions(options: ResourceServerOptions): NormalizedOptions {
  const problems: string[] = [];
  const o = (options ?? {}) as Partial<ResourceServerOptions>;

  if (typeof o.issuer !== 'string' || !isHttpUrl(o.issuer) || new URL(o.issuer).search !== '') {
    problems.push('issuer must be an http(s) URL without query or fragment');
  }
  const audiences = typeof o.audience === 'string' ? [o.audience] : Array.isArray(o.audience) ? o.audience : [];
  if (audiences.length === 0 || audiences.some((a) => typeof a !== 'string' || a === '')) {
    problems.push('audience must be a non-empty string or a non-empty array of them');
  }
  if (o.jwksUri !== undefined && (typeof o.jwksUri !== 'string' || !isHttpUrl(o.jwksUri))) {
    problems.push('jwksUri must be an http(s) URL');
  }
  const i = o.introspection;
  if (i !== undefined) {
    if (i === null || typeof i !== 'object') problems.push('introspection must be an object');
    else {
      if (i.endpoint !== undefined && (typeof i.endpoint !== 'string' || !isHttpUrl(i.endpoint))) {
        problems.push('introspection.endpoint must be an http(s) URL');
      }
      if (i.request !== undefined && typeof i.request !== 'function') problems.push('introspection.request must be a function');
      if (i.request === undefined || i.clientId !== undefined || i.clientSecret !== undefined) {
        if (typeof i.clientId !== 'string' || i.clientId === '') problems.push('introspection.clientId must be a non-empty string');
        if (typeof i.clientSecret !== 'string' || i.clientSecret === '') problems.push('introspection.clientSecret must be a non-empty string');
      }
      if (i.allTokens !== undefined && typeof i.allTokens !== 'boolean') problems.push('introspection.allTokens must be true or false');
      if (i.cacheTtlMs !== undefined && !isNonNegativeNumber(i.cacheTtlMs)) problems.push('introspection.cacheTtlMs must be a number >= 0');
    }
  }
  if (o.clockToleranceSec !== undefined && !isNonNegativeNumber(o.clockToleranceSec)) {
    problems.push('clockToleranceSec must be a number >= 0');
  }
  const algorithms = o.algorithms ?? SIGNING_ALGS;
  if (!Array.isArray(algorithms) || algorithms.length === 0 || algorithms.some((alg) => !SIGNING_ALGS.includes(alg))) {
    problems.push(`algorithms must be a non-empty subset of ${SIGNING_ALGS.join(', ')}`);
  }
  if (o.jwksCooldownMs !== undefined && !isNonNegativeNumber(o.jwksCooldownMs)) problems.push('jwksCooldownMs must be a number >= 0');
  if (o.fetch !== undefined && typeof o.fetch !== 'function') problems.push('fetch must be a function');

  if (problems.length > 0) throw new TypeError(`Invalid resource server options: ${problems.join('; ')}.`);

  return {
    issuer: o.issuer as string,
    audiences: [...new Set(audiences)],
    ...(o.jwksUri !== undefined ? { jwksUri: o.jwksUri } : {}),
    ...(i
      ? {
          introspection: {
            ...(i.endpoint !== undefined ? { endpoint: i.endpoint } : {}),
            ...(i.clientId !== undefined ? { clientId: i.clientId, clientSecret: i.clientSecret } : {}),
            ...(i.request !== undefined ? { request: i.request } : {}),
            cacheTtlMs: i.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS,
            allTokens: i.allTokens ?? false,
          },
        }
      : {}),
    clockToleranceSec: o.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC,
    algorithms: [...algorithms],
    jwksCooldownMs: o.jwksCooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS,
    // Bound lazily: a test (or an APM agent) may replace the global fetch after construction.
    fetch: o.fetch ?? ((input, init) => fetch(input, init)),
  };
}

function isNonNegativeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
