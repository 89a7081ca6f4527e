/**
 * A tiny API protected by Tessera's access tokens: node:http and the `bearerToken` middleware of
 * @tessera/resource-server, nothing else. See README.md for running it against `npm start`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { TokenVerifier, bearerToken, type BearerRequestLike, type ResourceServerOptions } from '@tessera/resource-server';

const env = process.env;
const issuer = env['TESSERA_ISSUER'] ?? 'http://localhost:3000';
const audience = env['API_IDENTIFIER'] ?? 'https://api.example.com/orders';
const port = Number(env['PORT'] ?? 4000);

// The resource server's own client: only needed for reference (opaque) tokens and introspection.
const clientId = env['API_CLIENT_ID'];
const clientSecret = env['API_CLIENT_SECRET'];
const introspection: ResourceServerOptions['introspection'] =
  clientId && clientSecret ? { clientId, clientSecret, cacheTtlMs: Number(env['INTROSPECTION_CACHE_MS'] ?? 5_000) } : undefined;

const verifier = new TokenVerifier({ issuer, audience, ...(introspection ? { introspection } : {}) });

type Request = IncomingMessage & BearerRequestLike;
type Handler = (req: Request, res: ServerResponse, next: (err?: unknown) => void) => void;

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
};

/** What the API answers: who called, with which scopes (never the token itself). */
const whoAmI: Handler = (req, res) =>
  json(res, req.method === 'POST' ? 201 : 200, {
    sub: req.token?.sub,
    client_id: req.token?.client_id,
    scopes: req.token?.scopes,
    format: req.token?.format,
  });

const routes: Record<string, Handler[]> = {
  'GET /orders': [bearerToken(verifier, { scopes: ['orders:read'] }), whoAmI],
  'POST /orders': [bearerToken(verifier, { scopes: ['orders:write'] }), whoAmI],
  'GET /me': [bearerToken(verifier), whoAmI],
};

const server = createServer((req: Request, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const chain = routes[`${req.method} ${path}`];
  if (!chain) return json(res, 404, { error: 'not_found' });
  const run = (i: number, err?: unknown): void => {
    if (err !== undefined) {
      // IssuerUnavailableError (status 503): Tessera could not be asked. Its message names the
      // endpoint, never the token.
      const status = (err as { status?: number }).status ?? 500;
      console.error(`${req.method} ${path}: ${status} ${(err as Error).message}`);
      return json(res, status, { error_description: status === 503 ? 'Try again later.' : 'Internal error.' });
    }
    chain[i]?.(req, res, (e) => run(i + 1, e));
  };
  run(0);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`Example API on http://127.0.0.1:${port} (issuer ${issuer}, audience ${audience}, introspection ${introspection ? 'on' : 'off'})`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)));
