import { isIP } from 'node:net';
import { z } from 'zod';
import { ScopeRegistry, ScopeRegistryConfigError, type ScopeRegistryOptions } from '@tessera/scopes';

/** Scopes a dynamically registered client may never ask for, whatever the allow-list says. */
export const NEVER_REGISTRABLE_SCOPE = (scope: string) => scope === 'account' || scope.startsWith('admin:');

export const tokenServiceConfigSchema = z.object({
  TESSERA_REGISTRATION: z.enum(['open', 'token', 'off']).default('token'),
  TESSERA_REGISTRATION_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  TESSERA_REGISTRATION_SCOPES: z.string().default('openid profile email address phone offline_access'),
  TESSERA_ACCESS_TOKEN_TTL: z.coerce.number().int().min(60).max(86_400).default(3600),
  TESSERA_REFRESH_TOKEN_TTL: z.coerce.number().int().min(60).max(31_536_000).default(2_592_000),
  /** A rotated-out key stays published this long after retirement at least (JWKS caches). */
  TESSERA_KEY_PUBLISH_GRACE: z.coerce.number().int().min(0).max(86_400).default(600),
  /** How long a login or consent challenge may stay unanswered. */
  TESSERA_CHALLENGE_TTL: z.coerce.number().int().min(60).max(3600).default(600),
  /** How long an OP session lasts at most (the login session may end it sooner). */
  TESSERA_SESSION_TTL: z.coerce.number().int().min(300).max(31_536_000).default(1_209_600),
  /** Where the portal renders login and consent (defaults: the issuer's /login and /consent). */
  TESSERA_LOGIN_URL: z.url().optional(),
  TESSERA_CONSENT_URL: z.url().optional(),
  /**
   * Custom scopes and claims, as JSON: { "scopes": [{ "name", "description", "claims": [...] }],
   * "claims": [...] } (OpenID Connect Core §5.4 for the standard ones, which are built in).
   */
  TESSERA_SCOPES: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      if (value === undefined) return;
      if (!isJsonObject(value)) {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object { "scopes": [...], "claims": [...] }' });
        return;
      }
      try {
        new ScopeRegistry(JSON.parse(value) as ScopeRegistryOptions);
      } catch (err) {
        if (!(err instanceof ScopeRegistryConfigError)) throw err;
        for (const problem of err.problems) ctx.addIssue({ code: 'custom', message: problem });
      }
    }),
  /** Where the authentication service's internal API answers (user claims, the password grant's credential check); default: this platform's internal listener. */
  TESSERA_AUTH_SERVICE_URL: z.url().optional(),
  /**
   * Reverse proxies whose X-Forwarded-For is believed (comma-separated IP addresses), the same
   * setting the authentication service reads. Without one, the end user's IP (which the password
   * grant passes on for throttling) is the TCP peer: a header anyone can send decides nothing.
   */
  TESSERA_TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .superRefine((list, ctx) => {
      for (const ip of list) if (!isIP(ip)) ctx.addIssue({ code: 'custom', message: `"${ip}" is not an IP address` });
    }),
  /**
   * The secret of the bootstrap admin client `tessera-cli` (client_credentials, admin scopes).
   * Unset: generated into cli.secret in the data directory (mode 0600) at first start.
   */
  TESSERA_CLI_SECRET: z.string().min(32, 'must be at least 32 characters').max(512).optional(),
  /** RFC 9126 §5: every client must push its authorization requests. */
  TESSERA_REQUIRE_PAR: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Back-channel logout (OpenID Connect Back-Channel Logout 1.0): deliveries of a logout token, the first included. */
  TESSERA_BACKCHANNEL_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(8),
  /** The wait after a failed delivery, doubled after each further one (default: 2, 4, 8 … 128 s, about 4 minutes in all). */
  TESSERA_BACKCHANNEL_RETRY_MS: z.coerce.number().int().min(1).max(3_600_000).default(2000),
  /** How long a client's backchannel_logout_uri has to answer one delivery: at most the outbound client's own deadline (5 s). */
  TESSERA_BACKCHANNEL_TIMEOUT_MS: z.coerce.number().int().min(100).max(5000).default(5000),
  /** Deliveries one replica POSTs at once (their own queue, so slow clients never delay the service's other events). */
  TESSERA_BACKCHANNEL_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** Tests only: let outbound fetches (request_uri, sector_identifier_uri, jwks_uri) reach loopback and private addresses. */
  TESSERA_OUTBOUND_ALLOW_PRIVATE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

