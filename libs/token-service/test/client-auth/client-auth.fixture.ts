import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import type { FakeClock } from '@tessera/test-kit';
import type { TestApp } from '../support/token-service-app';

import { json, type JsonBody } from '../support/json-body';

export { json, type JsonBody };

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** RFC 6749 §2.3.1: id and secret are each application/x-www-form-urlencoded, then joined and base64-encoded. */
export const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
export const basicHeader = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
/** Percent-encodes every byte: still a valid form-urlencoded value, which the server must decode. */
export const percentEncodeAll = (value: string) => [...Buffer.from(value)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');

export async function expectOAuthError(res: Response, status: number, error: string): Promise<{ error: string; error_description: string }> {
  const body = await json(res);
  expect({ status: res.status, error: body.error }).toEqual({ status, error });
  expect(res.headers.get('cache-control')).toBe('no-store');
  return body;
}

export interface KeyPairClient {
  clientId: string;
  kid: string;
  alg: 'ES256' | 'RS256';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** A private_key_jwt client (RFC 7523) registered through the internal API with a fresh key pair. */
export async function registerKeyPairClient(app: TestApp, alg: 'ES256' | 'RS256', metadata: Record<string, unknown> = {}): Promise<KeyPairClient> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const res = await app.internal('POST', '/internal/clients', {
    token_endpoint_auth_method: 'private_key_jwt',
    grant_types: ['client_credentials'],
    jwks: { keys: [publicJwk] },
    ...metadata,
  });
  if (res.status !== 201) throw new Error(`private_key_jwt client registration failed: ${JSON.stringify(res.body)}`);
  return { clientId: res.body['client_id'] as string, kid, alg, privateKey, publicJwk };
}

export interface AssertionClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  jti?: string | null;
  iat?: number | null;
  exp?: number;
}

/** A client assertion signed with `key`, timed by the fake clock; `null` leaves a claim out. */
export async function clientAssertion(
  client: Pick<KeyPairClient, 'clientId' | 'kid' | 'alg'>,
  key: CryptoKey,
  clock: FakeClock,
  aud: string | string[],
  claims: AssertionClaims = {},
): Promise<string> {
  const now = Math.floor(clock.now() / 1000);
  const payload: Record<string, unknown> = {
    iss: claims.iss ?? client.clientId,
    sub: claims.sub ?? client.clientId,
    aud: claims.aud ?? aud,
    jti: claims.jti === undefined ? randomUUID() : claims.jti,
    iat: claims.iat === undefined ? now : claims.iat,
    exp: claims.exp ?? now + 120,
  };
  for (const [k, v] of Object.entries(payload)) if (v === null) delete payload[k];
  return new SignJWT(payload).setProtectedHeader({ alg: client.alg, kid: client.kid, typ: 'JWT' }).sign(key);
}

export const assertionParams = (assertion: string, extra: Record<string, string> = {}) => ({
  grant_type: 'client_credentials',
  client_assertion_type: JWT_BEARER,
  client_assertion: assertion,
  ...extra,
});
