import { randomBytes } from 'node:crypto';
import { locationOf, testEngines, type TestBrowser } from '@tessera/test-kit';
import type { DataSource } from 'typeorm';
import { AUTH_SERVICE_DATA_SOURCE } from '../../src/auth-service.tokens';
import { UserEntity } from '../../src/database/entities/user.entity';
import { UpstreamAuthRequestEntity, UpstreamIdpEntity, UpstreamLinkEntity } from '../../src/upstream/entities';
import { ISSUER, startPlatformApp, type PlatformApp } from '../support/platform-app';
import { claimsOf, Portal, signInToAccount, type JsonResponse } from '../support/portal';
import { atUpstream, startUpstreamProvider, type UpstreamAccount, type UpstreamProvider } from './support/upstream-provider';

const CLIENT_SECRET = `upstream-secret-${randomBytes(12).toString('base64url')}`;
const IDPS = ['acme', 'lax', 'spare'];

let accountCounter = 0;
const newAccount = (extra: Partial<UpstreamAccount> = {}): UpstreamAccount => {
  const n = `${++accountCounter}-${randomBytes(3).toString('hex')}`;
  return { sub: `upstream-${n}`, email: `person${n}@corp.example`, email_verified: true, name: `Person ${n}`, locale: 'en-GB', ...extra };
};

