// The comparison peer for tools/bench/run.mjs and tools/bench/flows.mjs: npm's oidc-provider
// (9.x) configured for the client_credentials grant and introspection, with one client and three
// resource indicators (opaque access token, JWT signed ES256, JWT signed RS256), and for the
// authorization code flow with a second client and small interaction endpoints (below) that a
// benchmark client drives the way Tessera's internal challenge API is driven.
//
// Environment:
//   BENCH_PORT            port to listen on (127.0.0.1 only)                       (required)
//   BENCH_CLIENT_ID       the client_credentials client's id                       (required)
//   BENCH_CLIENT_SECRET   the client_credentials client's secret                   (required)
//   BENCH_WEB_CLIENT_ID   the authorization_code client's id      (default: <BENCH_CLIENT_ID>-web)
//   BENCH_WEB_CLIENT_SECRET  its secret                           (default: BENCH_CLIENT_SECRET)
//   BENCH_REDIRECT_URI    its redirect URI                         (default http://127.0.0.1:9/cb)
//   BENCH_ADAPTER         'memory' (default, oidc-provider's own LRU adapter) or 'redis'
//   BENCH_REDIS_URL       Redis URL for BENCH_ADAPTER=redis (default redis://127.0.0.1:56399)
//
// Prints one line `READY <port>` on stdout when it is listening.
//
// UserInfo (`/me`, oidc-provider's default): findAccount answers every account with the fixed
// profile of claims-server.mjs, and `claims` maps the standard scopes to claims, so a token
// granted `openid profile email` gets the same claim set as from Tessera.
//
// Interaction endpoints (`interactions.url` is /bench/interaction/<uid>; every one needs the
// browser's `_interaction` cookie, as oidc-provider's interactionDetails() does):
//   GET  /bench/interaction/<uid>          → JSON { uid, prompt, details, client_id, scope }
//                                            (what a login or consent page would render from)
//   POST /bench/interaction/<uid>/login    JSON { accountId } → JSON { redirect_to }
//   POST /bench/interaction/<uid>/consent  → grants the missing scopes (a saved provider.Grant)
//                                            → JSON { redirect_to }
// redirect_to is oidc-provider's /auth/<uid> resume URL, which the browser then follows.
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';
import { BENCH_PROFILE } from './claims-server.mjs';
import { createRedisAdapter } from './redis-adapter.mjs';

export const RESOURCES = {
  opaque: 'https://opaque.bench.test',
  es256: 'https://es256.bench.test',
  rs256: 'https://rs256.bench.test',
};

const port = Number(process.env.BENCH_PORT);
const clientId = process.env.BENCH_CLIENT_ID;
const clientSecret = process.env.BENCH_CLIENT_SECRET;
const adapterName = process.env.BENCH_ADAPTER ?? 'memory';
const webClientId = process.env.BENCH_WEB_CLIENT_ID ?? `${clientId}-web`;
const webClientSecret = process.env.BENCH_WEB_CLIENT_SECRET ?? clientSecret;
const redirectUri = process.env.BENCH_REDIRECT_URI ?? 'http://127.0.0.1:9/cb';
if (!port || !clientId || !clientSecret) {
  console.error('BENCH_PORT, BENCH_CLIENT_ID and BENCH_CLIENT_SECRET are required');
  process.exit(2);
}

async function privateJwk(alg) {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
  });
  return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: `bench-${alg.toLowerCase()}` };
}

const resourceServers = {
  [RESOURCES.opaque]: {
    scope: 'bench:read',
    audience: RESOURCES.opaque,
    accessTokenTTL: 3600,
    accessTokenFormat: 'opaque',
  },
  [RESOURCES.es256]: {
    scope: 'bench:read',
    audience: RESOURCES.es256,
    accessTokenTTL: 3600,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'ES256' } },
  },
  [RESOURCES.rs256]: {
    scope: 'bench:read',
    audience: RESOURCES.rs256,
    accessTokenTTL: 3600,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'RS256' } },
  },
};

let adapter;
let closeAdapter = async () => undefined;
if (adapterName === 'redis') {
  ({ adapter, close: closeAdapter } = createRedisAdapter(
    process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:56399',
  ));
} else if (adapterName !== 'memory') {
  console.error(`unknown BENCH_ADAPTER ${adapterName}`);
  process.exit(2);
}

