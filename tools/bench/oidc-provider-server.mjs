// The comparison peer for tools/bench/run.mjs: npm's oidc-provider (9.x) configured for the
// client_credentials grant and introspection, with one client and three resource indicators
// (opaque access token, JWT signed ES256, JWT signed RS256).
//
// Environment:
//   BENCH_PORT            port to listen on (127.0.0.1 only)                       (required)
//   BENCH_CLIENT_ID       the single client's id                                   (required)
//   BENCH_CLIENT_SECRET   the single client's secret                               (required)
//   BENCH_ADAPTER         'memory' (default, oidc-provider's own LRU adapter) or 'redis'
//   BENCH_REDIS_URL       Redis URL for BENCH_ADAPTER=redis (default redis://127.0.0.1:56399)
//
// Prints one line `READY <port>` on stdout when it is listening.
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';
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
  ],
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
      defaultResource: async () => RESOURCES.opaque,
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

const server = createServer(provider.callback());
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
