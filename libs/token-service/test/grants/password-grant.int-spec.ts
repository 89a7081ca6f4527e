import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { TemporarilyUnavailableError } from '@tessera/oauth-errors';
import { internalCredential, randomSecret } from '@tessera/runtime';
import { eventually, testEngines } from '@tessera/test-kit';
import { CredentialCheck, type CredentialCheckRequest, type CredentialCheckResult } from '../../src/ports/credential-check';
import { InMemoryUserClaims, startTokenService, type TestApp } from '../support/token-service-app';
import { json, type JsonBody } from '../support/json-body';
import { register, registration } from '../registration/registration.fixture';

const ACR_PWD = 'urn:tessera:acr:pwd';
const ACR_MFA = 'urn:tessera:acr:mfa';
const ORDERS_API = 'https://api.test/password/orders';
const nowSeconds = () => Math.floor(Date.now() / 1000);
const random = () => randomBytes(6).toString('hex');

interface FakeUser {
  username: string;
  password: string;
  sub: string;
  amr?: string[];
  authTime?: number;
  /** What the check answers for this user once the password is right (a lock, MFA, a disabled account). */
  answer?: CredentialCheckResult;
}

/** The authentication service's credential check, in memory: records every question it is asked. */
class FakeCredentialCheck extends CredentialCheck {
  readonly calls: CredentialCheckRequest[] = [];
  readonly users = new Map<string, FakeUser>();
  /** Answers as an unreachable authentication service would (what the HTTP adapter throws). */
  down = false;

  async check(request: CredentialCheckRequest): Promise<CredentialCheckResult> {
    this.calls.push({ ...request });
    if (this.down) throw new TemporarilyUnavailableError('The sign-in service cannot be reached; try again shortly.', { detail: 'credential check: TypeError (ECONNREFUSED)' });
    const user = this.users.get(request.username);
    if (!user || user.password !== request.password) return { outcome: 'invalid_credentials' };
    return user.answer ?? { outcome: 'authenticated', sub: user.sub, amr: user.amr ?? ['pwd'], authTime: user.authTime ?? nowSeconds() - 5 };
  }
}

interface Client {
  client_id: string;
  client_secret?: string;
  /** The client authentication its requests carry. */
  auth: { params: Record<string, string>; headers: Record<string, string> };
}

/** Every password the tests used: none may ever reach a log line. */
const passwords = new Set<string>();

