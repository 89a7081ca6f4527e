import { testEngines } from '@tessera/test-kit';
import { IssuerUnavailableError, TokenVerifier, type ResourceServerOptions } from '../src';
import { refusalOf, verdict } from './support/refusals';
import { BILLING_API, FetchLog, ISSUER, ORDERS_API, startTokenService, type Client, type TokenService } from './support/token-service';

/** Reference tokens (`tsr_at_…`) checked by RFC 7662 introspection, with the resource server's own client, and the cache's revocation semantics. */
describe.each(testEngines())('reference tokens through introspection (%s)', (engine) => {
  let ts: TokenService;
  let owner: Client;
  let ordersRs: Client;
  let billingRs: Client;

  beforeAll(async () => {
    ts = await startTokenService({ engine });
    ordersRs = await ts.resourceServer(ORDERS_API);
    billingRs = await ts.resourceServer(BILLING_API);
    owner = await ts.client({ allowed_scopes: ['orders:read', 'orders:write'] });
  });
  afterAll(() => ts?.close());

  const referenceFor = (resource = ORDERS_API, scope = 'orders:read') => ts.token(owner, { scope, resource });
  const verifierFor = (rs: Client, audience: string, cacheTtlMs?: number, log?: FetchLog, extra: Partial<ResourceServerOptions> = {}) =>
    new TokenVerifier(
      ts.options(audience, { introspection: { clientId: rs.client_id, clientSecret: rs.client_secret, ...(cacheTtlMs === undefined ? {} : { cacheTtlMs }) }, ...extra }, log),
    );

  it('accepts an active reference token with what introspection said, asking with client_secret_basic and the token in the body', async () => {
    const log = new FetchLog();
    const verifier = verifierFor(ordersRs, ORDERS_API, undefined, log);
    const token = await referenceFor(ORDERS_API, 'orders:read orders:write');
    expect(token).toMatch(/^tsr_at_/);

    const verified = await verifier.verify(token);

    expect(verified).toEqual({
      format: 'reference',
      sub: owner.client_id,
      client_id: owner.client_id,
      scopes: ['orders:read', 'orders:write'],
      aud: [ORDERS_API],
      exp: expect.any(Number),
      iat: expect.any(Number),
      jti: expect.any(String),
      claims: expect.objectContaining({ active: true, iss: ISSUER, token_type: 'Bearer', client_id: owner.client_id }),
    });
    const introspection = log.calls.filter((c) => c.path === '/oauth2/introspect');
    expect(introspection).toHaveLength(1);
    expect(introspection[0]).toMatchObject({ method: 'POST', authorization: ordersRs.basic });
    expect(new URLSearchParams(introspection[0].body).get('token')).toBe(token);
    // The endpoint came from discovery, and the token never appears in a URL.
    expect(log.calls.map((c) => c.path)).toEqual(['/.well-known/openid-configuration', '/oauth2/introspect']);
  });

  it('refuses a revoked token on the next request when the cache is off (cacheTtlMs 0)', async () => {
    const log = new FetchLog();
    const verifier = verifierFor(ordersRs, ORDERS_API, 0, log);
    const token = await referenceFor();
    await verifier.verify(token);
    await verifier.verify(token);
    expect(log.count('/oauth2/introspect')).toBe(2);

    await ts.revoke(owner, token);

    expect(verdict(await refusalOf(verifier.verify(token), token))).toEqual({ code: 'invalid_token', status: 401, detail: 'inactive' });
  });

  it('with a cache, reuses an active answer for at most cacheTtlMs: a revoked token is refused once it has passed', async () => {
    const ttl = 1_000;
    // Only Date is faked, and frozen: "within the TTL" must not depend on how long the revocation
    // takes on a loaded machine. The token service and the network run on real timers.
    jest.useFakeTimers({ doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    try {
      const log = new FetchLog();
      const verifier = verifierFor(ordersRs, ORDERS_API, ttl, log);
      const token = await referenceFor();
      await verifier.verify(token);
      await ts.revoke(owner, token);

      // Within the TTL the cached answer stands (the documented price of the cache) and the
      // authorization server is not asked again.
      jest.setSystemTime(Date.now() + ttl - 1);
      expect((await verifier.verify(token)).client_id).toBe(owner.client_id);
      expect(log.count('/oauth2/introspect')).toBe(1);

      jest.setSystemTime(Date.now() + 2);
      expect(verdict(await refusalOf(verifier.verify(token), token))).toEqual({ code: 'invalid_token', status: 401, detail: 'inactive' });
      // An inactive answer is never cached: it is asked again, and still refused.
      expect(verdict(await refusalOf(verifier.verify(token), token))).toEqual({ code: 'invalid_token', status: 401, detail: 'inactive' });
      expect(log.count('/oauth2/introspect')).toBe(3);
    } finally {
      jest.useRealTimers();
    }
  });

  it('shares one introspection call between concurrent requests with the same token while caching', async () => {
    const log = new FetchLog();
    const verifier = verifierFor(ordersRs, ORDERS_API, 5_000, log);
    const token = await referenceFor();
    const results = await Promise.all(Array.from({ length: 5 }, () => verifier.verify(token)));
    expect(results.map((r) => r.client_id)).toEqual(Array(5).fill(owner.client_id));
    expect(log.count('/oauth2/introspect')).toBe(1);
    // Each caller has its own copy: editing one request's token does not edit the cache.
    results[0].scopes.push('orders:admin');
    expect((await verifier.verify(token)).scopes).toEqual(['orders:read']);
  });

  it("refuses another API's token: the token service answers inactive to a resource server outside its audience", async () => {
    const verifier = verifierFor(ordersRs, ORDERS_API);
    const token = await referenceFor(BILLING_API);
    expect(verdict(await refusalOf(verifier.verify(token), token))).toEqual({ code: 'invalid_token', status: 401, detail: 'inactive' });
  });

  it('refuses an active answer whose aud does not name this API (the resource server client is the token\'s own client)', async () => {
    // A resource server that introspects with the client the token was issued to sees the
    // token active whatever its audience: the aud check is the resource server's own.
    const verifier = new TokenVerifier(ts.options(ORDERS_API, { introspection: { clientId: owner.client_id, clientSecret: owner.client_secret } }));
    const token = await referenceFor(BILLING_API);
    expect(verdict(await refusalOf(verifier.verify(token), token))).toEqual({ code: 'invalid_token', status: 401, detail: 'wrong_audience' });
  });

  it('never sends a refresh token or a value of unknown shape to introspection', async () => {
    const log = new FetchLog();
    const verifier = verifierFor(ordersRs, ORDERS_API, 0, log);
    for (const token of ['tsr_rt_' + 'a'.repeat(43), 'tsr_ac_' + 'b'.repeat(43), 'opaque-value-of-someone-else']) {
      expect(verdict(await refusalOf(verifier.verify(token), token))).toEqual({ code: 'invalid_token', status: 401, detail: 'unrecognised_format' });
    }
    expect(log.calls).toEqual([]);
  });

  it('refuses reference tokens with invalid_token when it has no introspection client (JWT-only API)', async () => {
    const verifier = new TokenVerifier(ts.options(ORDERS_API));
    const token = await referenceFor();
    expect(verdict(await refusalOf(verifier.verify(token), token))).toEqual({
      code: 'invalid_token',
      status: 401,
      detail: 'reference_token_without_introspection',
    });
  });

  it('reports refused resource server credentials as the issuer being unavailable, not as a bad token', async () => {
    const verifier = new TokenVerifier(ts.options(ORDERS_API, { introspection: { clientId: billingRs.client_id, clientSecret: 'tsr_cs_not-the-secret-0123456789abcdef' } }));
    const token = await referenceFor();
    const err = await verifier.verify(token).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IssuerUnavailableError);
    expect((err as Error).message).toBe(`The introspection endpoint at ${ISSUER}/oauth2/introspect answered HTTP 401 (invalid_client)`);
    expect((err as Error).message).not.toContain(token);
  });

  it('reports an unreachable issuer as unavailable, and tries again on a later request', async () => {
    let down = true;
    const reachable = ts.fetch();
    const verifier = new TokenVerifier({
      issuer: ISSUER,
      audience: ORDERS_API,
      introspection: { endpoint: `${ISSUER}/oauth2/introspect`, clientId: ordersRs.client_id, clientSecret: ordersRs.client_secret },
      fetch: (input, init) => (down ? Promise.reject(new TypeError('fetch failed')) : reachable(input, init)),
    });
    const token = await referenceFor();
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(IssuerUnavailableError);
    down = false;
    expect((await verifier.verify(token)).client_id).toBe(owner.client_id);
  });
});
