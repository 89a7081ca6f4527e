import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenVerifier, bearerToken, type BearerRequestLike, type BearerResponseLike } from '../src';
import { call, httpFixture, summary, type HttpFixture } from './support/http-fixture';
import { ISSUER, ORDERS_API } from './support/token-service';

type Handler = (req: BearerRequestLike, res: BearerResponseLike, next: (err?: unknown) => void) => void;

/**
 * The smallest connect-style chain: each middleware calls next() to go on, next(err) to end in
 * the error handler, which answers with the error's status as Express's default handler does.
 */
function serve(routes: Record<string, Handler[]>, errors: unknown[]): Server {
  return createServer((req, res) => {
    const chain = routes[`${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`] ?? [];
    const run = (i: number, err?: unknown): void => {
      if (err !== undefined) {
        errors.push(err);
        res.statusCode = (err as { status?: number }).status ?? 500;
        return void res.end();
      }
      const handler = chain[i];
      if (!handler) return void res.end();
      handler(req, res, (e?: unknown) => run(i + 1, e));
    };
    run(0);
  });
}

const answer: Handler = (req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(summary(req.token)));
};

/** bearerToken() on a plain node:http server, against the real token service. */
describe('bearerToken middleware (node:http)', () => {
  let fx: HttpFixture;
  let server: Server;
  let url: string;
  const errors: unknown[] = [];

  beforeAll(async () => {
    fx = await httpFixture();
    const verifier = new TokenVerifier(
      fx.ts.options(ORDERS_API, { introspection: { clientId: fx.ordersRs.client_id, clientSecret: fx.ordersRs.client_secret, cacheTtlMs: 0 } }),
    );
    const unreachable = new TokenVerifier({ issuer: ISSUER, audience: ORDERS_API, fetch: () => Promise.reject(new TypeError('fetch failed')) });
    server = serve(
      {
        'GET /orders': [bearerToken(verifier, { scopes: ['orders:read'] }), answer],
        'POST /orders': [bearerToken(verifier, { scopes: ['orders:write'] }), answer],
        'GET /me': [bearerToken(verifier), answer],
        'GET /down': [bearerToken(unreachable), answer],
      },
      errors,
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await fx?.ts.close();
  });

  it('passes a valid token on with req.token, JWT and reference alike', async () => {
    expect(await call(`${url}/orders`, { authorization: `Bearer ${await fx.readWriteJwt()}` })).toEqual({
      status: 200,
      challenge: null,
      body: { format: 'jwt', client_id: expect.any(String), scopes: ['orders:read', 'orders:write'] },
    });
    expect(await call(`${url}/me`, { authorization: `Bearer ${await fx.readOnlyReference()}` })).toMatchObject({
      status: 200,
      body: { format: 'reference', client_id: fx.reader.client_id, scopes: ['orders:read'] },
    });
  });

  it('answers 403 insufficient_scope with the required scope in WWW-Authenticate', async () => {
    const res = await call(`${url}/orders`, { method: 'POST', authorization: `Bearer ${await fx.readOnlyReference()}` });
    expect(res).toEqual({
      status: 403,
      challenge: `Bearer realm="${ORDERS_API}", error="insufficient_scope", error_description="The access token lacks the scope this request needs: orders:write.", scope="orders:write"`,
      body: { error: 'insufficient_scope', error_description: 'The access token lacks the scope this request needs: orders:write.', scope: 'orders:write' },
    });
  });

  it('answers a request without a token 401 with a bare challenge and no error information', async () => {
    expect(await call(`${url}/orders`)).toEqual({ status: 401, challenge: `Bearer realm="${ORDERS_API}"`, body: {} });
  });

  it('answers a malformed header 400 invalid_request and a bad token 401 invalid_token', async () => {
    expect(await call(`${url}/orders`, { authorization: 'Bearer  two  spaces' })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    const revoked = await fx.readOnlyReference();
    await fx.ts.revoke(fx.reader, revoked);
    const res = await call(`${url}/orders`, { authorization: `Bearer ${revoked}` });
    expect(res).toEqual({
      status: 401,
      challenge: `Bearer realm="${ORDERS_API}", error="invalid_token", error_description="The access token is not active."`,
      body: { error: 'invalid_token', error_description: 'The access token is not active.' },
    });
  });

  it('hands an unreachable authorization server to the error handler (status 503), never the token', async () => {
    const jwt = await fx.readWriteJwt();
    const before = errors.length;
    expect((await call(`${url}/down`, { authorization: `Bearer ${jwt}` })).status).toBe(503);
    expect(errors.slice(before)).toEqual([expect.objectContaining({ name: 'IssuerUnavailableError', status: 503 })]);
    expect(String((errors[before] as Error).message)).not.toContain(jwt);
  });

  it('refuses bad scope names when the middleware is set up, not at request time', () => {
    const verifier = new TokenVerifier({ issuer: ISSUER, audience: ORDERS_API });
    expect(() => bearerToken(verifier, { scopes: ['orders read'] })).toThrow(TypeError);
  });
});