describe.each(testEngines())('token endpoint, password grant (RFC 6749 §4.3) (%s)', (engine) => {
  let app: TestApp;
  const check = new FakeCredentialCheck();
  const directory = new InMemoryUserClaims();

  beforeAll(async () => {
    // trace: every line the service can write is captured, for the log assertions below.
    app = await startTokenService({ engine, credentialCheck: check, userClaims: directory, logLevel: 'trace' });
    await app.internal('POST', '/internal/resource-servers', { identifier: ORDERS_API, scopes: ['orders:read'] });
  });
  afterAll(() => app?.close());

  function newUser(overrides: Partial<FakeUser> = {}): FakeUser {
    const id = random();
    const user: FakeUser = { username: `ada-${id}@example.com`, password: `S3cret!-${id}-${randomSecret(8)}`, sub: `user-${id}`, ...overrides };
    passwords.add(user.password);
    check.users.set(user.username, user);
    directory.users.set(user.sub, { name: `Ada ${id}`, email: user.username, email_verified: true });
    return user;
  }

  async function passwordClient(metadata: Record<string, unknown> = {}): Promise<Client> {
    const res = await app.internal('POST', '/internal/clients', {
      client_name: 'Legacy app',
      grant_types: ['password', 'refresh_token'],
      allowed_scopes: ['openid', 'offline_access', 'profile', 'email', 'orders:read'],
      ...metadata,
    });
    if (res.status !== 201) throw new Error(`client registration failed: ${JSON.stringify(res.body)}`);
    const { client_id, client_secret } = res.body as { client_id: string; client_secret?: string };
    const auth: Client['auth'] = client_secret
      ? { params: {}, headers: { authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}` } }
      : { params: { client_id }, headers: {} };
    return { client_id, client_secret, auth };
  }

  const tokenRequest = (client: Client, params: Record<string, string>, headers: Record<string, string> = {}) =>
    app.form('/oauth2/token', { grant_type: 'password', ...client.auth.params, ...params }, { ...client.auth.headers, ...headers });

  const signIn = (client: Client, user: FakeUser, params: Record<string, string> = {}, headers: Record<string, string> = {}) =>
    tokenRequest(client, { username: user.username, password: user.password, ...params }, headers);

  async function expectError(res: Response, status: number, error: string): Promise<JsonBody> {
    const body = await json(res);
    expect({ status: res.status, error: body.error }).toEqual({ status, error });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(typeof body.error_description).toBe('string');
    return body;
  }

  async function verifyIdToken(idToken: unknown, client: Client): Promise<JWTPayload & Record<string, unknown>> {
    const jwks = createLocalJWKSet((await (await fetch(`${app.url}/oauth2/jwks`)).json()) as { keys: [] });
    return (await jwtVerify(idToken as string, jwks, { issuer: app.issuer, audience: client.client_id })).payload;
  }

  const introspect = async (client: Client, token: string) =>
    json(await app.form('/oauth2/introspect', { token, ...client.auth.params }, client.auth.headers));

  describe('issuing tokens', () => {
    it('exchanges the username and password for an access token, forwarding them with the client and the end user IP', async () => {
      const client = await passwordClient();
      const user = newUser();
      const before = check.calls.length;
      const res = await signIn(client, user, { scope: 'orders:read' });

      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await json(res)).toEqual({ access_token: expect.stringMatching(/^tsr_at_/), token_type: 'Bearer', expires_in: 3600, scope: 'orders:read' });
      expect(check.calls.slice(before)).toEqual([{ username: user.username, password: user.password, clientId: client.client_id, ip: '127.0.0.1' }]);
    });

    it('passes the TCP peer as the IP: an X-Forwarded-For header is not believed without a trusted proxy', async () => {
      const client = await passwordClient();
      const user = newUser();
      const before = check.calls.length;
      const res = await signIn(client, user, {}, { 'x-forwarded-for': '203.0.113.66' });

      expect(res.status).toBe(200);
      expect(check.calls.slice(before).map((c) => c.ip)).toEqual(['127.0.0.1']);
    });

    it('issues a token that works like any user token: introspection names the user, UserInfo answers their claims', async () => {
      const client = await passwordClient();
      const user = newUser();
      const body = await json(await signIn(client, user, { scope: 'openid email' }));

      expect(await introspect(client, body.access_token)).toMatchObject({ active: true, sub: user.sub, client_id: client.client_id, scope: 'openid email' });
      const info = await fetch(`${app.url}/oauth2/userinfo`, { headers: { authorization: `Bearer ${body.access_token}` } });
      expect(await info.json()).toEqual({ sub: user.sub, email: user.username, email_verified: true });
    });

    it('with openid, answers an ID token: the user, the amr of the check, the acr it amounts to, its auth_time, no nonce', async () => {
      const client = await passwordClient();
      const authTime = nowSeconds() - 30;
      const user = newUser({ authTime });
      const body = await json(await signIn(client, user, { scope: 'openid' }));

      const claims = await verifyIdToken(body['id_token'], client);
      expect(claims).toMatchObject({ iss: app.issuer, sub: user.sub, aud: client.client_id, amr: ['pwd'], acr: ACR_PWD, auth_time: authTime });
      expect(claims).not.toHaveProperty('nonce');
      expect(claims).not.toHaveProperty('sid');
      expect(claims['at_hash']).toEqual(expect.any(String));
    });

    it('derives the acr from the methods, as for a browser login (a hardware key counts as a second factor)', async () => {
      const client = await passwordClient();
      const user = newUser({ amr: ['pwd', 'hwk'] });
      const body = await json(await signIn(client, user, { scope: 'openid' }));

      expect(await verifyIdToken(body['id_token'], client)).toMatchObject({ amr: ['pwd', 'hwk'], acr: ACR_MFA });
    });

    it('answers no ID token without openid', async () => {
      const client = await passwordClient();
      const body = await json(await signIn(client, newUser(), { scope: 'profile' }));
      expect(body).not.toHaveProperty('id_token');
    });

    it('gives the client its required scopes when scope is omitted (RFC 6749 §3.3)', async () => {
      const client = await passwordClient({ allowed_scopes: [{ scope: 'orders:read', required: true }, 'profile'] });
      expect(await json(await signIn(client, newUser()))).toMatchObject({ scope: 'orders:read' });
    });

    it('addresses the token to a registered resource (RFC 8707)', async () => {
      const client = await passwordClient({ access_token_format: 'jwt' });
      const body = await json(await signIn(client, newUser(), { scope: 'orders:read', resource: ORDERS_API }));
      const payload = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
      expect(payload).toMatchObject({ aud: ORDERS_API, scope: 'orders:read', client_id: client.client_id });
    });

    it('works for a public client an administrator enabled (client_id alone, RFC 6749 §4.3.2)', async () => {
      const client = await passwordClient({ token_endpoint_auth_method: 'none' });
      expect(client.client_secret).toBeUndefined();
      const res = await signIn(client, newUser(), { scope: 'profile' });
      expect(res.status).toBe(200);
    });
  });

  describe('refresh tokens', () => {
    it('come with offline_access, and refresh with a new ID token of the same auth_time', async () => {
      const client = await passwordClient();
      const authTime = nowSeconds() - 60;
      const user = newUser({ authTime });
      const body = await json(await signIn(client, user, { scope: 'openid offline_access' }));
      expect(body['refresh_token']).toEqual(expect.stringMatching(/^tsr_rt_/));

      const refreshed = await app.form('/oauth2/token', { grant_type: 'refresh_token', refresh_token: body['refresh_token'] as string }, client.auth.headers);
      expect(refreshed.status).toBe(200);
      const next = await json(refreshed);
      expect(await verifyIdToken(next['id_token'], client)).toMatchObject({ sub: user.sub, auth_time: authTime, acr: ACR_PWD, amr: ['pwd'] });
    });

    it('are not issued without offline_access to a third-party client, nor to a client not trusted with them', async () => {
      const client = await passwordClient();
      expect(await json(await signIn(client, newUser(), { scope: 'openid' }))).not.toHaveProperty('refresh_token');
      const untrusted = await passwordClient({ refresh_tokens: false });
      expect(await json(await signIn(untrusted, newUser(), { scope: 'openid offline_access' }))).not.toHaveProperty('refresh_token');
    });

    it('go to a first-party client by its policy', async () => {
      const client = await passwordClient({ first_party: true });
      expect(await json(await signIn(client, newUser(), { scope: 'openid' }))).toHaveProperty('refresh_token');
    });
  });

  describe('the grant', () => {
    const grantsOf = async (sub: string) => (await app.internal('GET', `/internal/grants?sub=${encodeURIComponent(sub)}`)).body as unknown as Record<string, unknown>[];

    it("puts the client among the user's connected apps, once however often the user signs in", async () => {
      const client = await passwordClient({ client_name: 'Legacy mail app' });
      const user = newUser();
      expect((await signIn(client, user, { scope: 'openid profile' })).status).toBe(200);
      expect((await signIn(client, user, { scope: 'profile' })).status).toBe(200);

      const grants = await grantsOf(user.sub);
      expect(grants).toEqual([expect.objectContaining({ client_id: client.client_id, client_name: 'Legacy mail app', scopes: ['openid', 'profile'], remembered: true })]);
    });

    it('records a new grant when the user signs in for more scopes than granted so far', async () => {
      const client = await passwordClient();
      const user = newUser();
      await signIn(client, user, { scope: 'profile' });
      await signIn(client, user, { scope: 'profile email' });
      const scopes = (await grantsOf(user.sub)).map((g) => g['scopes'] as string[]);
      expect(scopes).toHaveLength(2);
      expect(scopes).toEqual(expect.arrayContaining([['profile'], ['profile', 'email']]));
    });

    it('revoking the app in the account pages ends its tokens: the access token goes inactive, the refresh token is refused', async () => {
      const client = await passwordClient();
      const user = newUser();
      const body = await json(await signIn(client, user, { scope: 'openid offline_access' }));
      const [grant] = await grantsOf(user.sub);

      expect((await app.internal('DELETE', `/internal/grants/${grant['id']}?sub=${encodeURIComponent(user.sub)}`)).status).toBe(204);
      const refresh = await app.form('/oauth2/token', { grant_type: 'refresh_token', refresh_token: body['refresh_token'] as string }, client.auth.headers);
      await expectError(refresh, 400, 'invalid_grant');
      await eventually(async () => expect((await introspect(client, body.access_token)).active).toBe(false));

      // Signing in again is a new grant, listed again.
      expect((await signIn(client, user, { scope: 'openid' })).status).toBe(200);
      expect(await grantsOf(user.sub)).toEqual([expect.objectContaining({ client_id: client.client_id, scopes: ['openid'] })]);
    });
  });

  describe('refusals of the credentials (RFC 6749 §5.2 invalid_grant)', () => {
    it('a wrong password or an unknown user', async () => {
      const client = await passwordClient();
      const user = newUser();
      const wrong = `${user.password}-wrong`;
      passwords.add(wrong);
      const body = await expectError(await tokenRequest(client, { username: user.username, password: wrong }), 400, 'invalid_grant');
      expect(body.error_description).toMatch(/username or password is not correct/);
      await expectError(await tokenRequest(client, { username: `nobody-${random()}@example.com`, password: wrong }), 400, 'invalid_grant');
    });

    it('too many attempts: says to try again later, and when', async () => {
      const client = await passwordClient();
      const user = newUser({ answer: { outcome: 'too_many_attempts', retryAfter: 900 } });
      const body = await expectError(await signIn(client, user), 400, 'invalid_grant');
      expect(body.error_description).toMatch(/Too many failed sign-in attempts\. Try again later \(in 900 seconds\)\./);
    });

    it('a user with two-step verification: says to sign in through the browser', async () => {
      const client = await passwordClient();
      const user = newUser({ answer: { outcome: 'second_factor_required' } });
      const body = await expectError(await signIn(client, user, { scope: 'openid' }), 400, 'invalid_grant');
      expect(body.error_description).toMatch(/two-step verification/);
      expect(body.error_description).toMatch(/browser/);
    });

    it('a disabled account', async () => {
      const client = await passwordClient();
      const user = newUser({ answer: { outcome: 'account_disabled' } });
      const body = await expectError(await signIn(client, user), 400, 'invalid_grant');
      expect(body.error_description).toMatch(/disabled/);
    });

    it('the check finding the request malformed is invalid_request', async () => {
      const client = await passwordClient();
      const user = newUser({ answer: { outcome: 'invalid_request' } });
      await expectError(await signIn(client, user), 400, 'invalid_request');
    });

    it('the authentication service unreachable is 503 temporarily_unavailable, and nothing is issued', async () => {
      const client = await passwordClient();
      const user = newUser();
      check.down = true;
      try {
        await expectError(await signIn(client, user, { scope: 'openid' }), 503, 'temporarily_unavailable');
      } finally {
        check.down = false;
      }
      expect((await app.internal('GET', `/internal/grants?sub=${user.sub}`)).body).toEqual([]);
    });

    it('issues nothing on a refusal: no grant is recorded', async () => {
      const client = await passwordClient();
      const user = newUser({ answer: { outcome: 'second_factor_required' } });
      await signIn(client, user);
      expect((await app.internal('GET', `/internal/grants?sub=${user.sub}`)).body).toEqual([]);
    });
  });

  describe('who may use the grant', () => {
    it('a client not enabled for it gets unauthorized_client, and the credentials are never tried', async () => {
      const client = await passwordClient({ grant_types: ['client_credentials'], allowed_scopes: ['orders:read'] });
      const before = check.calls.length;
      const body = await expectError(await signIn(client, newUser()), 400, 'unauthorized_client');
      expect(body.error_description).toMatch(/not registered for the password grant/);
      expect(check.calls.length).toBe(before);
    });

    it('an administrator turning it off takes effect: unauthorized_client', async () => {
      const client = await passwordClient();
      const user = newUser();
      expect((await signIn(client, user)).status).toBe(200);
      const updated = await app.internal('PUT', `/internal/clients/${client.client_id}`, { grant_types: ['client_credentials'], allowed_scopes: ['orders:read'] });
      expect(updated.status).toBe(200);
      const before = check.calls.length;
      await expectError(await signIn(client, user), 400, 'unauthorized_client');
      expect(check.calls.length).toBe(before);
    });

    it('a client that fails authentication gets invalid_client, and the credentials are never tried', async () => {
      const client = await passwordClient();
      const before = check.calls.length;
      const forged = `Basic ${Buffer.from(`${client.client_id}:not-the-secret`).toString('base64')}`;
      const res = await app.form('/oauth2/token', { grant_type: 'password', username: 'a@example.com', password: 'irrelevant-but-secret' }, { authorization: forged });
      passwords.add('irrelevant-but-secret');
      await expectError(res, 401, 'invalid_client');
      expect(check.calls.length).toBe(before);
    });

    it('dynamic registration refuses the grant (RFC 7591 invalid_client_metadata), at registration and at update', async () => {
      const refused = await register(app, { grant_types: ['password'], client_name: 'Sneaky' }, app.registrationToken);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: 'invalid_client_metadata', error_description: expect.stringMatching(/administrator/) });
      const mixed = await register(app, { grant_types: ['client_credentials', 'password'] }, app.registrationToken);
      expect(mixed.body).toMatchObject({ error: 'invalid_client_metadata' });

      const registered = await register(app, { grant_types: ['client_credentials'], client_name: 'Honest' }, app.registrationToken);
      expect(registered.status).toBe(201);
      const path = new URL(registered.body['registration_client_uri'] as string).pathname;
      const token = registered.body['registration_access_token'] as string;
      const update = await registration(app, 'PUT', path, { token, body: { client_id: registered.body['client_id'], grant_types: ['client_credentials', 'password'] } });
      expect(update.status).toBe(400);
      expect(update.body).toMatchObject({ error: 'invalid_client_metadata' });

      // And the registered client cannot use it either.
      const basic = `Basic ${Buffer.from(`${registered.body['client_id']}:${registered.body['client_secret']}`).toString('base64')}`;
      const res = await app.form('/oauth2/token', { grant_type: 'password', username: 'a@example.com', password: 'irrelevant-but-secret' }, { authorization: basic });
      await expectError(res, 400, 'unauthorized_client');
    });
  });

  describe('bad input (RFC 6749 §5.2 invalid_request, never a 500), refused before the credentials are tried', () => {
    let client: Client;
    let user: FakeUser;
    beforeAll(async () => {
      client = await passwordClient();
      user = newUser();
    });

    it.each([
      ['without username', (u: FakeUser) => ({ password: u.password })],
      ['without password', (u: FakeUser) => ({ username: u.username })],
      ['with an empty password', (u: FakeUser) => ({ username: u.username, password: '' })],
      ['with a password over 1024 characters', (u: FakeUser) => ({ username: u.username, password: 'p'.repeat(1025) })],
      ['with a username over 320 characters', (u: FakeUser) => ({ username: `${'a'.repeat(320)}@example.com`, password: u.password })],
    ])('%s', async (_, params) => {
      const before = check.calls.length;
      await expectError(await tokenRequest(client, params(user)), 400, 'invalid_request');
      expect(check.calls.length).toBe(before);
    });

    it('with the password sent twice', async () => {
      const before = check.calls.length;
      const body = new URLSearchParams({ grant_type: 'password', username: user.username, password: user.password });
      body.append('password', user.password);
      await expectError(await app.form('/oauth2/token', body, client.auth.headers), 400, 'invalid_request');
      expect(check.calls.length).toBe(before);
    });

    it('with a scope the client is not allowed: invalid_scope, and no sign-in attempt is spent', async () => {
      const before = check.calls.length;
      const body = await expectError(await signIn(client, user, { scope: 'openid admin:clients' }), 400, 'invalid_scope');
      expect(body['scope']).toBe('admin:clients');
      expect(check.calls.length).toBe(before);
    });

    it('with an unknown resource: invalid_target, and no sign-in attempt is spent', async () => {
      const before = check.calls.length;
      await expectError(await signIn(client, user, { resource: 'https://api.test/unknown' }), 400, 'invalid_target');
      expect(check.calls.length).toBe(before);
    });

    it('as JSON instead of a form', async () => {
      const res = await fetch(`${app.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...client.auth.headers },
        body: JSON.stringify({ grant_type: 'password', username: user.username, password: user.password }),
      });
      expect(res.status).toBe(400);
      expect((await json(res)).error).toBe('invalid_request');
    });
  });

  it('never writes a password to the log, whatever happened to the request', async () => {
    const client = await passwordClient();
    const user = newUser();
    const start = app.logs.length;
    // Success, each refusal, an outage, a malformed request and credentials put in the URL.
    await signIn(client, user, { scope: 'openid offline_access' });
    await tokenRequest(client, { username: user.username, password: `${user.password}x` });
    passwords.add(`${user.password}x`);
    await signIn(client, user, { scope: 'admin:everything' });
    check.down = true;
    await signIn(client, user).finally(() => (check.down = false));
    await app.form(`/oauth2/token?${new URLSearchParams({ username: user.username, password: user.password })}`, { grant_type: 'password' }, client.auth.headers);
    await fetch(`${app.url}/oauth2/token?${new URLSearchParams({ password: user.password })}`);

    const lines = app.logs.slice(start).join('');
    // The log did record these requests (so the assertion below is not vacuous)...
    expect(lines).toContain('temporarily_unavailable');
    expect(lines).toContain('invalid_grant');
    // ...and no password, of this test or any other in this file, in any encoding.
    const everything = app.logs.join('');
    for (const password of passwords) {
      expect(everything).not.toContain(password);
      expect(everything).not.toContain(encodeURIComponent(password));
      expect(everything).not.toContain(JSON.stringify(password).slice(1, -1));
    }
  });
});