const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  ...(adapter ? { adapter } : {}),
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: webClientId,
      client_secret: webClientSecret,
      grant_types: ['authorization_code'],
      redirect_uris: [redirectUri],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  // An account from memory: no user store and no password hashing (Tessera's side has none
  // either; its login UI is scripted through the internal API). Every account has the profile
  // Tessera's user directory answers in the userinfo scenario (claims-server.mjs); oidc-provider
  // releases the part the `claims` mapping below gives the granted scopes.
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, ...BENCH_PROFILE }) }),
  // oidc-provider's defaults (acr, sid, auth_time, iss; openid → sub) plus the OpenID Connect
  // Core §5.4 standard scopes the userinfo scenario asks for.
  claims: {
    acr: null,
    sid: null,
    auth_time: null,
    iss: null,
    openid: ['sub'],
    profile: [
      'birthdate',
      'family_name',
      'gender',
      'given_name',
      'locale',
      'middle_name',
      'name',
      'nickname',
      'picture',
      'preferred_username',
      'profile',
      'updated_at',
      'website',
      'zoneinfo',
    ],
    email: ['email', 'email_verified'],
    phone: ['phone_number', 'phone_number_verified'],
  },
  interactions: { url: async (_ctx, interaction) => `/bench/interaction/${interaction.uid}` },
  // PKCE on every authorization request, as Tessera's benchmark client always sends it (oidc-provider's
  // default only requires it for public clients).
  pkce: { required: () => true },
  jwks: { keys: [await privateJwk('ES256'), await privateJwk('RS256')] },
  scopes: ['bench:read'],
  // Not used by client_credentials, but set so that oidc-provider does not warn about defaults.
  cookies: { keys: [clientSecret] },
  ttl: { ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 3600 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: {
      enabled: true,
      // The same rule Tessera applies: a client may introspect its own tokens.
      allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
    },
    revocation: { enabled: false },
    resourceIndicators: {
      enabled: true,
      // bench:read (client_credentials, the flow scenarios) → the opaque resource server; an
      // OpenID-only request (`openid profile email`, the userinfo scenario) gets no resource, so
      // its access token has no audience and is one oidc-provider's userinfo endpoint accepts.
      defaultResource: async (ctx) => {
        const scope = String(ctx.oidc.params?.scope ?? '').split(' ');
        return scope.includes('openid') && !scope.includes('bench:read') ? undefined : RESOURCES.opaque;
      },
      getResourceServerInfo: async (_ctx, resourceIndicator) => {
        const info = resourceServers[resourceIndicator];
        if (!info) throw new errors.InvalidTarget();
        return info;
      },
      useGrantedResource: async () => true,
    },
  },
});
provider.proxy = false;
// oidc-provider answers unexpected errors with a bare 500 `server_error`; say why on stderr, which
// the benchmark prints when a run fails.
provider.on('server_error', (ctx, err) => {
  console.error(`server_error on ${ctx.method} ${ctx.path}: ${err?.stack ?? err}`);
});

// --- interaction endpoints (see the header) ----------------------------------------------------

const INTERACTION = /^\/bench\/interaction\/([^/?]+)(\/login|\/consent)?(?:\?.*)?$/;

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.setHeader('cache-control', 'no-store');
  res.end(text);
}

async function readJson(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return sendJson(res, 400, { error: 'interaction cookie does not match' });
  const prompt = details.prompt.name;
  if (!action) {
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
    return sendJson(res, 200, {
      uid,
      prompt,
      details: details.prompt.details,
      client_id: details.params.client_id,
      scope: details.params.scope,
    });
  }
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'method not allowed' });
  const body = await readJson(req);
  let result;
  if (action === '/login') {
    if (prompt !== 'login') return sendJson(res, 400, { error: `prompt is ${prompt}, not login` });
    if (typeof body.accountId !== 'string' || !body.accountId)
      return sendJson(res, 400, { error: 'accountId is required' });
    result = {
      login: { accountId: body.accountId, amr: ['pwd'], ts: Math.floor(Date.now() / 1000), remember: true },
    };
  } else {
    if (prompt !== 'consent') return sendJson(res, 400, { error: `prompt is ${prompt}, not consent` });
    const { accountId } = details.session;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: details.params.client_id });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    result = { consent: details.grantId ? {} : { grantId } };
  }
  const redirectTo = await provider.interactionResult(req, res, result, { mergeWithLastSubmission: false });
  return sendJson(res, 200, { redirect_to: redirectTo });
}

const callback = provider.callback();
const server = createServer((req, res) => {
  const m = req.url.startsWith('/bench/') ? INTERACTION.exec(req.url) : null;
  if (!m) return callback(req, res);
  interaction(req, res, m[1], m[2]).catch((err) => {
    // SessionNotFound and friends: the browser's cookies did not match an interaction.
    if (!res.headersSent) sendJson(res, err.statusCode ?? 500, { error: err.name, message: err.message });
    else res.destroy();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`READY ${port}\n`);
});

async function shutdown() {
  server.close();
  server.closeAllConnections?.();
  await closeAdapter().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
