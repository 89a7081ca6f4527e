import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { TestApp } from '../support/token-service-app';

import { json, type JsonBody } from '../support/json-body';

export { json, type JsonBody };

export const ORDERS_API = 'https://api.test/orders';
export const BILLING_API = 'https://api.test/billing';

export interface Caller {
  client_id: string;
  basic: string;
}

/** Issues a client_credentials token for `client` (optionally for one resource server). */
export async function issueToken(app: TestApp, client: Caller, params: Record<string, string> = {}): Promise<string> {
  const res = await app.form('/oauth2/token', { grant_type: 'client_credentials', ...params }, { authorization: client.basic });
  const body = await json(res);
  if (res.status !== 200) throw new Error(`token request failed: ${JSON.stringify(body)}`);
  return body.access_token;
}

export function introspect(app: TestApp, caller: Caller, token: string, accept?: string): Promise<Response> {
  return app.form('/oauth2/introspect', { token }, { authorization: caller.basic, ...(accept ? { accept } : {}) });
}

export async function introspectJson(app: TestApp, caller: Caller, token: string): Promise<Record<string, unknown>> {
  const res = await introspect(app, caller, token);
  expect(res.status).toBe(200);
  return json(res);
}

export async function jwks(app: TestApp) {
  const res = await fetch(`${app.url}/oauth2/jwks`);
  return createLocalJWKSet((await res.json()) as JSONWebKeySet);
}
