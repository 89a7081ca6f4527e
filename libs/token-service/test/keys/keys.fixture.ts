import { decodeProtectedHeader, type JWK } from 'jose';
import type { DataSource } from 'typeorm';
import { TOKEN_SERVICE_DATA_SOURCE } from '../../src/adapters/typeorm/data-source';
import { SigningKeysService } from '../../src/keys/signing-keys.service';
import type { TestApp } from '../support/token-service-app';

import { json, type JsonBody } from '../support/json-body';

export { json, type JsonBody };

export const API = 'https://api.test/keys';

export async function publishedKeys(app: TestApp): Promise<{ keys: JWK[]; contentType: string | null }> {
  const res = await fetch(`${app.url}/oauth2/jwks`);
  expect(res.status).toBe(200);
  return { ...((await res.json()) as { keys: JWK[] }), contentType: res.headers.get('content-type') };
}

export const publishedKids = async (app: TestApp) => (await publishedKeys(app)).keys.map((k) => k.kid as string);

export async function rotate(app: TestApp, alg?: 'ES256' | 'RS256') {
  const res = await app.internal('POST', '/internal/keys/rotate', alg ? { alg } : {});
  expect(res.status).toBe(201);
  return (res.body as { rotated: { alg: string; kid: string; previousKid?: string }[] }).rotated;
}

/** Issues a JWT access token to `client` and returns it with the kid that signed it. */
export async function issueJwt(app: TestApp, client: { basic: string }): Promise<{ token: string; kid: string; alg: string }> {
  const res = await app.form('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: client.basic });
  const body = await json(res);
  if (res.status !== 200) throw new Error(`token request failed: ${JSON.stringify(body)}`);
  const { kid, alg } = decodeProtectedHeader(body.access_token);
  return { token: body.access_token, kid: kid as string, alg: alg as string };
}

export async function isActive(app: TestApp, client: { basic: string }, token: string): Promise<boolean> {
  const res = await app.form('/oauth2/introspect', { token }, { authorization: client.basic });
  return (await json(res)).active;
}

export const dataSourceOf = (app: TestApp) => app.running.app.get<DataSource>(TOKEN_SERVICE_DATA_SOURCE);

/**
 * A rotation also broadcasts `key.rotated`, and every replica (this one included) reloads its key
 * set in the background. Let that reload finish before moving the fake clock: a load that
 * straddles the clock jump would be stamped with the new time while holding the old view.
 */
export const settleKeyReload = async (app: TestApp) => {
  await new Promise((resolve) => setImmediate(resolve));
  await app.running.app.get(SigningKeysService).reload();
};