/** What the fake authentication service received. */
interface Received {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * The authentication service's internal credential check over HTTP: a loopback server answering
 * what each test scripts, so that the adapter's request and its reading of every answer are real.
 */
class FakeAuthService {
  readonly received: Received[] = [];
  answer: { status: number; body: unknown } = { status: 200, body: {} };
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(this.answer.status, { 'content-type': 'application/json' });
        res.end(typeof this.answer.body === 'string' ? this.answer.body : JSON.stringify(this.answer.body));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }
}

describe.each(testEngines())('password grant through the authentication service HTTP API (%s)', (engine) => {
  let app: TestApp;
  const auth = new FakeAuthService();
  const internalSecret = randomSecret(32);
  let basic: string;
  let clientId: string;
  const password = `Correct horse ${randomSecret(12)}`;

  beforeAll(async () => {
    await auth.start();
    app = await startTokenService({
      engine,
      internalSecret,
      logLevel: 'trace',
      // The test client connects from loopback: make loopback the trusted reverse proxy.
      env: { TESSERA_AUTH_SERVICE_URL: auth.url, TESSERA_TRUSTED_PROXIES: '127.0.0.1' },
    });
    const client = await app.client({ grant_types: ['password'], allowed_scopes: ['openid', 'profile'] });
    basic = client.basic;
    clientId = client.client_id;
  });
  afterAll(async () => {
    await app?.close();
    await auth.stop();
  });

  const signIn = (headers: Record<string, string> = {}) =>
    app.form('/oauth2/token', { grant_type: 'password', username: 'ada@example.com', password, scope: 'profile' }, { authorization: basic, ...headers });

  it('POSTs { username, password, client_id, ip } as JSON to /internal/credentials/check, as the token service', async () => {
    auth.answer = { status: 200, body: { sub: 'user-http-1', amr: ['pwd'], auth_time: nowSeconds() } };
    const before = auth.received.length;
    const res = await signIn({ 'x-forwarded-for': '198.51.100.1, 203.0.113.9' });
    expect(res.status).toBe(200);

    const [sent] = auth.received.slice(before);
    expect(sent).toMatchObject({ method: 'POST', url: '/internal/credentials/check' });
    expect(sent.headers['authorization']).toBe(`Bearer ${internalCredential(internalSecret, 'token-service')}`);
    expect(sent.headers['content-type']).toBe('application/json');
    // The request came through a trusted proxy: the client is the right-most address not a proxy.
    expect(JSON.parse(sent.body)).toEqual({ username: 'ada@example.com', password, client_id: clientId, ip: '203.0.113.9' });
  });

  it('reads 200 { sub, amr, auth_time } into the tokens', async () => {
    const authTime = nowSeconds() - 10;
    auth.answer = { status: 200, body: { sub: 'user-http-2', amr: ['pwd'], auth_time: authTime } };
    const res = await app.form('/oauth2/token', { grant_type: 'password', username: 'ada@example.com', password, scope: 'openid' }, { authorization: basic });
    const body = await json(res);
    expect(res.status).toBe(200);
    const payload = JSON.parse(Buffer.from((body['id_token'] as string).split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(payload).toMatchObject({ sub: 'user-http-2', amr: ['pwd'], acr: ACR_PWD, auth_time: authTime });
  });

  it.each<[string, number, string, number, unknown, RegExp]>([
    ['401 invalid_credentials', 400, 'invalid_grant', 401, { error: 'invalid_credentials', error_description: 'The username or password is not correct.' }, /not correct/],
    ['429 too_many_attempts', 400, 'invalid_grant', 429, { error: 'too_many_attempts', error_description: 'Try again in 15 minutes.', retry_after: 900 }, /Try again later \(in 900 seconds\)/],
    ['429 without retry_after', 400, 'invalid_grant', 429, { error: 'too_many_attempts' }, /Try again later\.$/],
    ['401 second_factor_required', 400, 'invalid_grant', 401, { error: 'second_factor_required', error_description: 'x' }, /two-step verification/],
    ['403 forbidden (a disabled account)', 400, 'invalid_grant', 403, { error: 'forbidden', error_description: 'x' }, /disabled/],
    ['400 invalid_request', 400, 'invalid_request', 400, { error: 'invalid_request', error_description: 'x' }, /malformed/],
    ['401 invalid_token (its guard refusing our credential)', 503, 'temporarily_unavailable', 401, { error: 'invalid_token' }, /try again/],
    ['404 (no such endpoint)', 503, 'temporarily_unavailable', 404, { error: 'not_found' }, /try again/],
    ['500', 503, 'temporarily_unavailable', 500, { error: 'server_error' }, /try again/],
    ['200 without a sub', 503, 'temporarily_unavailable', 200, { amr: ['pwd'], auth_time: 1 }, /unreadable/],
    ['200 that is not JSON', 503, 'temporarily_unavailable', 200, 'not json', /unreadable/],
  ])('maps %s to %d %s', async (_, expectedStatus, error, status, answer, description) => {
    auth.answer = { status, body: answer };
    const res = await signIn();
    const body = await json(res);
    expect({ status: res.status, error: body.error }).toEqual({ status: expectedStatus, error });
    expect(body.error_description).toMatch(description);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('an authentication service that does not answer is 503 temporarily_unavailable', async () => {
    await auth.stop();
    const res = await signIn();
    expect(res.status).toBe(503);
    expect((await json(res)).error).toBe('temporarily_unavailable');
  });

  it('never writes the password to the log', async () => {
    const logs = app.logs.join('');
    expect(logs).toContain('temporarily_unavailable');
    expect(logs).not.toContain(password);
    expect(logs).not.toContain(encodeURIComponent(password));
  });
});
