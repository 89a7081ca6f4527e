#!/usr/bin/env node
// `npm run tessera -- <command>`: the operator's minimal CLI over the internal API of a
// platform running on this machine (the full CLI is apps/cli, to come with the admin API).
//   clients create '<json metadata>' | clients list | clients revoke <client_id>
//   resource-servers create '<json>' | resource-servers list | keys list | keys rotate [ES256|RS256]
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dataDir = process.env.TESSERA_DATA_DIR ?? 'var';
const secret = process.env.TESSERA_INTERNAL_SECRET ?? readFileSync(join(dataDir, 'internal.secret'), 'utf8').trim();
const base = `http://${process.env.TESSERA_INTERNAL_HOST ?? '127.0.0.1'}:${process.env.TESSERA_INTERNAL_PORT ?? 3001}`;
// Same derivation as libs/runtime/src/http/internal-credentials.ts, for the `operator` caller.
const credential = `operator.${createHmac('sha256', secret).update('tessera-internal:operator').digest('base64url')}`;

const [resource, action, arg] = process.argv.slice(2);
const routes = {
  'clients create': ['POST', '/internal/clients', () => JSON.parse(arg ?? '{}')],
  'clients list': ['GET', '/internal/clients'],
  'clients revoke': ['POST', `/internal/clients/${encodeURIComponent(arg ?? '')}/revoke`],
  'resource-servers create': ['POST', '/internal/resource-servers', () => JSON.parse(arg ?? '{}')],
  'resource-servers list': ['GET', '/internal/resource-servers'],
  'keys list': ['GET', '/internal/keys'],
  'keys rotate': ['POST', '/internal/keys/rotate', () => (arg ? { alg: arg } : {})],
};
const route = routes[`${resource} ${action}`];
if (!route) {
  console.error(`usage: npm run tessera -- ${Object.keys(routes).join(' | ')}`);
  process.exit(2);
}
const [method, path, body] = route;
const res = await fetch(`${base}${path}`, {
  method,
  headers: { authorization: `Bearer ${credential}`, ...(body ? { 'content-type': 'application/json' } : {}) },
  body: body ? JSON.stringify(body()) : undefined,
});
const text = await res.text();
console.log(text ? JSON.stringify(JSON.parse(text), null, 2) : `${res.status}`);
process.exit(res.ok ? 0 : 1);
