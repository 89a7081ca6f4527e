import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { FakeClock } from '@tessera/test-kit';
import { generateReferenceToken, storageKey } from '@tessera/token-formats';
import { AuthorizationCodeStore, type AuthorizationCode } from '../../src/ports/authorization-code.store';
import { GrantStore } from '../../src/ports/grant.store';
import { RefreshTokenStore } from '../../src/ports/refresh-token.store';
import type { TestApp } from '../support/token-service-app';

/** A JSON response body (fetch types it `unknown`), with the OAuth members these tests read. */
export interface JsonBody {
  [member: string]: unknown;
  access_token: string;
  refresh_token?: string;
  scope?: string;
  active: boolean;
  error: string;
  error_description: string;
}
export const json = async (res: Response): Promise<JsonBody> => (await res.json()) as JsonBody;

export const REDIRECT_URI = 'https://app.test/callback';
export const OTHER_REDIRECT_URI = 'https://app.test/other-callback';
export const ORDERS_API = 'https://api.test/grants/orders';
export const BILLING_API = 'https://api.test/grants/billing';

/** A registered client as the tests use it: confidential ones carry Basic credentials. */
export interface TestClient {
  client_id: string;
  client_secret?: string;
  basic?: string;
  /** The client authentication this client's requests carry (Basic header, or client_id alone). */
  auth(): { params: Record<string, string>; headers: Record<string, string> };
}

/** Registers an authorization-code client (confidential by default) through the internal API. */
export async function codeClient(app: TestApp, metadata: Record<string, unknown> = {}): Promise<TestClient> {
  const res = await app.internal('POST', '/internal/clients', {
    grant_types: ['authorization_code', 'refresh_token'],
    redirect_uris: [REDIRECT_URI, OTHER_REDIRECT_URI],
    allowed_scopes: ['openid', 'offline_access', 'orders:read', 'orders:write'],
    ...metadata,
  });
  if (res.status !== 201) throw new Error(`client registration failed: ${JSON.stringify(res.body)}`);
  const { client_id, client_secret } = res.body as { client_id: string; client_secret?: string };
  const basic = client_secret ? `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}` : undefined;
  return {
    client_id,
    client_secret,
    basic,
    auth: (): ReturnType<TestClient['auth']> => (basic ? { params: {}, headers: { authorization: basic } } : { params: { client_id }, headers: {} }),
  };
}

export const newVerifier = () => randomBytes(32).toString('base64url');
export const challengeOf = (verifier: string) => createHash('sha256').update(verifier, 'ascii').digest('base64url');

export interface CodeOptions {
  sub?: string;
  scope?: string[];
  resource?: string[];
  redirectUri?: string;
  /** Whether redirect_uri was sent at /authorize (default true). */
  redirectUriSent?: boolean;
  /** The PKCE verifier whose challenge the code carries; null for a code without PKCE. */
  verifier?: string | null;
  /** Seconds the code lives (default 60, as the authorization endpoint issues them). */
  lifetime?: number;
  /** An existing grant to issue the code under. */
  grantId?: string;
  /** Claims asked for individually (OpenID Connect Core §5.5), as the authorization request carried them. */
  claims?: AuthorizationCode['claims'];
}

export interface IssuedCode {
  code: string;
  verifier?: string;
  grantId: string;
  sub: string;
  redirectUri: string;
}

/**
 * Creates a grant and an authorization code the way the authorization endpoint will, straight
 * through the stores (the endpoint is built in parallel).
 */
export async function issueCode(app: TestApp, clock: FakeClock, client: { client_id: string }, options: CodeOptions = {}): Promise<IssuedCode> {
  const now = Math.floor(clock.now() / 1000);
  const sub = options.sub ?? `user-${randomUUID()}`;
  const scope = options.scope ?? ['openid', 'orders:read'];
  const verifier = options.verifier === null ? undefined : (options.verifier ?? newVerifier());
  const redirectUri = options.redirectUri ?? REDIRECT_URI;
  let grantId = options.grantId;
  if (!grantId) {
    grantId = randomUUID();
    await app.running.app.get(GrantStore).insert({ id: grantId, sub, clientId: client.client_id, scopes: scope, remember: true, createdAt: now });
  }
  const code = generateReferenceToken('authorization_code');
  await app.running.app.get(AuthorizationCodeStore).insert({
    storageKey: code.storageKey,
    clientId: client.client_id,
    grantId,
    sub,
    scope,
    resource: options.resource ?? [],
    redirectUri,
    redirectUriSent: options.redirectUriSent ?? true,
    ...(verifier ? { codeChallenge: challengeOf(verifier), codeChallengeMethod: 'S256' as const } : {}),
    amr: ['pwd'],
    authTime: now,
    ...(options.claims ? { claims: options.claims } : {}),
    issuedAt: now,
    expiresAt: now + (options.lifetime ?? 60),
  });
  return { code: code.value, verifier, grantId, sub, redirectUri };
}

/** POSTs a token request carrying the client's authentication. */
export function tokenRequest(app: TestApp, client: TestClient, params: Record<string, string | string[]>): Promise<Response> {
  const { params: authParams, headers } = client.auth();
  const body = new URLSearchParams(authParams);
  for (const [name, value] of Object.entries(params)) for (const v of [value].flat()) body.append(name, v);
  return app.form('/oauth2/token', body, headers);
}

/** The token request that redeems `issued` as its client would: redirect_uri and verifier included. */
export function redeem(app: TestApp, client: TestClient, issued: IssuedCode, extra: Record<string, string | string[]> = {}): Promise<Response> {
  return tokenRequest(app, client, {
    grant_type: 'authorization_code',
    code: issued.code,
    redirect_uri: issued.redirectUri,
    ...(issued.verifier ? { code_verifier: issued.verifier } : {}),
    ...extra,
  });
}

/** Redeems and insists on success. */
export async function redeemOk(app: TestApp, client: TestClient, issued: IssuedCode, extra: Record<string, string | string[]> = {}): Promise<JsonBody> {
  const res = await redeem(app, client, issued, extra);
  const body = await json(res);
  if (res.status !== 200) throw new Error(`code redemption failed: ${JSON.stringify(body)}`);
  return body;
}

export function refresh(app: TestApp, client: TestClient, refreshToken: string, extra: Record<string, string | string[]> = {}): Promise<Response> {
  return tokenRequest(app, client, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra });
}

export async function refreshOk(app: TestApp, client: TestClient, refreshToken: string, extra: Record<string, string | string[]> = {}): Promise<JsonBody> {
  const res = await refresh(app, client, refreshToken, extra);
  const body = await json(res);
  if (res.status !== 200) throw new Error(`refresh failed: ${JSON.stringify(body)}`);
  return body;
}

/** The introspection answer for a confidential client's token. */
export async function introspect(app: TestApp, client: TestClient, token: string): Promise<JsonBody> {
  if (!client.basic) throw new Error('public clients cannot introspect');
  return json(await app.form('/oauth2/introspect', { token }, { authorization: client.basic }));
}

export const isActive = async (app: TestApp, client: TestClient, token: string) => (await introspect(app, client, token)).active;

/** The stored refresh token (by its value), to look at what a request did to it. */
export const storedRefreshToken = (app: TestApp, value: string) => app.running.app.get(RefreshTokenStore).find(storageKey(value));

/** Expects an OAuth error response: status 400, no-store, and the error code. */
export async function expectError(res: Response, error: string, status = 400): Promise<JsonBody> {
  const body = await json(res);
  expect({ status: res.status, error: body.error }).toEqual({ status, error });
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(typeof body.error_description).toBe('string');
  return body;
}
