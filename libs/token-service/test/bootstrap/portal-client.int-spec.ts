import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Writable } from 'node:stream';
import { internalCredential, randomSecret } from '@tessera/runtime';
import { createPostgresDatabase, locationOf, ScriptedLoginUi, TestBrowser, testEngines } from '@tessera/test-kit';
import { hashSecret } from '@tessera/token-formats';
import { ClientsService } from '../../src/clients/clients.service';
import { PortalBootstrapService } from '../../src/clients/portal-bootstrap.service';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../../src/config/token-service-config';
import { ClientStore } from '../../src/ports/client.store';
import { InMemoryUserClaims, startTokenService, type TestApp } from '../support/token-service-app';

const PORTAL = 'tessera-portal';
const ACCOUNT_SCOPES = 'openid profile email account';
const ADMIN_SCOPES = 'openid admin:read admin:write';

type Json = Record<string, unknown>;

/** The token service as the platform starts it, with a user directory and the admin API's internal credential. */
async function start(engine: 'sqlite' | 'postgres', env: Record<string, string> = {}) {
  const users = new InMemoryUserClaims();
  const internalSecret = randomSecret(32);
  const app = await startTokenService({ engine, userClaims: users, internalSecret, env });
  return { app, users, adminApi: `Bearer ${internalCredential(internalSecret, 'admin-api')}` };
}

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

/**
 * The portal as the token service sees it: client_id `tessera-portal`, public (no secret),
 * PKCE S256, redirect URI `<issuer>/callback`, registered at start by PortalBootstrapService.
 */
class PortalSession {
  readonly browser: TestBrowser;
  private readonly ui: ScriptedLoginUi;

  constructor(private readonly app: TestApp) {
    this.browser = new TestBrowser({ [app.issuer]: app.url });
    this.ui = new ScriptedLoginUi(app);
  }

  authorizeUrl(params: Record<string, string>) {
    return `${this.app.url}/oauth2/authorize?${new URLSearchParams({
      client_id: PORTAL,
      response_type: 'code',
      redirect_uri: `${this.app.issuer}/callback`,
      state: 'st-portal',
      nonce: 'n-portal',
      ...params,
    })}`;
  }

  /** Authorize, sign in at the login challenge, and return where the browser is sent next. */
  async signIn(sub: string, params: Record<string, string>) {
    const { verifier, challenge } = pkce();
    const start = await this.browser.get(this.authorizeUrl({ code_challenge: challenge, code_challenge_method: 'S256', ...params }));
    const login = locationOf(start);
    expect(login).toMatch(new RegExp(`^${this.app.issuer}/login\\?login_challenge=`));
    const accepted = await this.ui.acceptLogin(this.browser, login, { sub });
    expect(accepted.status).toBe(200);
    const next = await this.browser.get(accepted.body['redirect_to'] as string);
    return { next: locationOf(next), verifier };
  }

  /** The token request of a public client: client_id and the PKCE verifier, no secret. */
  async redeem(callback: string, verifier: string) {
    const code = new URL(callback).searchParams.get('code');
    if (!code) throw new Error(`no code in ${callback}`);
    const res = await this.app.form('/oauth2/token', {
      grant_type: 'authorization_code',
      client_id: PORTAL,
      code,
      redirect_uri: `${this.app.issuer}/callback`,
      code_verifier: verifier,
    });
    return { status: res.status, body: (await res.json()) as Json };
  }

  /** The whole sign-in, to the token response. */
  async tokens(sub: string, scope: string, extra: Record<string, string> = {}) {
    const { next, verifier } = await this.signIn(sub, { scope, ...extra });
    expect(next.startsWith(`${this.app.issuer}/callback?`)).toBe(true);
    const { status, body } = await this.redeem(next, verifier);
    expect(status).toBe(200);
    return body;
  }
}

