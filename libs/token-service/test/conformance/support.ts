import { decodeProtectedHeader, type JWTPayload } from 'jose';
import { OutboundHttpClient, type DatabaseEngine } from '@tessera/runtime';
import { FakeClock, ScriptedLoginUi, type TlsTestServer } from '@tessera/test-kit';
import { callbackOf, leftHalfSha256, Oidc, type Json, type OidcClient } from '../oidc/support';
import { InMemoryUserClaims, startTokenService } from '../support/token-service-app';

/**
 * The response types of the OpenID Foundation conformance-suite test plans (OIDCCBasicTestPlan,
 * OIDCCImplicitTestPlan, OIDCCHybridTestPlan), each run of a plan being one response type.
 */
export const PLAN_RESPONSE_TYPES = {
  basic: ['code'],
  implicit: ['id_token', 'id_token token'],
  hybrid: ['code id_token', 'code token', 'code id_token token'],
} as const;

export const ALL_RESPONSE_TYPES: string[] = [
  ...PLAN_RESPONSE_TYPES.basic,
  ...PLAN_RESPONSE_TYPES.implicit,
  ...PLAN_RESPONSE_TYPES.hybrid,
];

/** `responseType` asks for `part` (code, id_token or token). */
export const asks = (responseType: string, part: 'code' | 'id_token' | 'token') =>
  responseType.split(' ').includes(part);

/**
 * The static client the suite is configured with: for the implicit and hybrid plans one an
 * administrator enabled the implicit grant for (dynamic registration refuses it).
 */
export function clientFor(oidc: Oidc, responseType: string, metadata: Record<string, unknown> = {}) {
  return responseType === 'code'
    ? oidc.client(metadata)
    : oidc.client({
        grant_types: ['authorization_code', 'implicit', 'refresh_token'],
        response_types: ALL_RESPONSE_TYPES,
        ...metadata,
      });
}

/** What the client holds once an authentication succeeded: front-channel values, then the token response. */
export interface Outcome {
  mode: 'query' | 'fragment';
  params: Record<string, string>;
  /** The token endpoint's answer, for response types with a code. */
  tokens?: Json & { access_token: string; id_token?: string; refresh_token?: string };
  /** The ID token a relying party goes on with (the token endpoint's when there is one). */
  idToken?: string;
  /** The access token a relying party calls UserInfo with (the token endpoint's when there is one). */
  accessToken?: string;
}

/** Reads the authorization response to `client` and, if it carries a code, redeems it. */
export async function outcomeOf(oidc: Oidc, client: OidcClient, res: Response): Promise<Outcome> {
  const { mode, params } = callbackOf(res);
  if (params['error']) throw new Error(`authorization error: ${JSON.stringify(params)}`);
  const tokens = params['code'] ? await oidc.redeem(client, params['code']) : undefined;
  return {
    mode,
    params,
    tokens,
    idToken: tokens?.id_token ?? params['id_token'],
    accessToken: tokens?.access_token ?? params['access_token'],
  };
}

/**
 * The checks the suite makes of every ID token (ValidateIdToken, ValidateIdTokenNonce,
 * ValidateIdTokenSignatureUsingKid, CheckForSubjectInIdToken): signed by a key the JWKS names by
 * kid, for this issuer and client, unexpired, with the request's nonce and a subject.
 */
export async function validIdToken(
  oidc: Oidc,
  client: OidcClient,
  jwt: string | undefined,
  nonce?: string,
): Promise<JWTPayload & Json> {
  if (!jwt) throw new Error('no id_token');
  const { kid, alg } = decodeProtectedHeader(jwt);
  expect(kid).toEqual(expect.any(String));
  const jwks = (await (await fetch(`${oidc.app.url}/oauth2/jwks`)).json()) as { keys: Json[] };
  expect(jwks.keys.filter((k) => k['kid'] === kid).map((k) => k['alg'])).toEqual([alg]);
  const claims = await oidc.idToken(jwt, client);
  expect(claims.sub).toEqual(expect.any(String));
  expect(claims.iat).toBeLessThanOrEqual(oidc.now());
  expect(claims.exp).toBeGreaterThan(oidc.now());
  const aud = [claims.aud].flat();
  expect(aud).toContain(client.client_id);
  if (aud.length > 1) expect(claims['azp']).toBe(client.client_id);
  if (nonce !== undefined) expect(claims['nonce']).toBe(nonce);
  return claims;
}

/** at_hash and c_hash (OpenID Connect Core §3.3.2.11), checked when present, as ValidateAtHash/ValidateCHash do. */
export function expectHashesMatch(claims: Json, values: { accessToken?: string; code?: string }) {
  if (claims['at_hash'] !== undefined) expect(claims['at_hash']).toBe(leftHalfSha256(values.accessToken ?? ''));
  if (claims['c_hash'] !== undefined) expect(claims['c_hash']).toBe(leftHalfSha256(values.code ?? ''));
}

/** The suite's entropy estimate (AbstractEnsureMinimumEntropy): Shannon bits per character times length. */
export function shannonBits(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) perChar -= (n / value.length) * Math.log2(n / value.length);
  return perChar * value.length;
}

/** RFC 6749 §5.2 / Appendix A: error_description is %x20-21 / %x23-5B / %x5D-7E. */
export const ERROR_DESCRIPTION_CHARS = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/;

/** The error a refused token request answers, checked as the suite's token-endpoint error conditions do. */
export async function tokenError(res: Response): Promise<Json> {
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as Json;
  expect(body['error_description'] ?? '').toMatch(ERROR_DESCRIPTION_CHARS);
  return body;
}

/** The dynamic registration endpoint (RFC 7591) with the initial access token, as the suite registers. */
export async function registerDynamically(oidc: Oidc, metadata: Json): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${oidc.app.url}/oauth2/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${oidc.app.registrationToken}` },
    body: JSON.stringify(metadata),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

/** A dynamically registered client, in the shape the Oidc helper takes. */
export async function dynamicClient(oidc: Oidc, metadata: Json): Promise<OidcClient & { registered: Json }> {
  const { status, body } = await registerDynamically(oidc, metadata);
  if (status !== 201) throw new Error(`registration failed: ${JSON.stringify(body)}`);
  const client_id = body['client_id'] as string;
  const client_secret = (body['client_secret'] as string | undefined) ?? '';
  return {
    client_id,
    client_secret,
    basic: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`,
    redirect: (body['redirect_uris'] as string[])[0],
    registered: body,
  };
}

/**
 * The Oidc helper over a token service whose outbound client trusts `tls`, a loopback TLS test
 * server standing in for the relying party's jwks_uri, request_uri and sector_identifier_uri
 * (Oidc.start boots one with the production outbound client, which refuses loopback addresses).
 * Oidc's constructor is private, so its methods are lent to an object of the same shape.
 */
export async function startOidcWithOutbound(engine: DatabaseEngine, tls: TlsTestServer): Promise<Oidc> {
  const clock = new FakeClock(Math.floor(Date.now() / 1000) * 1000);
  const users = new InMemoryUserClaims();
  const app = await startTokenService({
    engine,
    clock: clock.now,
    userClaims: users,
    outbound: new OutboundHttpClient({ ca: tls.ca, allowPrivateAddresses: true }),
  });
  return Object.assign(Object.create(Oidc.prototype) as Oidc, { app, clock, users, ui: new ScriptedLoginUi(app) });
}
