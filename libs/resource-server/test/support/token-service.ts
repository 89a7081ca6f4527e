import { acceptingCredentialCheck, startPlatform, StandInUserDirectory, TEST_ISSUER } from '@tessera/platform-testing';
import type { DatabaseEngine, RunningHttpApp } from '@tessera/runtime';
import { TokenServiceModule, tokenServiceConfigSchema } from '@tessera/token-service';
import type { ResourceServerOptions } from '../../src';

/** The issuer the token service announces; the tests' fetch sends its URLs to the loopback listener. */
export const ISSUER = TEST_ISSUER;
export const ORDERS_API = 'https://api.test/orders';
export const BILLING_API = 'https://api.test/billing';

export interface Client {
  client_id: string;
  client_secret: string;
  basic: string;
}

/** Every outbound call a verifier made, by path (to count discovery, JWKS and introspection calls). */
export class FetchLog {
  readonly calls: Array<{ path: string; method: string; body?: string; authorization?: string; accept?: string }> = [];
  count(path: string): number {
    return this.calls.filter((c) => c.path === path).length;
  }
}

export interface TokenService {
  url: string;
  issuer: string;
  running: RunningHttpApp;
  logs: string[];
  /** Shifts the token service's clock (seconds; negative to issue tokens in the past). */
  shiftClock(seconds: number): void;
  internal(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  client(metadata?: Record<string, unknown>): Promise<Client>;
  /** A confidential client registered as the resource server `identifier`'s own (it may introspect its tokens). */
  resourceServer(identifier: string, metadata?: Record<string, unknown>): Promise<Client>;
  /** client_credentials; `resource` names the API (RFC 8707). */
  token(client: Client, params?: Record<string, string>): Promise<string>;
  revoke(client: Client, token: string): Promise<void>;
  /** Rotates `alg`'s signing key; returns the kid now current. */
  rotateKeys(alg: string): Promise<string>;
  form(path: string, params: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  /** A fetch that reaches this token service for the issuer's URLs, and logs every call. */
  fetch(log?: FetchLog): typeof fetch;
  /** Options for a verifier of `audience`, talking to this token service. */
  options(audience: string | string[], extra?: Partial<ResourceServerOptions>, log?: FetchLog): ResourceServerOptions;
  close(): Promise<void>;
}

export interface StartOptions {
  engine?: DatabaseEngine;
  /** The password grant's credential check: every password is right for `sub` (tests only). */
  passwordGrantSubject?: string;
}

/**
 * The real token service, booted in-process as its own tests boot it (both listeners on
 * loopback, SQLite in a temporary directory, or a database of its own on PostgreSQL), with a
 * clock the tests can shift.
 */
export async function startTokenService(options: StartOptions = {}): Promise<TokenService> {
  let offsetMs = 0;
  const sub = options.passwordGrantSubject;
  const platform = await startPlatform({
    dataDirPrefix: 'tessera-rs-',
    engine: options.engine,
    clock: () => Date.now() + offsetMs,
    schemas: [tokenServiceConfigSchema],
    modules: ({ service, registrationToken }, [tokenEnv]) => [
      TokenServiceModule.forRoot({
        env: tokenEnv,
        registrationToken,
        ...service,
        userClaims: new StandInUserDirectory(sub ? { [sub]: { name: 'Ada' } } : {}),
        ...(sub ? { credentialCheck: acceptingCredentialCheck(sub) } : {}),
      }),
    ],
  });
  const { running, internal } = platform;

  const service: TokenService = {
    url: platform.url,
    issuer: ISSUER,
    running,
    logs: platform.logs,
    shiftClock: (seconds) => {
      offsetMs += seconds * 1000;
    },
    internal,
    async client(metadata = {}) {
      const { client_id, client_secret, basic } = await platform.client({ grant_types: ['client_credentials'], ...metadata });
      return { client_id, client_secret: client_secret as string, basic: basic as string };
    },
    async resourceServer(identifier, metadata = {}) {
      const rsClient = await service.client();
      const res = await internal('POST', '/internal/resource-servers', {
        identifier,
        scopes: ['orders:read', 'orders:write'],
        client_id: rsClient.client_id,
        ...metadata,
      });
      if (res.status !== 201) throw new Error(`resource server registration failed: ${JSON.stringify(res.body)}`);
      return rsClient;
    },
    form: platform.form,
    async token(client, params = {}) {
      const res = await service.form('/oauth2/token', { grant_type: 'client_credentials', ...params }, { authorization: client.basic });
      const body = (await res.json()) as Record<string, string>;
      if (res.status !== 200) throw new Error(`token request failed: ${JSON.stringify(body)}`);
      return body['access_token'];
    },
    async revoke(client, token) {
      const res = await service.form('/oauth2/revoke', { token }, { authorization: client.basic });
      if (res.status !== 200) throw new Error(`revocation failed: ${res.status}`);
    },
    async rotateKeys(alg) {
      const res = await internal('POST', '/internal/keys/rotate', { alg });
      if (res.status !== 201) throw new Error(`rotation failed: ${JSON.stringify(res.body)}`);
      return (res.body as { rotated: Array<{ kid: string }> }).rotated[0].kid;
    },
    fetch(log) {
      return async (input, init) => {
        const url = new URL(String(input instanceof Request ? input.url : input));
        if (url.origin !== ISSUER) throw new TypeError(`the tests' fetch only reaches ${ISSUER}, not ${url.origin}`);
        const headers = new Headers(init?.headers);
        log?.calls.push({
          path: url.pathname,
          method: init?.method ?? 'GET',
          body: typeof init?.body === 'string' ? init.body : undefined,
          authorization: headers.get('authorization') ?? undefined,
          accept: headers.get('accept') ?? undefined,
        });
        return fetch(`${running.publicUrl}${url.pathname}${url.search}`, init);
      };
    },
    options(audience, extra = {}, log) {
      return { issuer: ISSUER, audience, fetch: service.fetch(log), ...extra };
    },
    close: () => platform.close(),
  };
  return service;
}

/** The claims of a JWT, read without verifying (to assert what the token service put in). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

export function headerOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8'));
}