function isJsonObject(value: string): boolean {
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

export type TokenServiceEnv = z.infer<typeof tokenServiceConfigSchema>;

export interface TokenServiceConfig {
  issuer: string;
  registration: 'open' | 'token' | 'off';
  /** The bootstrap RFC 7591 initial access token (when registration is `token`). */
  registrationToken?: string;
  registrationScopes: string[];
  accessTokenTtl: number;
  refreshTokenTtl: number;
  keyPublishGrace: number;
  challengeTtl: number;
  sessionTtl: number;
  /** Authorization codes live this long (RFC 6749 §4.1.2: at most 10 minutes; 60 s is plenty). */
  codeTtl: number;
  loginUrl: string;
  consentUrl: string;
  /** Longest lifetime a token signed by a key may have: how long a retired key stays published. */
  maxTokenTtl: number;
  /** Custom scopes and claims (TESSERA_SCOPES), validated by the scope registry at start-up. */
  customScopes: { scopes?: unknown[]; claims?: unknown[] };
  authServiceUrl?: string;
  outboundAllowPrivate: boolean;
  /** Back-channel logout deliveries: attempts, first backoff and per-attempt timeout. */
  backchannel: { attempts: number; retryMs: number; timeoutMs: number; concurrency: number };
  /** The bootstrap CLI client's secret, when the operator chose it. */
  cliSecret?: string;
  requirePushedAuthorizationRequests: boolean;
  trustedProxies: string[];
}

export const TOKEN_SERVICE_CONFIG = Symbol.for('tessera.token-service.config');

export function toTokenServiceConfig(env: TokenServiceEnv, issuer: string, registrationToken?: string): TokenServiceConfig {
  return {
    issuer,
    registration: env.TESSERA_REGISTRATION,
    registrationToken: env.TESSERA_REGISTRATION_TOKEN ?? registrationToken,
    registrationScopes: env.TESSERA_REGISTRATION_SCOPES.split(/\s+/).filter((s) => s && !NEVER_REGISTRABLE_SCOPE(s)),
    accessTokenTtl: env.TESSERA_ACCESS_TOKEN_TTL,
    refreshTokenTtl: env.TESSERA_REFRESH_TOKEN_TTL,
    keyPublishGrace: env.TESSERA_KEY_PUBLISH_GRACE,
    challengeTtl: env.TESSERA_CHALLENGE_TTL,
    sessionTtl: env.TESSERA_SESSION_TTL,
    codeTtl: 60,
    loginUrl: env.TESSERA_LOGIN_URL ?? `${issuer}/login`,
    consentUrl: env.TESSERA_CONSENT_URL ?? `${issuer}/consent`,
    maxTokenTtl: 86_400,
    customScopes: env.TESSERA_SCOPES ? JSON.parse(env.TESSERA_SCOPES) : {},
    authServiceUrl: env.TESSERA_AUTH_SERVICE_URL,
    outboundAllowPrivate: env.TESSERA_OUTBOUND_ALLOW_PRIVATE,
    backchannel: {
      attempts: env.TESSERA_BACKCHANNEL_ATTEMPTS,
      retryMs: env.TESSERA_BACKCHANNEL_RETRY_MS,
      timeoutMs: env.TESSERA_BACKCHANNEL_TIMEOUT_MS,
      concurrency: env.TESSERA_BACKCHANNEL_CONCURRENCY,
    },
    requirePushedAuthorizationRequests: env.TESSERA_REQUIRE_PAR,
    cliSecret: env.TESSERA_CLI_SECRET,
    trustedProxies: env.TESSERA_TRUSTED_PROXIES,
  };
}