/** What the admin and account APIs learn about a token at the internal introspection. */
async function introspect(app: TestApp, adminApi: string, token: unknown): Promise<Json> {
  const res = await fetch(`${app.internalUrl}/internal/tokens/introspect`, {
    method: 'POST',
    headers: { authorization: adminApi, 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  return (await res.json()) as Json;
}

const portalClient = async (app: TestApp) => (await app.internal('GET', `/internal/clients/${PORTAL}`)).body;
const portalClients = async (app: TestApp) =>
  ((await app.internal('GET', '/internal/clients')).body as unknown as Json[]).filter((c) => c['client_id'] === PORTAL);

describe.each(testEngines())('the portal client (%s)', (engine) => {
  let app: TestApp;
  let users: InMemoryUserClaims;
  let adminApi: string;

  beforeAll(async () => {
    ({ app, users, adminApi } = await start(engine));
  });
  afterAll(() => app?.close());

  const newUser = (roles: string[] = []) => {
    const sub = `user-${randomBytes(5).toString('hex')}`;
    users.users.set(sub, { name: `Ada ${sub}`, email: `${sub}@example.com`, email_verified: true });
    users.roles.set(sub, roles);
    return sub;
  };

  it('is registered at start: public, first-party, code flow with PKCE only, its pages at the issuer as exact redirect URIs', async () => {
    const client = await portalClient(app);
    expect(client).toMatchObject({
      client_id: PORTAL,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [`${app.issuer}/callback`],
      post_logout_redirect_uris: [`${app.issuer}/signed-out`],
      first_party: true,
      require_pkce: true,
      refresh_tokens: false,
      admin: false,
      dynamic: false,
      default_audience: [],
      built_in: true,
      disabled: false,
    });
    expect((client['allowed_scopes'] as Array<{ scope: string }>).map((s) => s.scope).sort()).toEqual(['account', 'admin:read', 'admin:write', 'email', 'openid', 'profile']);
    expect(client).not.toHaveProperty('client_secret_expires_at');
    expect(await portalClients(app)).toHaveLength(1);
  });

  it('cannot be read, changed or deleted through dynamic client registration (RFC 7592): it has no registration access token', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await fetch(`${app.url}/oauth2/register/${PORTAL}`, {
        method,
        headers: { authorization: `Bearer ${app.registrationToken}`, ...(method === 'PUT' ? { 'content-type': 'application/json' } : {}) },
        body: method === 'PUT' ? JSON.stringify({ client_id: PORTAL, redirect_uris: ['https://evil.example/callback'] }) : undefined,
      });
      expect(res.status).toBe(401);
    }
    expect((await portalClient(app))['redirect_uris']).toEqual([`${app.issuer}/callback`]);
  });

  it('signs a person in with code + PKCE and no consent step, for an account token addressed to the account API, without a refresh token', async () => {
    const portal = new PortalSession(app);
    const sub = newUser();
    const { next, verifier } = await portal.signIn(sub, { scope: ACCOUNT_SCOPES });
    // First-party: straight back to the portal with a code, never to /consent.
    const callback = new URL(next);
    expect(`${callback.origin}${callback.pathname}`).toBe(`${app.issuer}/callback`);
    expect(Object.fromEntries(callback.searchParams)).toMatchObject({ state: 'st-portal', iss: app.issuer, code: expect.stringMatching(/^tsr_ac_/) });

    const { status, body } = await portal.redeem(next, verifier);
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', scope: ACCOUNT_SCOPES, id_token: expect.any(String) });
    expect(body).not.toHaveProperty('refresh_token');
    expect(await introspect(app, adminApi, body['access_token'])).toMatchObject({
      active: true,
      sub,
      client_id: PORTAL,
      scope: ACCOUNT_SCOPES,
      aud: [`${app.issuer}/auth/account`],
    });
  });

  it('needs the PKCE verifier to redeem a code, and refuses an authorization request without a challenge', async () => {
    const portal = new PortalSession(app);
    const { next } = await portal.signIn(newUser(), { scope: ACCOUNT_SCOPES });
    const wrong = await portal.redeem(next, pkce().verifier);
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    const noChallenge = await new PortalSession(app).browser.get(portal.authorizeUrl({ scope: ACCOUNT_SCOPES }));
    expect(Object.fromEntries(new URL(locationOf(noChallenge)).searchParams)).toMatchObject({ error: 'invalid_request', state: 'st-portal' });
  });

  it('leaves the admin scopes out of what a person without the admin role is given', async () => {
    const body = await new PortalSession(app).tokens(newUser(), ADMIN_SCOPES, { resource: `${app.issuer}/admin/api` });
    expect(body['scope']).toBe('openid');
    expect((await introspect(app, adminApi, body['access_token']))['scope']).toBe('openid');
  });

  it('gives an administrator an admin token for the admin API: five minutes, no refresh token', async () => {
    const sub = newUser(['admin']);
    const body = await new PortalSession(app).tokens(sub, ADMIN_SCOPES, { resource: `${app.issuer}/admin/api` });
    expect(body).toMatchObject({ scope: ADMIN_SCOPES, expires_in: 300 });
    expect(body).not.toHaveProperty('refresh_token');
    expect(await introspect(app, adminApi, body['access_token'])).toMatchObject({
      active: true,
      sub,
      scope: ADMIN_SCOPES,
      aud: [`${app.issuer}/admin/api`],
    });
  });

  it("refuses an attacker's redirect_uri with an error page, never a redirect", async () => {
    for (const redirect of ['https://evil.example/callback', `${app.issuer}/callback/../evil`, `${app.issuer}/callback?next=https://evil.example`, `${app.issuer}.evil.example/callback`]) {
      const { challenge } = pkce();
      const res = await new PortalSession(app).browser.get(
        new PortalSession(app).authorizeUrl({ scope: ACCOUNT_SCOPES, redirect_uri: redirect, code_challenge: challenge, code_challenge_method: 'S256' }),
      );
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
  });

  it('signs out with a POSTed form to /oauth2/logout and lands on <issuer>/signed-out; another post_logout_redirect_uri is refused', async () => {
    const portal = new PortalSession(app);
    const tokens = await portal.tokens(newUser(), ACCOUNT_SCOPES);
    const logout = (postLogout: string) =>
      portal.browser.request(`${app.issuer}/oauth2/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: PORTAL, post_logout_redirect_uri: postLogout, id_token_hint: tokens['id_token'] as string }).toString(),
      });
    const refused = await logout('https://evil.example/signed-out');
    expect(refused.status).toBe(400);
    expect(refused.headers.get('location')).toBeNull();
    const res = await logout(`${app.issuer}/signed-out`);
    expect(res.status).toBe(303);
    expect(locationOf(res)).toBe(`${app.issuer}/signed-out`);
  });
});

describe.each(testEngines())('the portal client across restarts (%s)', (engine) => {
  /** A data directory and, on PostgreSQL, a database that outlive one start: each start is a restart. */
  async function durableStore() {
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-portal-restart-'));
    const database = engine === 'postgres' ? await createPostgresDatabase() : undefined;
    return {
      // The same master key too: the signing keys in the database are encrypted under it.
      env: { TESSERA_DATA_DIR: dataDir, TESSERA_MASTER_KEY: randomSecret(32), ...(database ? { DATABASE_URL: database.url } : {}) },
      async drop() {
        await database?.drop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }

  it('is not registered twice, nor rewritten, by a second start', async () => {
    const store = await durableStore();
    try {
      const { app: first } = await start(engine, store.env);
      const before = await portalClient(first).finally(() => first.close());
      expect(first.logs.join('\n')).toContain('registered the portal client');

      const { app: second } = await start(engine, store.env);
      try {
        expect(await portalClients(second)).toHaveLength(1);
        expect(await portalClient(second)).toEqual(before);
        expect(second.logs.join('\n')).not.toMatch(/registered the portal client|the issuer changed/);
      } finally {
        await second.close();
      }
    } finally {
      await store.drop();
    }
  });

  it("follows a changed issuer: the new callback works, the old one is gone and refused; an administrator's settings are kept", async () => {
    const store = await durableStore();
    try {
      const { app: first } = await start(engine, store.env);
      try {
        // An administrator's change through the internal API must survive the issuer change.
        const edited = await first.internal('PUT', `/internal/clients/${PORTAL}`, { ...(await portalClient(first)), access_token_ttl: 900, mfa_policy: 'required' });
        expect(edited.status).toBe(200);
      } finally {
        await first.close();
      }

      const issuer = 'https://login.tessera.test';
      const { app: second, users } = await start(engine, { ...store.env, TESSERA_ISSUER: issuer });
      try {
        expect(await portalClient(second)).toMatchObject({
          redirect_uris: [`${issuer}/callback`],
          post_logout_redirect_uris: [`${issuer}/signed-out`],
          access_token_ttl: 900,
          mfa_policy: 'required',
          first_party: true,
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code'],
        });
        expect(await portalClients(second)).toHaveLength(1);
        expect(second.logs.join('\n')).toContain('the issuer changed');

        users.users.set('user-after-the-move', { name: 'Ada' });
        const browser = new TestBrowser({ [issuer]: second.url });
        const authorize = (redirect: string) =>
          browser.get(
            `${second.url}/oauth2/authorize?${new URLSearchParams({ client_id: PORTAL, response_type: 'code', redirect_uri: redirect, scope: 'openid', state: 's', code_challenge: pkce().challenge, code_challenge_method: 'S256' })}`,
          );
        const old = await authorize('https://id.tessera.test/callback');
        expect(old.status).toBe(400);
        expect(old.headers.get('location')).toBeNull();
        expect(locationOf(await authorize(`${issuer}/callback`))).toMatch(new RegExp(`^${issuer}/login\\?login_challenge=`));
      } finally {
        await second.close();
      }
    } finally {
      await store.drop();
    }
  });

  it("puts back its fixed settings at every start, keeping only what an administrator may change, and says at info what it corrected", async () => {
    const store = await durableStore();
    try {
      const { app: first } = await start(engine, store.env);
      try {
        const edited = await first.internal('PUT', `/internal/clients/${PORTAL}`, { ...(await portalClient(first)), client_name: 'Company portal', access_token_ttl: 900, mfa_policy: 'required' });
        expect(edited.status).toBe(200);
        // Weakened behind the internal API's back (an older version's edits, or the database itself).
        const clients = first.running.app.get(ClientStore);
        const client = await clients.find(PORTAL);
        if (!client) throw new Error('no portal client');
        await clients.save({
          ...client,
          redirectUris: [...client.redirectUris, 'https://evil.example/callback'],
          postLogoutRedirectUris: [...(client.postLogoutRedirectUris ?? []), 'https://evil.example/'],
          grantTypes: ['authorization_code', 'implicit', 'refresh_token'],
          responseTypes: ['code', 'code id_token token'],
          refreshTokens: true,
          tokenEndpointAuthMethod: 'client_secret_basic',
          secretHash: hashSecret('a-secret-someone-knows-0123456789abcdef'),
          requirePkce: false,
          firstParty: false,
          admin: true,
          scopes: [...client.scopes, { scope: 'offline_access', required: false }],
          defaultAudience: ['https://evil.example/api'],
          disabled: true,
        });
      } finally {
        await first.close();
      }

      const { app: second } = await start(engine, store.env);
      try {
        const client = await portalClient(second);
        expect(client).toMatchObject({
          client_name: 'Company portal',
          access_token_ttl: 900,
          mfa_policy: 'required',
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code'],
          response_types: ['code'],
          redirect_uris: [`${second.issuer}/callback`],
          post_logout_redirect_uris: [`${second.issuer}/signed-out`],
          require_pkce: true,
          refresh_tokens: false,
          first_party: true,
          admin: false,
          default_audience: [],
          disabled: false,
          built_in: true,
        });
        expect(client).not.toHaveProperty('client_secret_expires_at');
        expect((client['allowed_scopes'] as Array<{ scope: string }>).map((s) => s.scope).sort()).toEqual(['account', 'admin:read', 'admin:write', 'email', 'openid', 'profile']);
        const [line] = second.logs.map((l) => JSON.parse(l) as Json).filter((l) => String(l['msg']).includes("put back the portal client's fixed settings"));
        expect(line).toMatchObject({ level: 30, clientId: PORTAL, enabled: true, previous: { redirect_uris: [`${second.issuer}/callback`, 'https://evil.example/callback'] } });
        expect((line['corrected'] as string[]).sort()).toEqual(
          [
            'admin',
            'allowed_scopes',
            'default_audience',
            'first_party',
            'grant_types',
            'post_logout_redirect_uris',
            'redirect_uris',
            'refresh_tokens',
            'require_pkce',
            'response_types',
            'token_endpoint_auth_method',
          ].sort(),
        );
        expect(second.logs.join('\n')).not.toContain('a-secret-someone-knows-0123456789abcdef');
        // The extra redirect URI is gone: refused with an error page, never a redirect.
        const { challenge } = pkce();
        const evil = await new TestBrowser({ [second.issuer]: second.url }).get(
          `${second.url}/oauth2/authorize?${new URLSearchParams({ client_id: PORTAL, response_type: 'code', redirect_uri: 'https://evil.example/callback', scope: 'openid', state: 's', code_challenge: challenge, code_challenge_method: 'S256' })}`,
        );
        expect(evil.status).toBe(400);
        expect(evil.headers.get('location')).toBeNull();
      } finally {
        await second.close();
      }

      // Nothing to correct any more: a third start writes nothing and says nothing.
      const { app: third } = await start(engine, store.env);
      try {
        expect(third.logs.join('\n')).not.toMatch(/put back the portal client|the issuer changed/);
      } finally {
        await third.close();
      }
    } finally {
      await store.drop();
    }
  });

  it('fails the start, saying why, rather than keep the previous origin as a redirect URI when the new issuer cannot be one', async () => {
    const { app } = await start(engine);
    try {
      const logs: string[] = [];
      const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (logs.push(chunk.toString()), done()) }));
      const config = app.running.app.get<TokenServiceConfig>(TOKEN_SERVICE_CONFIG);
      // The token service as the next start at another issuer would run it, on the same database.
      const bootstrap = new PortalBootstrapService(app.running.app.get(ClientsService), { ...config, issuer: 'http://id.internal.example' }, logger);
      await expect(bootstrap.onModuleInit()).rejects.toThrow(
        new RegExp(`could not be set to this issuer's settings \\(http://id\\.internal\\.example\\).*Refusing to start while it still redirects to ${app.issuer.replace(/\./g, '\\.')}/callback`),
      );
      expect((await portalClient(app))['redirect_uris']).toEqual([`${app.issuer}/callback`]);
    } finally {
      await app.close();
    }
  });

  it('lets the platform start at an http issuer that is not loopback, saying in the log why the portal cannot sign in', async () => {
    const { app } = await start(engine, { TESSERA_ISSUER: 'http://id.internal.example' });
    try {
      expect((await app.internal('GET', `/internal/clients/${PORTAL}`)).status).toBe(404);
      expect(app.logs.join('\n')).toContain('the portal client could not be registered at this issuer');
    } finally {
      await app.close();
    }
  });
});