describe.each(testEngines())('upstream OpenID providers (%s)', (engine) => {
  let app: PlatformApp;
  let upstream: UpstreamProvider;
  let data: DataSource;
  let clientId: string;
  /** Tessera's clock runs with real time plus this (the upstream's ID tokens are checked against real time). */
  let skew = 0;

  beforeAll(async () => {
    upstream = await startUpstreamProvider([
      {
        client_id: 'tessera',
        client_secret: CLIENT_SECRET,
        redirect_uris: IDPS.map((id) => `${ISSUER}/auth/upstream/${id}/callback`),
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ]);
    app = await startPlatformApp({ engine, clock: () => Date.now() + skew, env: { TESSERA_UPSTREAM_ALLOW_PRIVATE: 'true' } });
    data = app.running.app.get<DataSource>(AUTH_SERVICE_DATA_SOURCE);
    const idp = (id: string, extra: Record<string, unknown>) =>
      app.internal('POST', '/internal/upstream-idps', { id, display_name: id.toUpperCase(), issuer: upstream.issuer, client_id: 'tessera', client_secret: CLIENT_SECRET, ...extra });
    expect((await idp('acme', { trust_email_verified: true })).status).toBe(201);
    expect((await idp('lax', {})).status).toBe(201);
    ({ client_id: clientId } = await app.client());
  });
  afterAll(async () => {
    await app?.close();
    await upstream?.close();
  });

  /** A login page in a new browser, and the start of the upstream sign-in from it: the provider's authorization URL. */
  async function startUpstream(idp = 'acme', portal = new Portal(app, app.browser()), client = clientId, params: Record<string, string> = {}) {
    const loginUrl = await portal.authorize(client, params);
    const challenge = Portal.challengeOf(loginUrl, 'login');
    const start = await portal.browser.get(`${ISSUER}/auth/upstream/${idp}/start?login_challenge=${encodeURIComponent(challenge)}`);
    expect(start.status).toBe(302);
    return { portal, loginUrl, challenge, authorizationUrl: locationOf(start) };
  }

  /** The whole way to Tessera's callback URL, not followed yet. */
  async function toCallbackUrl(account: UpstreamAccount, idp = 'acme', portal?: Portal, client?: string, params?: Record<string, string>) {
    const started = await startUpstream(idp, portal, client, params);
    return { ...started, callbackUrl: await atUpstream(started.portal.browser, started.authorizationUrl, account) };
  }

  /** Follows the callback: where Tessera sends the browser next. */
  async function callback(browser: TestBrowser, url: string): Promise<{ status: number; location?: string; body?: Record<string, unknown> }> {
    const res = await browser.get(url);
    if (res.status === 302) return { status: 302, location: locationOf(res) };
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** From the token service's redirect_to, the ID token the client gets. */
  async function idTokenOf(portal: Portal, redirectTo: string, client = clientId) {
    const code = (await portal.toCallback(redirectTo)).searchParams.get('code') as string;
    const tokens = await portal.redeem(client, code);
    return { claims: claimsOf(tokens['id_token'] as string), tokens };
  }

  /** Signs in with the provider in a new browser and returns the client's ID token claims. */
  async function signInWith(account: UpstreamAccount, idp = 'acme') {
    const { portal, callbackUrl } = await toCallbackUrl(account, idp);
    const next = await callback(portal.browser, callbackUrl);
    expect(next.status).toBe(302);
    expect(next.location).toMatch(`${ISSUER}/oauth2/`);
    return { portal, ...(await idTokenOf(portal, next.location as string)) };
  }

  const linksOf = (upstreamSub: string) => data.manager.findBy(UpstreamLinkEntity, { upstreamSub });
  const usersWithEmail = (email: string) => data.manager.findBy(UserEntity, { email: email.toLowerCase() });
  const eventsFor = async (name: string, sub: string) =>
    ((await data.query('SELECT "name", "payload" FROM "outbox"')) as Array<{ name: string; payload: string }>).filter(
      (e) => e.name === name && (JSON.parse(e.payload) as { sub?: string }).sub === sub,
    ).length;

  describe('configured by admins through the internal API', () => {
    const base = () => ({ id: `idp-${randomBytes(3).toString('hex')}`, display_name: 'Corp', issuer: upstream.issuer, client_id: 'tessera', client_secret: CLIENT_SECRET });

    it('keeps the client secret encrypted and never returns it', async () => {
      const created = await app.internal('POST', '/internal/upstream-idps', base());
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ has_client_secret: true, redirect_uri: `${ISSUER}/auth/upstream/${created.body['id']}/callback`, enabled: true, trust_email_verified: false });
      expect(JSON.stringify(created.body)).not.toContain(CLIENT_SECRET);
      const listed = await app.internal('GET', '/internal/upstream-idps');
      expect(JSON.stringify(listed.body)).not.toContain(CLIENT_SECRET);
      const read = await app.internal('GET', `/internal/upstream-idps/${created.body['id']}`);
      expect(read.body).not.toHaveProperty('client_secret');
      const row = await data.manager.findOneByOrFail(UpstreamIdpEntity, { id: created.body['id'] as string });
      expect(row.clientSecretEncrypted).not.toContain(CLIENT_SECRET);
      expect(row.clientSecretEncrypted.split('.')).toHaveLength(5); // a compact JWE
      const raw = JSON.stringify(await data.query('SELECT * FROM "upstream_idps"'));
      expect(raw).not.toContain(CLIENT_SECRET);
      expect(JSON.stringify(await data.query('SELECT * FROM "upstream_auth_requests"'))).not.toContain(CLIENT_SECRET);
      expect((await app.internal('DELETE', `/internal/upstream-idps/${created.body['id']}`)).status).toBe(204);
    });

    it('answers bad input with a clear 400, a duplicate id with 409 and an unknown one with 404', async () => {
      const cases: Array<[unknown, string]> = [
        [{ ...base(), id: 'Not A Slug' }, 'id: must be a slug'],
        [{ ...base(), issuer: 'ftp://idp.example' }, 'issuer: must be an https URL'],
        [{ ...base(), issuer: `${upstream.issuer}/?x=1` }, 'issuer: must not have a query'],
        [{ ...base(), client_secret: undefined }, 'client_secret: is required'],
        [{ ...base(), scopes: ['email'] }, 'scopes: must include "openid"'],
        [{ ...base(), claim_mapping: { upn: 'email_verified', mail: 'sub' } }, '"sub" cannot be set from a provider'],
        [{ ...base(), enabled: 'yes' }, 'enabled: must be true or false'],
        [{ ...base(), secret: 'x' }, 'unknown field "secret"'],
        [['not', 'an', 'object'], 'JSON object'],
      ];
      for (const [body, message] of cases) {
        const res = await app.internal('POST', '/internal/upstream-idps', body);
        expect({ status: res.status, error: res.body['error'] }).toEqual({ status: 400, error: 'invalid_request' });
        expect(res.body['error_description']).toContain(message);
      }
      const body = base();
      expect((await app.internal('POST', '/internal/upstream-idps', body)).status).toBe(201);
      expect((await app.internal('POST', '/internal/upstream-idps', body)).status).toBe(409);
      expect((await app.internal('PATCH', `/internal/upstream-idps/${body.id}`, { id: 'other' })).status).toBe(400);
      expect((await app.internal('PATCH', `/internal/upstream-idps/${body.id}`, { scopes: 'openid' })).status).toBe(400);
      expect((await app.internal('PATCH', '/internal/upstream-idps/nope', { enabled: false })).status).toBe(404);
      expect((await app.internal('GET', '/internal/upstream-idps/nope')).status).toBe(404);
      expect((await app.internal('DELETE', `/internal/upstream-idps/${body.id}`)).status).toBe(204);
      expect((await app.internal('GET', `/internal/upstream-idps/${body.id}`)).status).toBe(404);
    });

    it('answers a provider id that cannot be one (a NUL, an overlong or upper-case value) with 404, before the database sees it', async () => {
      const local = await app.user();
      const { account } = await signInToAccount(app, local);
      const { portal, challenge } = await startUpstream();
      for (const id of ['%00', 'acme%00', 'a'.repeat(65), 'ACME', '-acme']) {
        for (const [method, body] of [['GET'], ['PATCH', { enabled: false }], ['DELETE']] as const) {
          expect({ id, method, status: (await app.internal(method, `/internal/upstream-idps/${id}`, body)).status }).toEqual({ id, method, status: 404 });
        }
        expect((await portal.browser.get(`${ISSUER}/auth/upstream/${id}/start?login_challenge=${encodeURIComponent(challenge)}`)).status).toBe(404);
        expect((await account('POST', `/links/${id}`)).status).toBe(404);
        // A callback is looked up by its state (hashed) first: unknown here.
        expect((await portal.browser.get(`${ISSUER}/auth/upstream/${id}/callback?state=x&code=y`)).status).toBe(400);
      }
      expect((await app.internal('GET', '/internal/upstream-idps/acme')).body).toMatchObject({ enabled: true });
    });

    it('deletes a provider with its links, and tells about the users it leaves (user.updated)', async () => {
      const created = await app.internal('POST', '/internal/upstream-idps', { ...base(), id: 'spare', display_name: 'Spare' });
      expect(created.status).toBe(201);
      const account = newAccount();
      const { claims } = await signInWith(account, 'spare');
      const sub = claims['sub'] as string;
      expect(await linksOf(account.sub)).toHaveLength(1);
      const before = await eventsFor('user.updated', sub);
      expect((await app.internal('DELETE', '/internal/upstream-idps/spare')).status).toBe(204);
      expect(await linksOf(account.sub)).toHaveLength(0);
      expect(await eventsFor('user.updated', sub)).toBe(before + 1);
      const { challenge, portal } = await startUpstream();
      expect((await portal.browser.get(`${ISSUER}/auth/upstream/spare/start?login_challenge=${encodeURIComponent(challenge)}`)).status).toBe(404);
    });

    it('is internal only, for the admin API and operators', async () => {
      expect((await fetch(`${app.url}/internal/upstream-idps`)).status).toBe(404);
      expect((await fetch(`${app.internalUrl}/internal/upstream-idps`)).status).toBe(401);
    });

    it('lists each enabled provider on the login page, and a disabled one nowhere', async () => {
      const { portal, challenge } = await startUpstream();
      const view = await portal.get(`/auth/login?login_challenge=${encodeURIComponent(challenge)}`);
      expect(view.body['methods']).toEqual(
        expect.arrayContaining([{ type: 'password' }, { type: 'upstream', id: 'acme', name: 'ACME', start_url: `${ISSUER}/auth/upstream/acme/start` }]),
      );
      expect((await app.internal('PATCH', '/internal/upstream-idps/lax', { enabled: false })).status).toBe(200);
      try {
        const again = await portal.get(`/auth/login?login_challenge=${encodeURIComponent(challenge)}`);
        expect((again.body['methods'] as Array<{ id?: string }>).map((m) => m.id)).not.toContain('lax');
        const start = await portal.browser.get(`${ISSUER}/auth/upstream/lax/start?login_challenge=${encodeURIComponent(challenge)}`);
        expect(start.status).toBe(404);
      } finally {
        await app.internal('PATCH', '/internal/upstream-idps/lax', { enabled: true });
      }
    });
  });

  describe('signing in', () => {
    it('sends the browser upstream with PKCE S256, state, nonce and the per-provider redirect URI', async () => {
      const { authorizationUrl } = await startUpstream();
      const url = new URL(authorizationUrl);
      expect(url.origin).toBe(upstream.issuer);
      expect(Object.fromEntries(url.searchParams)).toMatchObject({
        response_type: 'code',
        client_id: 'tessera',
        redirect_uri: `${ISSUER}/auth/upstream/acme/callback`,
        scope: 'openid profile email',
        code_challenge_method: 'S256',
      });
      for (const p of ['state', 'nonce', 'code_challenge']) expect(url.searchParams.get(p)).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // Stored hashed, with the values it needs back encrypted.
      const rows = await data.manager.find(UpstreamAuthRequestEntity);
      const state = url.searchParams.get('state') as string;
      expect(JSON.stringify(rows)).not.toContain(state);
      expect(JSON.stringify(rows)).not.toContain(url.searchParams.get('nonce'));
    });

    it('provisions a new local user at the first sign-in, and the client gets an ID token for it; the second sign-in reuses the link', async () => {
      const account = newAccount({ given_name: 'Ada', picture: 'not a url' });
      const first = await signInWith(account);
      const sub = first.claims['sub'] as string;
      expect(first.claims).toMatchObject({ iss: ISSUER, aud: clientId, amr: ['fed'] });
      expect(sub).not.toBe(account.sub);
      const user = await app.internal('GET', `/internal/users/${sub}`);
      expect(user.body).toMatchObject({ email: account.email, email_verified: true, has_password: false, claims: { name: account.name, given_name: 'Ada', locale: 'en-GB' } });
      expect(user.body['claims']).not.toHaveProperty('picture'); // not an http(s) URL: left out
      expect(await linksOf(account.sub)).toEqual([expect.objectContaining({ idpId: 'acme', sub })]);
      expect(await eventsFor('user.created', sub)).toBe(1);

      const second = await signInWith(account);
      expect(second.claims['sub']).toBe(sub);
      expect(await usersWithEmail(account.email as string)).toHaveLength(1);
      expect(await linksOf(account.sub)).toHaveLength(1);
    });

    it("keeps no address the provider does not vouch for (an untrusted provider's email_verified, or a trusted one's unverified address)", async () => {
      for (const [account, idp] of [[newAccount(), 'lax'], [newAccount({ email_verified: false }), 'acme']] as const) {
        const { claims } = await signInWith(account, idp);
        expect((await app.internal('GET', `/internal/users/${claims['sub']}`)).body).toMatchObject({ email: null, email_verified: false });
        expect(await usersWithEmail(account.email as string)).toHaveLength(0);
        // Not even as the label of the link.
        expect(await linksOf(account.sub)).toEqual([expect.objectContaining({ idpId: idp, email: null })]);
      }
    });

    it('provisions an upstream account without an email address', async () => {
      const { claims } = await signInWith(newAccount({ email: undefined, email_verified: undefined }));
      expect((await app.internal('GET', `/internal/users/${claims['sub']}`)).body).toMatchObject({ email: null, email_verified: false, has_password: false });
    });

    it('refuses a callback with a wrong state, and a replayed one', async () => {
      const account = newAccount();
      const { portal, callbackUrl } = await toCallbackUrl(account);
      const tampered = new URL(callbackUrl);
      tampered.searchParams.set('state', randomBytes(32).toString('base64url'));
      const wrong = await callback(portal.browser, tampered.href);
      expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      const noState = new URL(callbackUrl);
      noState.searchParams.delete('state');
      expect((await callback(portal.browser, noState.href)).status).toBe(400);

      const ok = await callback(portal.browser, callbackUrl);
      expect(ok.location).toMatch(`${ISSUER}/oauth2/`);
      const replayed = await callback(portal.browser, callbackUrl);
      expect(replayed).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      // One user, from the one accepted callback.
      expect(await linksOf(account.sub)).toHaveLength(1);
    });

    it('refuses a callback whose iss is not the provider (RFC 9207), and one without iss', async () => {
      for (const change of [(u: URL) => u.searchParams.set('iss', 'https://evil.example'), (u: URL) => u.searchParams.delete('iss')]) {
        const account = newAccount();
        const { portal, callbackUrl, challenge } = await toCallbackUrl(account);
        expect(new URL(callbackUrl).searchParams.get('iss')).toBe(upstream.issuer);
        const mixedUp = new URL(callbackUrl);
        change(mixedUp);
        const refused = await callback(portal.browser, mixedUp.href);
        expect(refused.status).toBe(302);
        const back = new URL(refused.location as string);
        expect(`${back.origin}${back.pathname}`).toBe(`${ISSUER}/login`);
        expect(Object.fromEntries(back.searchParams)).toEqual({ login_challenge: challenge, upstream_error: 'invalid_response' });
        // The attempt is used up: the genuine response cannot be played afterwards either.
        expect((await callback(portal.browser, callbackUrl)).status).toBe(400);
        expect(await linksOf(account.sub)).toHaveLength(0);
        expect(app.logs.join('')).not.toContain(new URL(callbackUrl).searchParams.get('code'));
      }
    });

    it('refuses a callback completed in another browser, and lets its own browser finish', async () => {
      const account = newAccount();
      const { portal, callbackUrl } = await toCallbackUrl(account);
      // A browser without the binding cookie, and one with a binding of its own.
      const stranger = app.browser();
      expect(await callback(stranger, callbackUrl)).toMatchObject({ status: 403, body: { error: 'forbidden' } });
      const other = await startUpstream();
      expect(await callback(other.portal.browser, callbackUrl)).toMatchObject({ status: 403, body: { error: 'forbidden' } });
      expect(await linksOf(account.sub)).toHaveLength(0);

      const own = await callback(portal.browser, callbackUrl);
      expect(own.location).toMatch(`${ISSUER}/oauth2/`);
      expect((await idTokenOf(portal, own.location as string)).claims['amr']).toEqual(['fed']);
    });

    it('goes on to a second factor when the client demands MFA, and refuses when the account has none', async () => {
      const acr = { acr_values: 'urn:tessera:acr:mfa' };
      const withEmail = await toCallbackUrl(newAccount(), 'acme', undefined, clientId, acr);
      const next = await callback(withEmail.portal.browser, withEmail.callbackUrl);
      expect(next.location).toBe(`${ISSUER}/login?login_challenge=${encodeURIComponent(withEmail.challenge)}&next=second_factor`);
      const session = await withEmail.portal.get(`/auth/login?login_challenge=${encodeURIComponent(withEmail.challenge)}`);
      expect(session.body['can_continue']).toBe(false);
      // The login page offers the factors the account has (a verified email: a mailed code), not every kind.
      expect(session.body['second_factors']).toEqual(['email_code']);

      const noEmail = await toCallbackUrl(newAccount({ email: undefined }), 'acme', undefined, clientId, acr);
      const refused = await callback(noEmail.portal.browser, noEmail.callbackUrl);
      expect(refused.location).toBe(`${ISSUER}/login?login_challenge=${encodeURIComponent(noEmail.challenge)}&upstream_error=second_factor_required`);
    });

    it('sends the browser back to the login page when the person refuses upstream', async () => {
      const { portal, challenge, authorizationUrl } = await startUpstream();
      const callbackUrl = await atUpstream(portal.browser, authorizationUrl, 'deny');
      const back = await callback(portal.browser, callbackUrl);
      expect(back.location).toBe(`${ISSUER}/login?login_challenge=${encodeURIComponent(challenge)}&upstream_error=access_denied`);
    });

    it('refuses to start without a login challenge of this browser', async () => {
      const res = await app.browser().get(`${ISSUER}/auth/upstream/acme/start?login_challenge=nope`);
      expect(res.status).toBe(404);
      const { challenge } = await startUpstream();
      const elsewhere = await app.browser().get(`${ISSUER}/auth/upstream/acme/start?login_challenge=${encodeURIComponent(challenge)}`);
      expect(elsewhere.status).toBe(403);
      expect((await app.browser().get(`${ISSUER}/auth/upstream/acme/start`)).status).toBe(400);
    });
  });

  describe('an upstream account with the email address of a local account', () => {
    it('is not linked on the address alone: the person is sent to prove the local account is theirs', async () => {
      const local = await app.user();
      const account = newAccount({ email: local.email.toUpperCase(), email_verified: true });
      const { portal, callbackUrl, challenge } = await toCallbackUrl(account);
      const next = await callback(portal.browser, callbackUrl);
      expect(next.location).toBe(`${ISSUER}/login?login_challenge=${encodeURIComponent(challenge)}&link=required`);
      expect(await linksOf(account.sub)).toHaveLength(0);
      expect(await usersWithEmail(local.email)).toEqual([expect.objectContaining({ sub: local.sub })]);
      expect((await portal.get('/auth/upstream/link')).body).toMatchObject({ idp: { id: 'acme', name: 'ACME' }, email: local.email });

      // No confirmation without signing in, nor from another browser, nor without CSRF.
      expect((await portal.post('/auth/upstream/link/confirm', {})).body).toMatchObject({ error: 'login_required' });
      expect((await new Portal(app, app.browser()).post('/auth/upstream/link/confirm', {})).body).toMatchObject({ error: 'not_found' });
      expect((await new Portal(app, app.browser()).get('/auth/upstream/link')).status).toBe(404);
      expect(await linksOf(account.sub)).toHaveLength(0);
      // The challenge was not answered: the client got nothing.
      expect((await portal.get(`/auth/login?login_challenge=${encodeURIComponent(challenge)}`)).status).toBe(200);
    });

    it('is linked once the person signs in to the local account in this browser and confirms', async () => {
      const local = await app.user();
      const account = newAccount({ email: local.email, email_verified: true });
      const { portal, callbackUrl, loginUrl } = await toCallbackUrl(account);
      expect((await callback(portal.browser, callbackUrl)).location).toContain('link=required');
      skew += 2_000;

      const noCsrf = await portal.browser.request(`${ISSUER}/auth/upstream/link/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(noCsrf.status).toBe(403);
      const login = await portal.loginWithPassword(loginUrl, local.email, local.password);
      expect(login.body.redirect_to).toBeDefined();
      const confirmed = await portal.post('/auth/upstream/link/confirm', {});
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toMatchObject({ linked: { idp: { id: 'acme' }, email: local.email } });
      expect(await linksOf(account.sub)).toEqual([expect.objectContaining({ sub: local.sub, idpId: 'acme' })]);
      expect(await eventsFor('user.updated', local.sub)).toBeGreaterThanOrEqual(1);
      // Single use.
      expect((await portal.post('/auth/upstream/link/confirm', {})).status).toBe(404);
      expect((await idTokenOf(portal, login.body.redirect_to as string)).claims['sub']).toBe(local.sub);

      // From now on the upstream account signs in as the local user.
      const later = await signInWith(account);
      expect(later.claims).toMatchObject({ sub: local.sub, amr: ['fed'] });
    });

    it('is not linked to a session that existed before, nor to another account signed in here', async () => {
      const local = await app.user();
      const intruder = await app.user();
      const account = newAccount({ email: local.email, email_verified: true });
      // The browser is signed in to the local account already (an older sign-in is not proof given now).
      const { portal } = await signInToAccount(app, local);
      skew += 2_000;
      const { callbackUrl, authorizationUrl } = await toCallbackUrl(account, 'acme', portal, clientId, { prompt: 'login' });
      // The client wants a fresh login: so does the provider.
      expect(new URL(authorizationUrl).searchParams.get('prompt')).toBe('login');
      expect((await callback(portal.browser, callbackUrl)).location).toContain('link=required');
      expect((await portal.post('/auth/upstream/link/confirm', {})).body).toMatchObject({ error: 'login_required' });

      // Someone else signs in here: not the account this link is for.
      skew += 2_000;
      const login = await portal.loginWithPassword(await portal.authorize(clientId, { prompt: 'login' }), intruder.email, intruder.password);
      expect(login.body.redirect_to).toBeDefined();
      expect((await portal.post('/auth/upstream/link/confirm', {})).body).toMatchObject({ error: 'forbidden' });
      expect(await linksOf(account.sub)).toHaveLength(0);

      // The owner signs in: now it links.
      skew += 2_000;
      expect((await portal.loginWithPassword(await portal.authorize(clientId, { prompt: 'login' }), local.email, local.password)).body.redirect_to).toBeDefined();
      expect((await portal.post('/auth/upstream/link/confirm', {})).status).toBe(200);
      expect(await linksOf(account.sub)).toEqual([expect.objectContaining({ sub: local.sub })]);
    });
  });

  describe('in the account API', () => {
    /** Signs in with the provider through the portal's first-party client and returns an account API caller. */
    async function accountViaUpstream(account: UpstreamAccount) {
      const { client_id } = await app.client({ scope: 'openid profile email account', first_party: true });
      const { portal, callbackUrl } = await toCallbackUrl(account, 'acme', undefined, client_id, { scope: 'openid account' });
      const next = await callback(portal.browser, callbackUrl);
      const { tokens, claims } = await idTokenOf(portal, next.location as string, client_id);
      return { portal, sub: claims['sub'] as string, account: accountCaller(portal, tokens['access_token'] as string) };
    }

    function accountCaller(portal: Portal, accessToken: string) {
      return async (method: string, path: string, body?: unknown): Promise<JsonResponse> => {
        const res = await portal.browser.request(`${ISSUER}/auth/account${path}`, {
          method,
          headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        return { status: res.status, body: text ? JSON.parse(text) : {}, headers: res.headers };
      };
    }

    it('links an upstream account from the account page, signs in with it, and unlinks it', async () => {
      const local = await app.user();
      const { portal, account } = await signInToAccount(app, local);
      expect((await account('GET', '/links')).body).toEqual({ links: [], available: [{ id: 'acme', name: 'ACME' }, { id: 'lax', name: 'LAX' }] });
      expect((await account('POST', '/links/nope')).status).toBe(404);

      const upstreamAccount = newAccount({ email: 'someone-else@corp.example' });
      const started = await account('POST', '/links/acme');
      expect(started.status).toBe(200);
      const authorizationUrl = started.body['redirect_to'] as string;
      expect(new URL(authorizationUrl).searchParams.get('redirect_uri')).toBe(`${ISSUER}/auth/upstream/acme/callback`);
      const callbackUrl = await atUpstream(portal.browser, authorizationUrl, upstreamAccount);
      // Only the browser that started it may finish it.
      expect((await callback(app.browser(), callbackUrl)).status).toBe(403);
      expect(await callback(portal.browser, callbackUrl)).toEqual({ status: 302, location: `${ISSUER}/account?linked=acme` });

      const listed = await account('GET', '/links');
      expect(listed.body['links']).toEqual([
        { id: expect.any(String), idp: { id: 'acme', name: 'ACME', enabled: true }, email: 'someone-else@corp.example', created_at: expect.any(Number), last_used_at: expect.any(Number) },
      ]);
      expect(listed.body['available']).toEqual([{ id: 'lax', name: 'LAX' }]);
      expect((await account('POST', '/links/acme')).status).toBe(409);
      expect((await signInWith(upstreamAccount)).claims['sub']).toBe(local.sub);

      const linkId = (listed.body['links'] as Array<{ id: string }>)[0]?.id as string;
      expect((await account('DELETE', '/links/not-a-link')).status).toBe(404);
      expect((await account('DELETE', `/links/${linkId}`)).status).toBe(204);
      expect((await account('GET', '/links')).body['links']).toEqual([]);
      expect(await linksOf(upstreamAccount.sub)).toHaveLength(0);
    });

    it('refuses to link an upstream account that belongs to another user', async () => {
      const taken = newAccount();
      await signInWith(taken); // provisions a user of its own
      const local = await app.user();
      const { portal, account } = await signInToAccount(app, local);
      const started = await account('POST', '/links/acme');
      const callbackUrl = await atUpstream(portal.browser, started.body['redirect_to'] as string, taken);
      expect(await callback(portal.browser, callbackUrl)).toEqual({ status: 302, location: `${ISSUER}/account?upstream_error=conflict` });
      expect((await account('GET', '/links')).body['links']).toEqual([]);
    });

    it('needs a recent sign-in or the current password to link or unlink', async () => {
      const local = await app.user();
      const { account } = await signInToAccount(app, local);
      skew += 6 * 60_000;
      try {
        expect((await account('POST', '/links/acme')).body).toMatchObject({ error: 'reauthentication_required' });
        expect((await account('POST', '/links/acme', { current_password: 'wrong password!' })).status).toBe(401);
        expect((await account('POST', '/links/acme', { current_password: local.password })).status).toBe(200);
      } finally {
        skew -= 6 * 60_000;
      }
    });

    it('refuses to unlink the last way to sign in (a provisioned user without a password)', async () => {
      const { sub, account } = await accountViaUpstream(newAccount());
      const links = (await account('GET', '/links')).body['links'] as Array<{ id: string }>;
      expect(links).toHaveLength(1);
      const refused = await account('DELETE', `/links/${links[0]?.id}`);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ error: 'last_sign_in_method' });
      expect((await app.internal('GET', `/internal/users/${sub}`)).body['has_password']).toBe(false);
      expect((await account('GET', '/links')).body['links']).toHaveLength(1);
    });

    it("deletes the user's links with the user", async () => {
      const upstreamAccount = newAccount();
      const { sub, account } = await accountViaUpstream(upstreamAccount);
      expect((await account('DELETE', '')).status).toBe(204);
      expect(await data.manager.findBy(UpstreamLinkEntity, { sub })).toHaveLength(0);
      // The same upstream account now provisions a new user.
      const again = await signInWith(upstreamAccount);
      expect(again.claims['sub']).not.toBe(sub);
    });
  });

  it('never writes the client secret, codes or states to the log', async () => {
    const { portal, callbackUrl } = await toCallbackUrl(newAccount());
    const mixedUp = new URL(callbackUrl);
    mixedUp.searchParams.set('iss', 'https://evil.example');
    expect((await callback(portal.browser, mixedUp.href)).location).toContain('upstream_error=invalid_response');
    const logs = app.logs.join('');
    expect(logs).toContain('upstream sign-in refused');
    expect(logs).toContain('/auth/upstream/acme/callback?code=%5Bredacted%5D');
    for (const secret of [CLIENT_SECRET, ...['code', 'state'].map((p) => new URL(callbackUrl).searchParams.get(p) as string)]) expect(logs).not.toContain(secret);
  });
});
