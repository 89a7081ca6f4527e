import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { SignJWT, type JWK } from 'jose';
import { OutboundHttpClient } from '@tessera/runtime';
import { FakeClock, locationOf, ScriptedLoginUi, startTlsTestServer, TestBrowser, type TlsTestServer } from '@tessera/test-kit';
import { startTokenService, type TestApp } from '../support/token-service-app';

const REDIRECT = 'https://app.example.com/callback';
const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

function clientKeys() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid: 'rp-key-1', alg: 'ES256', use: 'sig' };
  return { privateKey, jwks: { keys: [jwk] } };
}

describe('pushed authorization requests, request objects and sector identifiers', () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 28, 12));
  let app: TestApp;
  let tls: TlsTestServer;
  let ui: ScriptedLoginUi;
  const keys = clientKeys();
  let client: { client_id: string; client_secret: string; basic: string };

  beforeAll(async () => {
    tls = await startTlsTestServer();
    app = await startTokenService({ clock: clock.now, outbound: new OutboundHttpClient({ ca: tls.ca, allowPrivateAddresses: true }) });
    ui = new ScriptedLoginUi(app);
    client = await app.client({
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT],
      allowed_scopes: ['openid', 'orders:read'],
      first_party: true,
      jwks: keys.jwks,
      request_uris: [`${tls.url}/requests/signed.jwt`, `${tls.url}/requests/missing.jwt`],
    });
  });
  afterAll(async () => {
    await app?.close();
    await tls?.close();
  });

  const newBrowser = () => new TestBrowser({ [app.issuer]: app.url });
  const push = (params: Record<string, string>, authorization = client.basic) =>
    app.form('/oauth2/par', { response_type: 'code', redirect_uri: REDIRECT, scope: 'openid orders:read', ...params }, { authorization });
  const signed = (claims: Record<string, unknown>, key = keys.privateKey) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'rp-key-1', typ: 'oauth-authz-req+jwt' }).setIssuer(client.client_id).setAudience(app.issuer).setIssuedAt(Math.floor(clock.now() / 1000)).setExpirationTime(Math.floor(clock.now() / 1000) + 300).sign(key);

  /** Signs in through the login page the authorization request led to, and returns the callback URL. */
  async function signIn(browser: TestBrowser, loginPage: string): Promise<URL> {
    expect(loginPage).toMatch(/\/login\?login_challenge=/);
    const accepted = await ui.acceptLogin(browser, loginPage, { sub: `user-${randomBytes(4).toString('hex')}`, authTime: Math.floor(clock.now() / 1000) });
    return new URL(locationOf(await browser.get(accepted.body['redirect_to'] as string)));
  }

  describe('PAR (RFC 9126)', () => {
    it('answers 201 with a one-time request_uri URN that stands for the pushed parameters', async () => {
      const { verifier, challenge } = pkce();
      const res = await push({ state: 'pushed-state', code_challenge: challenge, code_challenge_method: 'S256' });
      expect(res.status).toBe(201);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = (await res.json()) as { request_uri: string; expires_in: number };
      expect(body.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
      expect(body.expires_in).toBe(90);

      const browser = newBrowser();
      // Parameters on the query besides client_id and request_uri are not used (§4): this state is ignored.
      const start = await browser.get(`${app.url}/oauth2/authorize?${new URLSearchParams({ client_id: client.client_id, request_uri: body.request_uri, state: 'query-state' })}`);
      const callback = await signIn(browser, locationOf(start));
      expect(callback.searchParams.get('state')).toBe('pushed-state');
      const token = await app.form('/oauth2/token', { grant_type: 'authorization_code', code: callback.searchParams.get('code') as string, redirect_uri: REDIRECT, code_verifier: verifier }, { authorization: client.basic });
      expect(token.status).toBe(200);

      const again = await newBrowser().get(`${app.url}/oauth2/authorize?${new URLSearchParams({ client_id: client.client_id, request_uri: body.request_uri })}`);
      expect(again.status).toBe(400);
      expect(await again.text()).toContain('invalid_request_uri');
    });

    it('refuses an unauthenticated push, a push with request_uri, and an invalid request (as JSON, not a redirect)', async () => {
      expect((await push({}, 'Basic ' + Buffer.from(`${client.client_id}:wrong`).toString('base64'))).status).toBe(401);
      const withUri = await push({ request_uri: 'urn:ietf:params:oauth:request_uri:abc' });
      expect(withUri.status).toBe(400);
      expect(await withUri.json()).toMatchObject({ error: 'invalid_request' });
      const badScope = await push({ scope: 'openid admin:everything' });
      expect(badScope.status).toBe(400);
      expect(await badScope.json()).toMatchObject({ error: 'invalid_scope' });
    });

    it('refuses a push that is not a form body with invalid_request, not a 500', async () => {
      const res = await fetch(`${app.url}/oauth2/par`, {
        method: 'POST',
        headers: { authorization: client.basic, 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'code', redirect_uri: REDIRECT, scope: 'openid' }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    });

    it('refuses a request_uri that expired, or that another client pushed', async () => {
      const other = await app.client({ grant_types: ['authorization_code'], redirect_uris: [REDIRECT], allowed_scopes: ['openid', 'orders:read'] });
      const { request_uri } = (await (await push({ code_challenge: pkce().challenge, code_challenge_method: 'S256' })).json()) as { request_uri: string };
      const stolen = await newBrowser().get(`${app.url}/oauth2/authorize?${new URLSearchParams({ client_id: other.client_id, request_uri })}`);
      expect(await stolen.text()).toContain('invalid_request_uri');

      const { request_uri: late } = (await (await push({ code_challenge: pkce().challenge, code_challenge_method: 'S256' })).json()) as { request_uri: string };
      clock.advance(91_000);
      const expired = await newBrowser().get(`${app.url}/oauth2/authorize?${new URLSearchParams({ client_id: client.client_id, request_uri: late })}`);
      expect(await expired.text()).toContain('invalid_request_uri');
    });

    it('makes a client registered with require_pushed_authorization_requests push every request', async () => {
      const strict = await app.client({ grant_types: ['authorization_code'], redirect_uris: [REDIRECT], allowed_scopes: ['openid'], require_pushed_authorization_requests: true });
      const direct = await newBrowser().get(`${app.url}/oauth2/authorize?${new URLSearchParams({ client_id: strict.client_id, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid', code_challenge: pkce().challenge, code_challenge_method: 'S256' })}`);
      expect(direct.status).toBe(400);
      expect(await direct.text()).toContain('must be pushed');
      const pushed = await app.form('/oauth2/par', { response_type: 'code', redirect_uri: REDIRECT, scope: 'openid', code_challenge: pkce().challenge, code_challenge_method: 'S256' }, { authorization: strict.basic });
      const { request_uri } = (await pushed.json()) as { request_uri: string };
      const start = await newBrowser().get(`${app.url}/oauth2/authorize?${new URLSearchParams({ client_id: strict.client_id, request_uri })}`);
      expect(locationOf(start)).toMatch(/\/login\?login_challenge=/);
    });

    it('is listed in discovery', async () => {
      const doc = (await (await fetch(`${app.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(doc).toMatchObject({
        pushed_authorization_request_endpoint: `${app.issuer}/oauth2/par`,
        require_pushed_authorization_requests: false,
        request_parameter_supported: true,
        request_uri_parameter_supported: true,
        require_request_uri_registration: true,
      });
    });
  });

  describe('request objects (RFC 9101)', () => {
    const authorize = (browser: TestBrowser, params: Record<string, string>) =>
      browser.get(`${app.url}/oauth2/authorize?${new URLSearchParams({ client_id: client.client_id, ...params })}`);

    it('takes the parameters from a request object signed with the client\'s registered key, not from the query', async () => {
      const { verifier, challenge } = pkce();
      const request = await signed({ client_id: client.client_id, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid', state: 'from-object', code_challenge: challenge, code_challenge_method: 'S256' });
      const browser = newBrowser();
      const callback = await signIn(browser, locationOf(await authorize(browser, { request, response_type: 'code', state: 'from-query' })));
      expect(callback.searchParams.get('state')).toBe('from-object');
      const token = await app.form('/oauth2/token', { grant_type: 'authorization_code', code: callback.searchParams.get('code') as string, redirect_uri: REDIRECT, code_verifier: verifier }, { authorization: client.basic });
      expect(token.status).toBe(200);
    });

    it('refuses a tampered, an unsigned and a foreign-key request object with invalid_request_object, at the redirect URI the query names', async () => {
      const good = await signed({ client_id: client.client_id, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid' });
      const [h, p, s] = good.split('.');
      const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, scope: 'openid orders:read' })).toString('base64url')}.${s}`;
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${p}.`;
      const foreign = await signed({ client_id: client.client_id, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid' }, clientKeys().privateKey);
      for (const request of [tampered, unsigned, foreign]) {
        const res = await authorize(newBrowser(), { request, redirect_uri: REDIRECT, response_type: 'code', state: 's1' });
        const callback = new URL(locationOf(res));
        expect(callback.searchParams.get('error')).toBe('invalid_request_object');
        expect(callback.searchParams.get('state')).toBe('s1');
      }
    });

    it('fetches a pre-registered request_uri over https through the outbound client', async () => {
      const { challenge } = pkce();
      tls.route('/requests/signed.jwt', { headers: { 'content-type': 'application/oauth-authz-req+jwt' }, body: await signed({ client_id: client.client_id, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid', state: 'by-reference', code_challenge: challenge, code_challenge_method: 'S256' }) });
      const browser = newBrowser();
      const callback = await signIn(browser, locationOf(await authorize(browser, { request_uri: `${tls.url}/requests/signed.jwt`, response_type: 'code' })));
      expect(callback.searchParams.get('state')).toBe('by-reference');
    });

    it('refuses a request_uri the client did not register, and one that cannot be fetched, with invalid_request_uri', async () => {
      const unregistered = await authorize(newBrowser(), { request_uri: `${tls.url}/requests/other.jwt`, response_type: 'code', redirect_uri: REDIRECT });
      expect(new URL(locationOf(unregistered)).searchParams.get('error')).toBe('invalid_request_uri');
      const missing = await authorize(newBrowser(), { request_uri: `${tls.url}/requests/missing.jwt`, response_type: 'code', redirect_uri: REDIRECT });
      expect(new URL(locationOf(missing)).searchParams.get('error')).toBe('invalid_request_uri');
    });
  });

  describe('jwks_uri (RFC 7591 section 2)', () => {
    const assertion = (clientId: string, key: ReturnType<typeof clientKeys>['privateKey'], kid: string) =>
      new SignJWT({ jti: randomBytes(8).toString('hex') })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setIssuer(clientId)
        .setSubject(clientId)
        .setAudience(app.issuer)
        .setIssuedAt(Math.floor(clock.now() / 1000))
        .setExpirationTime(Math.floor(clock.now() / 1000) + 60)
        .sign(key);
    const credentials = async (clientId: string, key: ReturnType<typeof clientKeys>['privateKey'], kid: string) =>
      app.form('/oauth2/token', {
        grant_type: 'client_credentials',
        client_id: clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await assertion(clientId, key, kid),
      });

    it('authenticates private_key_jwt with keys fetched from jwks_uri, and follows the client\'s key rotation', async () => {
      const first = clientKeys();
      tls.route('/rp/jwks.json', { body: first.jwks });
      const registered = await app.internal('POST', '/internal/clients', {
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: `${tls.url}/rp/jwks.json`,
      });
      expect(registered.status).toBe(201);
      const clientId = registered.body['client_id'] as string;
      expect((await credentials(clientId, first.privateKey, 'rp-key-1')).status).toBe(200);

      // The client rotates to a new key under a new kid: the cached set lacks it, so it is refetched.
      const second = clientKeys();
      const rotated = { keys: [{ ...second.jwks.keys[0], kid: 'rp-key-2' }] };
      tls.route('/rp/jwks.json', { body: rotated });
      clock.advance(61_000);
      expect((await credentials(clientId, second.privateKey, 'rp-key-2')).status).toBe(200);
      // The old key is gone from the set: its assertions fail now.
      expect((await credentials(clientId, first.privateKey, 'rp-key-1')).status).toBe(401);
    });

    it('refuses the client (invalid_client) when its jwks_uri cannot be fetched', async () => {
      const registered = await app.internal('POST', '/internal/clients', {
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: `${tls.url}/rp/absent.json`,
      });
      const res = await credentials(registered.body['client_id'] as string, keys.privateKey, 'rp-key-1');
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_client' });
    });
  });

  describe('sector_identifier_uri (OpenID Connect Registration §5)', () => {
    const pairwise = (sector: string) => ({
      grant_types: ['authorization_code'],
      redirect_uris: ['https://a.example.com/cb', 'https://b.example.com/cb'],
      allowed_scopes: ['openid'],
      subject_type: 'pairwise',
      sector_identifier_uri: `${tls.url}${sector}`,
    });

    it('registers a pairwise client whose sector document lists every redirect URI', async () => {
      tls.route('/sector/ok.json', { body: ['https://a.example.com/cb', 'https://b.example.com/cb', 'https://c.example.com/cb'] });
      const res = await app.internal('POST', '/internal/clients', pairwise('/sector/ok.json'));
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ subject_type: 'pairwise', sector_identifier_uri: `${tls.url}/sector/ok.json` });
    });

    it('refuses one whose sector document leaves a redirect URI out, is not an array, or cannot be fetched', async () => {
      tls.route('/sector/partial.json', { body: ['https://a.example.com/cb'] });
      tls.route('/sector/object.json', { body: { redirect_uris: [] } });
      for (const path of ['/sector/partial.json', '/sector/object.json', '/sector/absent.json']) {
        const res = await app.internal('POST', '/internal/clients', pairwise(path));
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ error: 'invalid_client_metadata' });
      }
    });
  });
});

describe('outbound fetches with the production rules', () => {
  it('refuse a request_uri on a private address (no SSRF through request objects)', async () => {
    const tls = await startTlsTestServer({ '/r.jwt': { body: 'x.y.z' } });
    const app = await startTokenService();
    try {
      const client = await app.client({ grant_types: ['authorization_code'], redirect_uris: [REDIRECT], allowed_scopes: ['openid'], jwks: clientKeys().jwks, request_uris: [`${tls.url}/r.jwt`] });
      const res = await new TestBrowser({ [app.issuer]: app.url }).get(`${app.url}/oauth2/authorize?${new URLSearchParams({ client_id: client.client_id, request_uri: `${tls.url}/r.jwt`, response_type: 'code', redirect_uri: REDIRECT })}`);
      const callback = new URL(locationOf(res));
      expect(callback.searchParams.get('error')).toBe('invalid_request_uri');
      // The answer stays generic (naming the resolved address would map internal DNS); the log says why.
      expect(callback.searchParams.get('error_description')).toMatch(/could not be fetched/);
      expect(callback.searchParams.get('error_description')).not.toContain('127.0.0.1');
      expect(app.logs.join('')).toContain('blocked_address');
      expect(tls.requests).toHaveLength(0);
    } finally {
      await app.close();
      await tls.close();
    }
  });
});
