import { createHmac } from 'node:crypto';
import { internalCredential, type InternalCaller } from '@tessera/runtime';
import { INTERNAL_SECRET } from '../../src/token-service.tokens';
import type { TestApp } from '../support/token-service-app';

import { json, type JsonBody } from '../support/json-body';

export { json, type JsonBody };

/** Every route of the internal API, with a body where the route reads one. */
export const INTERNAL_ROUTES: ReadonlyArray<{ method: string; path: string; body?: unknown }> = [
  { method: 'POST', path: '/internal/clients', body: { grant_types: ['client_credentials'] } },
  { method: 'GET', path: '/internal/clients' },
  { method: 'GET', path: '/internal/clients/some-client' },
  { method: 'PUT', path: '/internal/clients/some-client', body: { grant_types: ['client_credentials'] } },
  { method: 'DELETE', path: '/internal/clients/some-client' },
  { method: 'POST', path: '/internal/clients/some-client/secret' },
  { method: 'POST', path: '/internal/clients/some-client/revoke' },
  { method: 'POST', path: '/internal/resource-servers', body: { identifier: 'https://api.test/internal-probe' } },
  { method: 'GET', path: '/internal/resource-servers' },
  { method: 'DELETE', path: '/internal/resource-servers/some-id' },
  { method: 'GET', path: '/internal/keys' },
  { method: 'POST', path: '/internal/keys/rotate', body: {} },
];

/** The app's own internal secret, read from its DI container (the harness does not expose it). */
export const credentialFor = (app: TestApp, caller: InternalCaller) => internalCredential(app.running.app.get<string>(INTERNAL_SECRET), caller);

/** A credential shaped like a real one, but derived from a secret the server does not hold. */
export const forgedCredential = (caller: string, secret = 'not-the-platform-secret') =>
  `${caller}.${createHmac('sha256', secret).update(`tessera-internal:${caller}`).digest('base64url')}`;

export async function call(baseUrl: string, route: { method: string; path: string; body?: unknown }, authorization?: string) {
  const res = await fetch(`${baseUrl}${route.path}`, {
    method: route.method,
    headers: {
      ...(authorization === undefined ? {} : { authorization }),
      ...(route.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: route.body === undefined ? undefined : JSON.stringify(route.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

export async function tokenFor(app: TestApp, basic: string, params: Record<string, string> = {}) {
  const res = await app.form('/oauth2/token', { grant_type: 'client_credentials', ...params }, { authorization: basic });
  return { status: res.status, body: await json(res) };
}

export async function isActive(app: TestApp, basic: string, token: string): Promise<boolean> {
  const res = await app.form('/oauth2/introspect', { token }, { authorization: basic });
  return (await json(res)).active;
}
