import { decodeProtectedHeader, jwtVerify } from 'jose';
import { FakeClock, testEngines } from '@tessera/test-kit';
import { startTokenService, type TestApp } from '../support/token-service-app';
import { BILLING_API, ORDERS_API, introspect, introspectJson, issueToken, jwks, type Caller, json } from './introspection.fixture';

const INTROSPECTION_JWT = 'application/token-introspection+jwt';

/** RFC 7662 introspection (and RFC 9701's signed answer): who may see what, and when a token stops being active. */
describe.each(testEngines())('token introspection (%s)', (engine) => {
  let app: TestApp;
  const clock = new FakeClock();
  const nowSeconds = () => Math.floor(clock.now() / 1000);
  let owner: Caller;
  let jwtOwner: Caller;
  let ordersRs: Caller;
  let billingRs: Caller;
  let stranger: Caller;

  beforeAll(async () => {
    app = await startTokenService({ engine, clock: clock.now });
    ordersRs = await app.client();
    billingRs = await app.client();
    stranger = await app.client({ allowed_scopes: ['orders:read'] });
    expect((await app.internal('POST', '/internal/resource-servers', { identifier: ORDERS_API, scopes: ['orders:read'], client_id: ordersRs.client_id })).status).toBe(201);
    expect((await app.internal('POST', '/internal/resource-servers', { identifier: BILLING_API, scopes: ['orders:read'], client_id: billingRs.client_id })).status).toBe(201);
    owner = await app.client({ allowed_scopes: ['orders:read'] });
    jwtOwner = await app.client({ allowed_scopes: ['orders:read'], access_token_format: 'jwt', default_audience: [ORDERS_API] });
  });
  afterAll(() => app?.close());

  it('describes an active reference token with the RFC 7662 §2.2 members, no-store', async () => {
    const issuedAt = nowSeconds();
    const token = await issueToken(app, owner, { scope: 'orders:read', resource: ORDERS_API });
    const res = await introspect(app, owner, token);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await json(res);
    expect(body).toEqual({
      active: true,
      scope: 'orders:read',
      client_id: owner.client_id,
      sub: owner.client_id,
      aud: ORDERS_API,
      iss: app.issuer,
      iat: issuedAt,
      exp: issuedAt + 3600,
      jti: expect.any(String),
      token_type: 'Bearer',
    });
  });

  it('describes an active JWT access token with the same members, taken from the token', async () => {
    const issuedAt = nowSeconds();
    const token = await issueToken(app, jwtOwner, { scope: 'orders:read' });
    const body = await introspectJson(app, jwtOwner, token);
    expect(body).toMatchObject({ active: true, scope: 'orders:read', client_id: jwtOwner.client_id, aud: ORDERS_API, iss: app.issuer, iat: issuedAt, exp: issuedAt + 3600 });
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(body['jti']).toBe(claims.jti);
  });

  it('answers only { active: false } to a client the token was not issued to and that serves none of its audiences', async () => {
    const reference = await issueToken(app, owner, { scope: 'orders:read', resource: ORDERS_API });
    const jwt = await issueToken(app, jwtOwner, { scope: 'orders:read' });
    for (const token of [reference, jwt]) expect(await introspectJson(app, stranger, token)).toEqual({ active: false });
    expect(await introspectJson(app, jwtOwner, reference)).toEqual({ active: false });
    expect(await introspectJson(app, owner, jwt)).toEqual({ active: false });
    // The stranger's refusal did not revoke anything.
    expect(await introspectJson(app, owner, reference)).toMatchObject({ active: true });
  });

  it('shows a resource server the tokens whose aud names it, and no others', async () => {
    const forOrders = await issueToken(app, owner, { scope: 'orders:read', resource: ORDERS_API });
    const forBilling = await issueToken(app, owner, { scope: 'orders:read', resource: BILLING_API });
    expect(await introspectJson(app, ordersRs, forOrders)).toMatchObject({ active: true, aud: ORDERS_API, client_id: owner.client_id });
    expect(await introspectJson(app, ordersRs, forBilling)).toEqual({ active: false });
    expect(await introspectJson(app, billingRs, forBilling)).toMatchObject({ active: true, aud: BILLING_API });
    expect(await introspectJson(app, billingRs, forOrders)).toEqual({ active: false });
    const jwt = await issueToken(app, jwtOwner, { scope: 'orders:read' });
    expect(await introspectJson(app, ordersRs, jwt)).toMatchObject({ active: true, aud: ORDERS_API });
    expect(await introspectJson(app, billingRs, jwt)).toEqual({ active: false });
  });

  it('shows a token with several audiences to each of their resource servers', async () => {
    const res = await app.form('/oauth2/token', `grant_type=client_credentials&scope=orders:read&resource=${encodeURIComponent(ORDERS_API)}&resource=${encodeURIComponent(BILLING_API)}`, { authorization: owner.basic });
    const { access_token } = await json(res);
    expect(await introspectJson(app, ordersRs, access_token)).toMatchObject({ active: true, aud: [ORDERS_API, BILLING_API] });
    expect(await introspectJson(app, billingRs, access_token)).toMatchObject({ active: true, aud: [ORDERS_API, BILLING_API] });
    expect(await introspectJson(app, stranger, access_token)).toEqual({ active: false });
  });

  it('reports a token inactive from its exp on (server clock)', async () => {
    const reference = await issueToken(app, owner, { scope: 'orders:read' });
    const jwt = await issueToken(app, jwtOwner, { scope: 'orders:read' });
    clock.advance(3599);
    expect(await introspectJson(app, owner, reference)).toMatchObject({ active: true });
    expect(await introspectJson(app, jwtOwner, jwt)).toMatchObject({ active: true });
    clock.advance(1);
    expect(await introspectJson(app, owner, reference)).toEqual({ active: false });
    expect(await introspectJson(app, jwtOwner, jwt)).toEqual({ active: false });
  });

  it('reports the tokens of a deleted client inactive, reference and JWT alike', async () => {
    const doomed = await app.client({ allowed_scopes: ['orders:read'] });
    const doomedJwt = await app.client({ allowed_scopes: ['orders:read'], access_token_format: 'jwt' });
    const reference = await issueToken(app, doomed, { scope: 'orders:read', resource: ORDERS_API });
    const jwt = await issueToken(app, doomedJwt, { scope: 'orders:read', resource: ORDERS_API });
    expect(await introspectJson(app, ordersRs, reference)).toMatchObject({ active: true });
    expect(await introspectJson(app, ordersRs, jwt)).toMatchObject({ active: true });
    expect((await app.internal('DELETE', `/internal/clients/${doomed.client_id}`)).status).toBe(204);
    expect((await app.internal('DELETE', `/internal/clients/${doomedJwt.client_id}`)).status).toBe(204);
    expect(await introspectJson(app, ordersRs, reference)).toEqual({ active: false });
    expect(await introspectJson(app, ordersRs, jwt)).toEqual({ active: false });
  });

  it('answers unknown and malformed tokens with { active: false }', async () => {
    for (const token of ['tsr_at_nope', 'a.b.c', 'not a token', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.']) {
      expect(await introspectJson(app, owner, token)).toEqual({ active: false });
    }
  });

  describe('JWT response (RFC 9701)', () => {
    it('signs the answer for Accept: application/token-introspection+jwt, addressed to the caller, verifiable with the JWKS', async () => {
      const token = await issueToken(app, owner, { scope: 'orders:read', resource: ORDERS_API });
      const res = await introspect(app, ordersRs, token, INTROSPECTION_JWT);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/token-introspection\+jwt/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const jwt = await res.text();
      expect(decodeProtectedHeader(jwt)).toMatchObject({ typ: 'token-introspection+jwt', alg: 'RS256', kid: expect.any(String) });
      const { payload } = await jwtVerify(jwt, await jwks(app), {
        issuer: app.issuer,
        audience: ordersRs.client_id,
        typ: 'token-introspection+jwt',
        currentDate: new Date(clock.now()),
      });
      expect(payload['iat']).toBe(nowSeconds());
      expect(payload['token_introspection']).toEqual(await introspectJson(app, ordersRs, token));
      expect(payload['token_introspection']).toMatchObject({ active: true, client_id: owner.client_id });
      // §5: the answer is not an access token: no top-level sub or exp.
      expect(payload).not.toHaveProperty('sub');
      expect(payload).not.toHaveProperty('exp');
    });

    it('signs { active: false } for a token the caller may not see', async () => {
      const token = await issueToken(app, owner, { scope: 'orders:read', resource: ORDERS_API });
      const res = await introspect(app, billingRs, token, INTROSPECTION_JWT);
      const { payload } = await jwtVerify(await res.text(), await jwks(app), { issuer: app.issuer, audience: billingRs.client_id, currentDate: new Date(clock.now()) });
      expect(payload['token_introspection']).toEqual({ active: false });
    });

    it('keeps answering JSON without that Accept value', async () => {
      const token = await issueToken(app, owner, { scope: 'orders:read' });
      const res = await introspect(app, owner, token, 'application/json');
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await json(res)).toMatchObject({ active: true });
    });
  });

  it('refuses a request without token (invalid_request) and an unauthenticated caller (invalid_client)', async () => {
    const missing = await app.form('/oauth2/introspect', {}, { authorization: owner.basic });
    expect({ status: missing.status, error: (await json(missing)).error }).toEqual({ status: 400, error: 'invalid_request' });
    const token = await issueToken(app, owner, { scope: 'orders:read' });
    const anonymous = await app.form('/oauth2/introspect', { token });
    expect({ status: anonymous.status, error: (await json(anonymous)).error }).toEqual({ status: 401, error: 'invalid_client' });
    expect(anonymous.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a public client (it cannot authenticate, so it cannot introspect)', async () => {
    const res = await app.internal('POST', '/internal/clients', { token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], redirect_uris: ['https://spa.test/cb'] });
    const token = await issueToken(app, owner, { scope: 'orders:read' });
    const answer = await app.form('/oauth2/introspect', { token, client_id: res.body['client_id'] as string });
    expect({ status: answer.status, error: (await json(answer)).error }).toEqual({ status: 401, error: 'invalid_client' });
  });
});
