import { exportJWK, generateKeyPair } from 'jose';
import { FakeClock, testEngines } from '@tessera/test-kit';
import { startTokenService, type TestApp } from '../support/token-service-app';
import { configurationPath, expectError, machineClient, register, registration, webClient, json } from './registration.fixture';

const basic = (id: unknown, secret: unknown) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** RFC 7591 registration and RFC 7592 management under TESSERA_REGISTRATION=token (the default). */
describe.each(testEngines())('dynamic client registration, initial access token required (%s)', (engine) => {
  let app: TestApp;
  const clock = new FakeClock();
  beforeAll(async () => {
    app = await startTokenService({ engine, clock: clock.now });
  });
  afterAll(() => app?.close());

  const registerOk = async (body: Record<string, unknown>) => {
    const res = await register(app, body, app.registrationToken);
    if (res.status !== 201) throw new Error(`registration failed: ${JSON.stringify(res.body)}`);
    return res.body;
  };

  describe('the initial access token', () => {
    it('is required: without it the answer is 401 invalid_token with a Bearer challenge', async () => {
      const res = await register(app, machineClient);
      expectError(res, 401, 'invalid_token');
      // RFC 6750 §3.1: no error attribute in the challenge when no token was presented.
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tessera"');
    });

    it('must be the configured one: a wrong token gets 401 invalid_token with a Bearer challenge', async () => {
      for (const token of [`${app.registrationToken}x`, app.registrationToken.slice(0, -1), 'tsr_iat_guess']) {
        const res = await register(app, machineClient, token);
        expectError(res, 401, 'invalid_token');
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tessera", error="invalid_token"');
      }
    });
  });

  it('registers a client: 201, no-store, client_id_issued_at, client_secret_expires_at 0, and credentials that work', async () => {
    const res = await register(app, machineClient, app.registrationToken);
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({
      client_id: expect.any(String),
      client_secret: expect.any(String),
      client_id_issued_at: Math.floor(clock.now() / 1000),
      client_secret_expires_at: 0,
      registration_access_token: expect.any(String),
      client_name: machineClient.client_name,
      grant_types: machineClient.grant_types,
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(configurationPath(app, res.body)).toBe(`/oauth2/register/${res.body['client_id']}`);
    const token = await app.form('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(res.body['client_id'], res.body['client_secret']) });
    expect(token.status).toBe(200);
  });

  describe('redirect_uris (RFC 7591 §3.2.2 invalid_redirect_uri)', () => {
    it.each([
      ['a fragment', 'https://app.test/cb#frag'],
      ['an empty fragment', 'https://app.test/cb#'],
      ['a relative URI', '/callback'],
      ['a relative URI without a leading slash', 'callback'],
      ['plain http to a non-loopback host', 'http://app.test/cb'],
    ])('refuses %s', async (_what, uri) => {
      const res = await register(app, { redirect_uris: ['https://app.test/ok', uri] }, app.registrationToken);
      expectError(res, 400, 'invalid_redirect_uri');
    });

    it('accepts https, and plain http only on a loopback address', async () => {
      const body = await registerOk({ redirect_uris: ['https://app.test/cb', 'http://127.0.0.1:8080/cb', 'http://localhost/cb', 'http://[::1]:9000/cb'] });
      expect(body['redirect_uris']).toEqual(['https://app.test/cb', 'http://127.0.0.1:8080/cb', 'http://localhost/cb', 'http://[::1]:9000/cb']);
    });

    it('requires redirect_uris for the authorization_code grant (the default grant type)', async () => {
      expectError(await register(app, { client_name: 'no redirect' }, app.registrationToken), 400, 'invalid_redirect_uri');
    });
  });

  it('ignores metadata it does not understand (RFC 7591 §2)', async () => {
    const body = await registerOk({ ...webClient, software_statement_v9: 'x', 'x-vendor': { nested: true }, favourite_colour: 'teal' });
    expect(body).not.toHaveProperty('software_statement_v9');
    expect(body).not.toHaveProperty('x-vendor');
    expect(body).not.toHaveProperty('favourite_colour');
  });

  it('never lets a dynamically registered client set Tessera policy: first-party, admin, lifetimes, token format, scope allow-list', async () => {
    const body = await registerOk({
      ...machineClient,
      first_party: true,
      admin: true,
      access_token_ttl: 86_400,
      refresh_token_ttl: 31_536_000,
      access_token_format: 'jwt',
      default_audience: ['https://api.test/'],
      allowed_scopes: [{ scope: 'admin:users', required: true }],
    });
    const stored = await app.internal('GET', `/internal/clients/${body['client_id']}`);
    expect(stored.body).toMatchObject({ first_party: false, admin: false, access_token_format: 'reference', default_audience: [] });
    expect(stored.body['access_token_ttl']).not.toBe(86_400);
    expect(stored.body['refresh_token_ttl']).not.toBe(31_536_000);
    expect((stored.body['allowed_scopes'] as { scope: string }[]).map((s) => s.scope)).not.toContain('admin:users');
    const token = await app.form('/oauth2/token', { grant_type: 'client_credentials', scope: 'admin:users' }, { authorization: basic(body['client_id'], body['client_secret']) });
    expect((await json(token)).error).toBe('invalid_scope');
  });

  describe('scope (invalid_client_metadata)', () => {
    it.each([['admin:users'], ['admin:*'], ['account'], ['not-in-the-allow-list'], ['openid account']])('refuses scope "%s"', async (scope) => {
      expectError(await register(app, { ...webClient, scope }, app.registrationToken), 400, 'invalid_client_metadata');
    });

    it('accepts scopes from TESSERA_REGISTRATION_SCOPES', async () => {
      const body = await registerOk({ ...webClient, scope: 'openid email' });
      expect(body['scope']).toBe('openid email');
    });
  });

  it.each([['password'], ['implicit']])('refuses the legacy grant "%s" (only an administrator may enable it)', async (grant) => {
    expectError(await register(app, { ...webClient, grant_types: ['authorization_code', grant] }, app.registrationToken), 400, 'invalid_client_metadata');
  });

  describe('jwks', () => {
    it.each(['ES256', 'RS256'] as const)('refuses a %s private key', async (alg) => {
      const { privateKey } = await generateKeyPair(alg, { extractable: true });
      const jwk = { ...(await exportJWK(privateKey)), kid: 'k1', alg };
      expect(jwk).toHaveProperty('d');
      const res = await register(app, { ...machineClient, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } }, app.registrationToken);
      expectError(res, 400, 'invalid_client_metadata');
    });

    it('refuses a symmetric (oct) key, which is secret through and through', async () => {
      const jwk = { kty: 'oct', k: Buffer.alloc(32, 7).toString('base64url'), kid: 'k1', alg: 'HS256' };
      const res = await register(app, { ...machineClient, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } }, app.registrationToken);
      expectError(res, 400, 'invalid_client_metadata');
    });

    it('accepts a public key, and echoes it without private members', async () => {
      const { publicKey } = await generateKeyPair('ES256');
      const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
      const body = await registerOk({ ...machineClient, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } });
      expect(body['jwks']).toEqual({ keys: [jwk] });
      expect(body).not.toHaveProperty('client_secret');
    });
  });

  describe('client configuration endpoint (RFC 7592)', () => {
    let mine: Record<string, unknown>;
    let other: Record<string, unknown>;
    let path: string;
    beforeEach(async () => {
      mine = await registerOk({ ...machineClient, client_name: 'mine' });
      other = await registerOk({ ...machineClient, client_name: 'other' });
      path = configurationPath(app, mine);
    });
    const rat = (c: Record<string, unknown>) => c['registration_access_token'] as string;

    it('answers a body that is not a JSON object with invalid_client_metadata, on create and on update, never a 500', async () => {
      for (const body of [null, [], 'text', 42]) {
        expectError(await register(app, body, app.registrationToken), 400, 'invalid_client_metadata');
        expectError(await registration(app, 'PUT', path, { token: rat(mine), body }), 400, 'invalid_client_metadata');
      }
    });

    it('reads the registration with its registration access token (no-store, both RFC 7592 §3 fields)', async () => {
      const res = await registration(app, 'GET', path, { token: rat(mine) });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toMatchObject({
        client_id: mine['client_id'],
        client_name: 'mine',
        client_id_issued_at: mine['client_id_issued_at'],
        client_secret_expires_at: 0,
        registration_client_uri: mine['registration_client_uri'],
        registration_access_token: rat(mine),
      });
    });

    it('refuses a missing token, another client\'s registration access token and the initial access token, with 401 invalid_token', async () => {
      for (const token of [undefined, rat(other), app.registrationToken, `${rat(mine)}x`]) {
        for (const method of ['GET', 'DELETE'] as const) {
          const res = await registration(app, method, path, { token });
          expectError(res, 401, 'invalid_token');
          expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
        }
        const put = await registration(app, 'PUT', path, { token, body: { ...machineClient, client_id: mine['client_id'], client_name: 'hijacked' } });
        expectError(put, 401, 'invalid_token');
      }
      const still = await registration(app, 'GET', path, { token: rat(mine) });
      expect(still.body['client_name']).toBe('mine');
    });

    it('answers an unknown client like a wrong token (401), revealing nothing', async () => {
      const res = await registration(app, 'GET', '/oauth2/register/no-such-client', { token: rat(mine) });
      expectError(res, 401, 'invalid_token');
    });

    it('updates the registration (PUT replaces the metadata) and keeps the credentials', async () => {
      const res = await registration(app, 'PUT', path, {
        token: rat(mine),
        body: { ...machineClient, client_id: mine['client_id'], client_secret: mine['client_secret'], client_name: 'renamed', first_party: true },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toMatchObject({ client_id: mine['client_id'], client_name: 'renamed', client_id_issued_at: mine['client_id_issued_at'] });
      // RFC 7592 §2.2: the response may carry a new registration access token; whichever it carries works.
      const returned = res.body['registration_access_token'] as string;
      expect((await registration(app, 'GET', path, { token: returned })).status).toBe(200);
      const stored = await app.internal('GET', `/internal/clients/${mine['client_id']}`);
      expect(stored.body).toMatchObject({ client_name: 'renamed', first_party: false });
      const token = await app.form('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(mine['client_id'], mine['client_secret']) });
      expect(token.status).toBe(200);
    });

    it('refuses an update whose client_secret is not the current one, or whose client_id is not this client', async () => {
      const wrongSecret = await registration(app, 'PUT', path, {
        token: rat(mine),
        body: { ...machineClient, client_id: mine['client_id'], client_secret: other['client_secret'], client_name: 'renamed' },
      });
      expectError(wrongSecret, 400, 'invalid_client_metadata');
      const wrongId = await registration(app, 'PUT', path, { token: rat(mine), body: { ...machineClient, client_id: other['client_id'], client_name: 'renamed' } });
      expectError(wrongId, 400, 'invalid_client_metadata');
      const noId = await registration(app, 'PUT', path, { token: rat(mine), body: { ...machineClient, client_name: 'renamed' } });
      expectError(noId, 400, 'invalid_client_metadata');
      expect((await registration(app, 'GET', path, { token: rat(mine) })).body['client_name']).toBe('mine');
    });

    it('refuses to escalate on update: legacy grants and forbidden scopes stay refused', async () => {
      const legacy = await registration(app, 'PUT', path, { token: rat(mine), body: { client_id: mine['client_id'], grant_types: ['client_credentials', 'password'] } });
      expectError(legacy, 400, 'invalid_client_metadata');
      const scope = await registration(app, 'PUT', path, { token: rat(mine), body: { ...machineClient, client_id: mine['client_id'], scope: 'admin:users' } });
      expectError(scope, 400, 'invalid_client_metadata');
    });

    it('deletes the registration: 204, then the token and the client credentials stop working', async () => {
      const res = await registration(app, 'DELETE', path, { token: rat(mine) });
      expect(res.status).toBe(204);
      expectError(await registration(app, 'GET', path, { token: rat(mine) }), 401, 'invalid_token');
      const token = await app.form('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(mine['client_id'], mine['client_secret']) });
      expect(token.status).toBe(401);
      expect((await registration(app, 'GET', configurationPath(app, other), { token: rat(other) })).status).toBe(200);
    });
  });
});

describe('dynamic client registration, open', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTokenService({
      env: { TESSERA_REGISTRATION: 'open', TESSERA_REGISTRATION_SCOPES: 'openid custom:read admin:users account' },
    });
  });
  afterAll(() => app?.close());

  it('registers without an initial access token', async () => {
    const res = await register(app, machineClient);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ client_id: expect.any(String), registration_access_token: expect.any(String) });
  });

  it('still protects each registration with its own registration access token', async () => {
    const a = (await register(app, machineClient)).body;
    const b = (await register(app, machineClient)).body;
    expectError(await registration(app, 'GET', configurationPath(app, a), {}), 401, 'invalid_token');
    expectError(await registration(app, 'GET', configurationPath(app, a), { token: b['registration_access_token'] as string }), 401, 'invalid_token');
  });

  it('refuses admin:* and account even when TESSERA_REGISTRATION_SCOPES lists them, and accepts the rest of the list', async () => {
    expectError(await register(app, { ...webClient, scope: 'admin:users' }), 400, 'invalid_client_metadata');
    expectError(await register(app, { ...webClient, scope: 'account' }), 400, 'invalid_client_metadata');
    const ok = await register(app, { ...webClient, scope: 'openid custom:read' });
    expect(ok.status).toBe(201);
    expect(ok.body['scope']).toBe('openid custom:read');
  });

  it('advertises the registration endpoint', async () => {
    const doc = await json(await fetch(`${app.url}/.well-known/oauth-authorization-server`));
    expect(doc.registration_endpoint).toBe(`${app.issuer}/oauth2/register`);
  });
});

describe('dynamic client registration, off', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTokenService({ env: { TESSERA_REGISTRATION: 'off' } });
  });
  afterAll(() => app?.close());

  it('refuses every registration, even with the initial access token, and creates nothing', async () => {
    for (const token of [undefined, app.registrationToken]) {
      const res = await register(app, machineClient, token);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body).not.toHaveProperty('client_id');
      expect(res.body['error']).toEqual(expect.any(String));
    }
    // Only the bootstrap clients exist (the admin CLI's and the portal's, made at start-up, not registered).
    const clients = (await app.internal('GET', '/internal/clients')).body as unknown as Array<{ client_id: string }>;
    expect(clients.map((c) => c.client_id).sort()).toEqual(['tessera-cli', 'tessera-portal']);
  });

  it('leaves registration_endpoint out of both discovery documents', async () => {
    for (const doc of ['oauth-authorization-server', 'openid-configuration']) {
      const body = await json(await fetch(`${app.url}/.well-known/${doc}`));
      expect(body.issuer).toBe(app.issuer);
      expect(body).not.toHaveProperty('registration_endpoint');
    }
  });
});
