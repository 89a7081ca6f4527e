import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import * as oauth from 'oauth4webapi';
import { eventually, locationOf, ScriptedLoginUi, startTlsTestServer, TestBrowser, type TlsTestServer } from '@tessera/test-kit';
import type { DatabaseEngine } from '@tessera/runtime';
import { generateClientKey, type ClientKeyPair } from './support/client-keys';
import { e2eEngines } from './support/engines';
import { FakeUserDirectory } from './support/fake-user-directory';
import { formPostRequest, parseFormPost } from './support/form-post';
import { startPlatform, type RunningPlatform } from './support/platform';

/** Code-flow clients redirect to loopback (never contacted: the test reads the redirect). */
const REDIRECT = 'http://127.0.0.1:9/callback';
/** Clients that get tokens from the authorization endpoint must register https (never contacted either). */
const HTTPS_REDIRECT = 'https://rp.example.com/callback';
const PAR_URN = 'urn:ietf:params:oauth:request_uri:';
const opts = { [oauth.allowInsecureRequests]: true } as const;

interface Registered {
  client_id: string;
  client_secret?: string;
}

interface Interaction {
  kind: 'login' | 'consent';
  info: Record<string, unknown>;
}

const now = () => Math.floor(Date.now() / 1000);

/** A part of a compact JWS, for what a library has already verified (or a header it does not expose). */
const jwtPart = (jwt: string, index: 0 | 1): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[index], 'base64url').toString());

/** OIDC Core §3.2.2.9: left half of the SHA-256 of the access token, base64url (RS256). */
const halfSha256 = (value: string) => createHash('sha256').update(value).digest().subarray(0, 16).toString('base64url');

async function registerClient(platform: RunningPlatform, name: string, metadata: Record<string, unknown>): Promise<Registered> {
  const res = await platform.internal<Registered>('POST', '/internal/clients', { client_name: name, ...metadata });
  if (res.status !== 201 && res.status !== 200) throw new Error(`registering ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Plays the browser and the login/consent UI from an authorization URL until the platform answers
 * something other than a login or consent page: the redirect to the client, a form_post page or an
 * error page. Records each interaction with what the challenge API showed for it.
 */
async function drive(ui: ScriptedLoginUi, browser: TestBrowser, url: string | URL, sub: string, login: { authTime?: number } = {}) {
  const interactions: Interaction[] = [];
  let response = await browser.get(url.toString());
  for (;;) {
    const location = response.headers.get('location') ?? '';
    const kind = location.includes('login_challenge=') ? 'login' : location.includes('consent_challenge=') ? 'consent' : undefined;
    if (!kind || interactions.length > 3) break;
    const info = (await ui.read(ui.challengeOf(location, kind))).body;
    interactions.push({ kind, info });
    const accepted =
      kind === 'login'
        ? await ui.acceptLogin(browser, location, { sub, authTime: login.authTime })
        : await ui.acceptConsent(browser, location, { grantScope: info['requested_scope'] as string[], remember: true });
    expect(accepted.status).toBe(200);
    response = await browser.get(accepted.body['redirect_to'] as string);
  }
  return { response, interactions, kinds: interactions.map((i) => i.kind) };
}

describe.each(e2eEngines())('OpenID Connect requests (PAR, request objects, response modes, prompts) on %s', (engine: DatabaseEngine) => {
  let platform: RunningPlatform;
  let directory: FakeUserDirectory;
  let ui: ScriptedLoginUi;
  let issuer: URL;
  let as: oauth.AuthorizationServer;
  let tls: TlsTestServer;
  let caDir: string;
  let es256: ClientKeyPair;
  let rs256: ClientKeyPair;
  let stranger: ClientKeyPair;
  const clients: Record<string, Registered> = {};
  let userCounter = 0;

  beforeAll(async () => {
    [es256, rs256, stranger] = await Promise.all([generateClientKey('ES256'), generateClientKey('RS256'), generateClientKey('ES256')]);
    tls = await startTlsTestServer();
    caDir = mkdtempSync(join(tmpdir(), 'tessera-e2e-ca-'));
    writeFileSync(join(caDir, 'ca.pem'), tls.ca);
    directory = await FakeUserDirectory.start();
    platform = await startPlatform({ engine, env: { TESSERA_AUTH_SERVICE_URL: directory.url } });
    directory.trust(readFileSync(join(platform.dataDir, 'internal.secret'), 'utf8').trim());
    ui = new ScriptedLoginUi(platform);
    issuer = new URL(platform.issuer);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...opts }));

    const code = {
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [REDIRECT],
      allowed_scopes: ['openid', 'profile', 'email', 'offline_access'],
    };
    const jwks = { keys: [es256.publicJwk, rs256.publicJwk] };
    const entries: [string, Record<string, unknown>][] = [
      ['web', code],
      ['other-web', code],
      ['spa', { ...code, token_endpoint_auth_method: 'none' }],
      ['par-only', { ...code, require_pushed_authorization_requests: true }],
      ['jar', { ...code, jwks }],
      ['by-reference', { ...code, jwks, request_uris: [`${tls.url}/request-objects/default-env`] }],
      [
        'implicit',
        { redirect_uris: [HTTPS_REDIRECT], allowed_scopes: ['openid', 'profile', 'email'], grant_types: ['implicit'], response_types: ['id_token token'], token_endpoint_auth_method: 'none' },
      ],
      ['hybrid', { redirect_uris: [HTTPS_REDIRECT], allowed_scopes: ['openid', 'profile', 'email'], grant_types: ['authorization_code', 'implicit'], response_types: ['code id_token'] }],
    ];
    for (const [name, metadata] of entries) clients[name] = await registerClient(platform, name, metadata);
  });

  afterAll(async () => {
    await platform?.stop();
    await directory?.stop();
    await tls?.close();
    if (caDir) rmSync(caDir, { recursive: true, force: true });
  });

  function newUser(): { sub: string; profile: Record<string, unknown> } {
    const sub = `requests-user-${++userCounter}`;
    directory.set(sub, {
      name: `Grace Hopper ${userCounter}`,
      given_name: 'Grace',
      family_name: 'Hopper',
      preferred_username: `grace${userCounter}`,
      email: `grace${userCounter}@example.com`,
      email_verified: true,
    });
    return { sub, profile: directory.claimsOf(sub) as Record<string, unknown> };
  }

  const openidClient = (name: string, metadata: Partial<oidc.ClientMetadata> = {}, execute: ((c: oidc.Configuration) => void)[] = []) => {
    const { client_id, client_secret } = clients[name];
    const auth = client_secret ? oidc.ClientSecretBasic() : oidc.None();
    return oidc.discovery(issuer, client_id, { client_secret, ...metadata }, auth, { execute: [oidc.allowInsecureRequests, ...execute] });
  };

  /** Fresh PKCE, state and nonce, as authorization request parameters and as the library's checks. */
  async function codeRequest(extra: Record<string, string> = {}, redirectUri = REDIRECT) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const params: Record<string, string> = {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    };
    return { params, verifier, state, nonce, checks: { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce } };
  }

  /** openid-client, plain code flow from the authorization URL to the validated ID token. */
  async function openidClientCodeFlow(
    config: oidc.Configuration,
    browser: TestBrowser,
    sub: string,
    extra: Record<string, string> = {},
    checks: { maxAge?: number } = {},
    login: { authTime?: number } = {},
  ) {
    const request = await codeRequest(extra);
    const driven = await drive(ui, browser, oidc.buildAuthorizationUrl(config, request.params), sub, login);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(locationOf(driven.response)), { ...request.checks, ...checks });
    return { tokens, claims: tokens.claims() as oidc.IDToken, kinds: driven.kinds, interactions: driven.interactions, nonce: request.nonce };
  }

  /** A browser with an OP session for a new user, who consented (remembered) to `web`. */
  async function signedIn(authTime?: number) {
    const user = newUser();
    const browser = new TestBrowser();
    const config = await openidClient('web');
    const first = await openidClientCodeFlow(config, browser, user.sub, {}, {}, { authTime });
    expect(first.kinds).toEqual(['login', 'consent']);
    return { user, browser, config, first };
  }

  /** oauth4webapi: from a validated authorization response to the validated token response. */
  async function oauth4webapiExchange(name: string, params: URLSearchParams, verifier: string, nonce: string, redirectUri = REDIRECT, server = as, maxAge?: number) {
    const client: oauth.Client = { client_id: clients[name].client_id };
    const secret = clients[name].client_secret;
    const auth = secret ? oauth.ClientSecretBasic(secret) : oauth.None();
    const response = await oauth.authorizationCodeGrantRequest(server, client, auth, params, redirectUri, verifier, opts);
    const result = await oauth.processAuthorizationCodeResponse(server, client, response, { expectedNonce: nonce, requireIdToken: true, ...(maxAge === undefined ? {} : { maxAge }) });
    return oauth.getValidatedIdTokenClaims(result) as oauth.IDToken;
  }

  it('discovery: both libraries read the PAR endpoint and the request object, response mode and prompt support', async () => {
    const metadata = (await openidClient('web')).serverMetadata();
    for (const m of [metadata, as] as Record<string, unknown>[]) {
      expect(m).toMatchObject({
        pushed_authorization_request_endpoint: `${platform.issuer}/oauth2/par`,
        require_pushed_authorization_requests: false,
        request_parameter_supported: true,
        request_uri_parameter_supported: true,
        require_request_uri_registration: true,
      });
      expect(m['response_modes_supported']).toEqual(expect.arrayContaining(['query', 'fragment', 'form_post']));
      expect(m['prompt_values_supported']).toEqual(expect.arrayContaining(['none', 'login', 'consent', 'select_account']));
      expect(m['request_object_signing_alg_values_supported']).toEqual(expect.arrayContaining(['ES256', 'RS256']));
      expect(m['request_object_signing_alg_values_supported']).not.toContain('none');
    }
  });

  describe('pushed authorization requests (RFC 9126)', () => {
    it('openid-client buildAuthorizationUrlWithPAR: the browser carries only client_id and request_uri; the code flow completes; the request_uri is single-use', async () => {
      const user = newUser();
      const config = await openidClient('web');
      const request = await codeRequest();
      const url = await oidc.buildAuthorizationUrlWithPAR(config, request.params);
      expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
      expect(url.searchParams.get('request_uri')).toMatch(new RegExp(`^${PAR_URN}`));

      const driven = await drive(ui, new TestBrowser(), url, user.sub);
      expect(driven.kinds).toEqual(['login', 'consent']);
      expect(driven.interactions[1].info['requested_scope']).toEqual(['openid', 'profile', 'email']);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(locationOf(driven.response)), request.checks);
      expect(tokens.claims()).toMatchObject({ iss: platform.issuer, aud: clients['web'].client_id, sub: user.sub, nonce: request.nonce });

      // RFC 9126 §4: a request_uri is used once.
      const replay = await new TestBrowser().get(url.href);
      expect(replay.status).toBe(400);
      expect(await replay.text()).toContain('invalid_request_uri');
    });

    it('oauth4webapi pushedAuthorizationRequest + processPushedAuthorizationResponse, then the code flow for a public client', async () => {
      const user = newUser();
      const client: oauth.Client = { client_id: clients['spa'].client_id };
      const request = await codeRequest({ response_type: 'code' });
      const pushed = await oauth.processPushedAuthorizationResponse(as, client, await oauth.pushedAuthorizationRequest(as, client, oauth.None(), request.params, opts));
      expect(pushed.request_uri).toMatch(new RegExp(`^${PAR_URN}`));
      expect(pushed.expires_in).toBeGreaterThan(0);

      const url = new URL(as.authorization_endpoint as string);
      url.search = new URLSearchParams({ client_id: client.client_id, request_uri: pushed.request_uri }).toString();
      const { response } = await drive(ui, new TestBrowser(), url, user.sub);
      const params = oauth.validateAuthResponse(as, client, new URL(locationOf(response)), request.state);
      const claims = await oauth4webapiExchange('spa', params, request.verifier, request.nonce);
      expect(claims).toMatchObject({ iss: platform.issuer, aud: client.client_id, sub: user.sub, nonce: request.nonce });
    });

    it('require_pushed_authorization_requests: a plain request gets the error page (400); the pushed one works', async () => {
      const user = newUser();
      const config = await openidClient('par-only');
      const plain = await codeRequest();
      const refused = await new TestBrowser().get(oidc.buildAuthorizationUrl(config, plain.params).href);
      expect(refused.status).toBe(400);
      expect(refused.headers.get('location')).toBeNull();
      expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
      const page = await refused.text();
      expect(page).toContain('invalid_request');
      expect(page).toMatch(/pushed/i);

      const request = await codeRequest();
      const { response } = await drive(ui, new TestBrowser(), await oidc.buildAuthorizationUrlWithPAR(config, request.params), user.sub);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(locationOf(response)), request.checks);
      expect(tokens.claims()).toMatchObject({ sub: user.sub, aud: clients['par-only'].client_id, nonce: request.nonce });
    });
  });

  describe('request objects (RFC 9101)', () => {
    it('openid-client buildAuthorizationUrlWithJAR with the client ES256 key: the flow completes', async () => {
      const user = newUser();
      const config = await openidClient('jar');
      const request = await codeRequest();
      const url = await oidc.buildAuthorizationUrlWithJAR(config, request.params, es256.privateKey);
      expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request']);
      expect(jwtPart(url.searchParams.get('request') as string, 0)).toMatchObject({ alg: 'ES256', kid: es256.privateKey.kid, typ: 'oauth-authz-req+jwt' });

      const { response } = await drive(ui, new TestBrowser(), url, user.sub);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(locationOf(response)), request.checks);
      expect(tokens.claims()).toMatchObject({ sub: user.sub, aud: clients['jar'].client_id, nonce: request.nonce });
    });

    it('oauth4webapi issueRequestObject with the client RS256 key, max_age and claims as JSON members: the flow completes', async () => {
      const user = newUser();
      const client: oauth.Client = { client_id: clients['jar'].client_id };
      const claimsRequest = JSON.stringify({ id_token: { email: { essential: true } } });
      const request = await codeRequest({ response_type: 'code', client_id: client.client_id, scope: 'openid', max_age: '300', claims: claimsRequest });
      const jwt = await oauth.issueRequestObject(as, client, request.params, rs256.privateKey);
      expect(jwtPart(jwt, 0)).toMatchObject({ alg: 'RS256', kid: rs256.privateKey.kid });
      // OIDC Core §6.1: max_age travels as a JSON number and claims as a JSON object.
      expect(jwtPart(jwt, 1)).toMatchObject({ iss: client.client_id, aud: platform.issuer, max_age: 300, claims: { id_token: { email: { essential: true } } } });
      const url = new URL(as.authorization_endpoint as string);
      url.search = new URLSearchParams({ client_id: client.client_id, request: jwt }).toString();
      const { response, interactions } = await drive(ui, new TestBrowser(), url, user.sub);
      expect(interactions[0].info).toMatchObject({ kind: 'login', max_age: 300 });
      const params = oauth.validateAuthResponse(as, client, new URL(locationOf(response)), request.state);
      const claims = await oauth4webapiExchange('jar', params, request.verifier, request.nonce, REDIRECT, as, 300);
      expect(claims).toMatchObject({ sub: user.sub, nonce: request.nonce, email: user.profile['email'] });
    });

    it('openid-client JAR inside PAR: the signed object is pushed, the flow completes', async () => {
      const user = newUser();
      const config = await openidClient('jar');
      const request = await codeRequest();
      const { searchParams } = await oidc.buildAuthorizationUrlWithJAR(config, request.params, es256.privateKey);
      const url = await oidc.buildAuthorizationUrlWithPAR(config, searchParams);
      expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
      const { response } = await drive(ui, new TestBrowser(), url, user.sub);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(locationOf(response)), request.checks);
      expect(tokens.claims()).toMatchObject({ sub: user.sub, nonce: request.nonce });
    });

    it('a request object signed with a key the client did not register: invalid_request_object, at the authorization endpoint and at PAR', async () => {
      const config = await openidClient('jar');
      const request = await codeRequest();
      const front = await oidc.buildAuthorizationUrlWithJAR(config, request.params, stranger.privateKey);
      const refused = await new TestBrowser().get(front.href);
      // Nothing in the query names a redirect URI: the error can only be shown to the user.
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('invalid_request_object');

      const pushed = await oidc.buildAuthorizationUrlWithJAR(config, (await codeRequest()).params, stranger.privateKey);
      await expect(oidc.buildAuthorizationUrlWithPAR(config, pushed.searchParams)).rejects.toMatchObject({ error: 'invalid_request_object', status: 400 });
    });

    it('request_uri on 127.0.0.1 with the default outbound policy: invalid_request_uri, and nothing is fetched', async () => {
      const client: oauth.Client = { client_id: clients['by-reference'].client_id };
      const request = await codeRequest({ response_type: 'code', client_id: client.client_id });
      tls.route('/request-objects/default-env', {
        headers: { 'content-type': 'application/oauth-authz-req+jwt' },
        body: await oauth.issueRequestObject(as, client, request.params, es256.privateKey),
      });
      const before = tls.requests.length;
      // OIDC Core §6.2: response_type, scope and the redirect URI may travel in the query too.
      const url = new URL(as.authorization_endpoint as string);
      url.search = new URLSearchParams({
        client_id: client.client_id,
        request_uri: `${tls.url}/request-objects/default-env`,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: REDIRECT,
        state: request.state,
      }).toString();
      const callback = new URL(locationOf(await new TestBrowser().get(url.href)));
      let thrown: unknown;
      try {
        oauth.validateAuthResponse(as, client, callback, request.state);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(oauth.AuthorizationResponseError);
      expect(thrown).toMatchObject({ error: 'invalid_request_uri' });
      // The answer stays generic (naming the resolved address would map internal DNS); the log says why.
      expect((thrown as oauth.AuthorizationResponseError).error_description).toMatch(/could not be fetched/);
      expect((thrown as oauth.AuthorizationResponseError).error_description).not.toContain('127.0.0.1');
      // The platform writes its log asynchronously (a pipe from another process): wait for the line.
      await eventually(() => expect(platform.output()).toContain('blocked_address'));
      expect(tls.requests.length).toBe(before);
    });

    describe('request_uri by reference on a platform allowed to reach private addresses', () => {
      let second: RunningPlatform;
      let secondDirectory: FakeUserDirectory;

      beforeAll(async () => {
        secondDirectory = await FakeUserDirectory.start();
        // The platform trusts the test CA through Node's own extra-CA setting: certificate checks stay on.
        // On SQLite whatever the suite's engine: on PostgreSQL it would share the first platform's Redis
        // queues (same default prefix) while both run, and the fetch does not depend on the store.
        second = await startPlatform({
          env: { TESSERA_OUTBOUND_ALLOW_PRIVATE: 'true', NODE_EXTRA_CA_CERTS: join(caDir, 'ca.pem'), TESSERA_AUTH_SERVICE_URL: secondDirectory.url },
        });
      });
      afterAll(async () => {
        await second?.stop();
        await secondDirectory?.stop();
      });

      it('oauth4webapi issueRequestObject served at a pre-registered https request_uri: fetched once, the flow completes', async () => {
        const secondIssuer = new URL(second.issuer);
        const secondAs = await oauth.processDiscoveryResponse(secondIssuer, await oauth.discoveryRequest(secondIssuer, { algorithm: 'oidc', ...opts }));
        const path = '/request-objects/allowed';
        const registered = await registerClient(second, 'by-reference', {
          grant_types: ['authorization_code'],
          redirect_uris: [REDIRECT],
          allowed_scopes: ['openid'],
          jwks: { keys: [es256.publicJwk] },
          request_uris: [`${tls.url}${path}`],
        });
        clients['second:by-reference'] = registered;
        const client: oauth.Client = { client_id: registered.client_id };
        const sub = 'by-reference-user';
        secondDirectory.set(sub, { name: 'Request by reference' });
        const request = await codeRequest({ response_type: 'code', client_id: client.client_id, scope: 'openid' });
        tls.route(path, { headers: { 'content-type': 'application/oauth-authz-req+jwt' }, body: await oauth.issueRequestObject(secondAs, client, request.params, es256.privateKey) });

        const url = new URL(secondAs.authorization_endpoint as string);
        // OIDC Core §6.2: a fragment may version the content; the rest is the registered URI.
        url.search = new URLSearchParams({ client_id: client.client_id, request_uri: `${tls.url}${path}#v1` }).toString();
        const secondUi = new ScriptedLoginUi(second);
        const { response, kinds } = await drive(secondUi, new TestBrowser(), url, sub);
        expect(kinds).toEqual(['login', 'consent']);
        const params = oauth.validateAuthResponse(secondAs, client, new URL(locationOf(response)), request.state);
        const claims = await oauth4webapiExchange('second:by-reference', params, request.verifier, request.nonce, REDIRECT, secondAs);
        expect(claims).toMatchObject({ iss: second.issuer, aud: client.client_id, sub, nonce: request.nonce });

        const fetched = tls.requests.filter((r) => r.path === path);
        expect(fetched).toHaveLength(1);
        expect(fetched[0]).toMatchObject({ method: 'GET', headers: expect.objectContaining({ accept: expect.stringContaining('application/oauth-authz-req+jwt') }) });
      });
    });
  });

  describe('response modes', () => {
    it('form_post for code: an auto-submitting form to the redirect URI, whose POST openid-client validates', async () => {
      const user = newUser();
      const config = await openidClient('web');
      const request = await codeRequest({ response_mode: 'form_post' });
      const { response } = await drive(ui, new TestBrowser(), oidc.buildAuthorizationUrl(config, request.params), user.sub);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-security-policy')).toContain('form-action http://127.0.0.1:9');
      const page = parseFormPost(await response.text());
      expect(page).toMatchObject({ action: REDIRECT, method: 'post' });
      expect([...page.params.keys()].sort()).toEqual(['code', 'iss', 'state']);

      const tokens = await oidc.authorizationCodeGrant(config, formPostRequest(page), request.checks);
      expect(tokens.claims()).toMatchObject({ sub: user.sub, nonce: request.nonce });
    });

    it('form_post carries errors too: consent_required for prompt=none, read by oauth4webapi from the posted parameters', async () => {
      const { user, browser } = await signedIn();
      const client: oauth.Client = { client_id: clients['other-web'].client_id };
      const request = await codeRequest({ response_type: 'code', client_id: client.client_id, prompt: 'none', response_mode: 'form_post' });
      const url = new URL(as.authorization_endpoint as string);
      url.search = new URLSearchParams(request.params).toString();
      const { response, kinds } = await drive(ui, browser, url, user.sub);
      expect(kinds).toEqual([]);
      expect(response.status).toBe(200);
      const page = parseFormPost(await response.text());
      expect(page.action).toBe(REDIRECT);
      expect(() => oauth.validateAuthResponse(as, client, page.params, request.state)).toThrow(
        expect.objectContaining({ error: 'consent_required' }) as unknown as Error,
      );
    });

    it('fragment for code: oauth4webapi validates the fragment parameters; the code exchange completes', async () => {
      const user = newUser();
      const client: oauth.Client = { client_id: clients['web'].client_id };
      const request = await codeRequest({ response_type: 'code', client_id: client.client_id, response_mode: 'fragment' });
      const url = new URL(as.authorization_endpoint as string);
      url.search = new URLSearchParams(request.params).toString();
      const { response } = await drive(ui, new TestBrowser(), url, user.sub);
      const callback = new URL(locationOf(response));
      expect(callback.search).toBe('');
      const params = oauth.validateAuthResponse(as, client, new URLSearchParams(callback.hash.slice(1)), request.state);
      expect(await oauth4webapiExchange('web', params, request.verifier, request.nonce)).toMatchObject({ sub: user.sub, nonce: request.nonce });
    });

    it('id_token token, fragment by default: openid-client implicitAuthentication validates the ID token, at_hash binds the access token, which calls UserInfo', async () => {
      const user = newUser();
      const config = await openidClient('implicit', {}, [oidc.useIdTokenResponseType]);
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: HTTPS_REDIRECT, response_type: 'id_token token', scope: 'openid profile email', state, nonce });
      const { response } = await drive(ui, new TestBrowser(), url, user.sub);
      const callback = new URL(locationOf(response));
      expect(callback.search).toBe('');
      const fragment = new URLSearchParams(callback.hash.slice(1));
      expect(fragment.get('token_type')).toMatch(/^bearer$/i);
      const accessToken = fragment.get('access_token') as string;
      expect(accessToken).toEqual(expect.any(String));

      const claims = await oidc.implicitAuthentication(config, callback, nonce, { expectedState: state });
      expect(claims).toMatchObject({ iss: platform.issuer, aud: clients['implicit'].client_id, sub: user.sub, nonce });
      expect(claims.at_hash).toBe(halfSha256(accessToken));
      const userinfo = await oidc.fetchUserInfo(config, accessToken, claims.sub);
      expect(userinfo).toMatchObject({ sub: user.sub, email: user.profile['email'], name: user.profile['name'] });
    });

    it('form_post for hybrid code id_token: openid-client validates the posted ID token (c_hash) and the code exchange', async () => {
      const user = newUser();
      const config = await openidClient('hybrid', {}, [oidc.useCodeIdTokenResponseType]);
      const request = await codeRequest({ response_mode: 'form_post' }, HTTPS_REDIRECT);
      const url = oidc.buildAuthorizationUrl(config, request.params);
      expect(url.searchParams.get('response_type')).toBe('code id_token');
      const { response } = await drive(ui, new TestBrowser(), url, user.sub);
      expect(response.status).toBe(200);
      const page = parseFormPost(await response.text());
      expect(page).toMatchObject({ action: HTTPS_REDIRECT, method: 'post' });
      expect([...page.params.keys()].sort()).toEqual(['code', 'id_token', 'iss', 'state']);

      const tokens = await oidc.authorizationCodeGrant(config, formPostRequest(page), request.checks);
      expect(tokens.claims()).toMatchObject({ sub: user.sub, nonce: request.nonce, aud: clients['hybrid'].client_id });
    });
  });

  describe('prompt', () => {
    it('prompt=login: a new login challenge despite the session, and a new auth_time', async () => {
      const { user, browser, config, first } = await signedIn(now() - 600);
      const before = now();
      const again = await openidClientCodeFlow(config, browser, user.sub, { prompt: 'login' });
      expect(again.kinds).toEqual(['login']);
      expect(again.interactions[0].info['prompt']).toEqual(['login']);
      expect(again.claims.auth_time).toBeGreaterThanOrEqual(before);
      expect(again.claims.auth_time).toBeGreaterThan(first.claims.auth_time as number);
    });

    it('prompt=consent: the consent challenge despite the remembered grant, and no login', async () => {
      const { user, browser, config, first } = await signedIn();
      const again = await openidClientCodeFlow(config, browser, user.sub, { prompt: 'consent' });
      expect(again.kinds).toEqual(['consent']);
      expect(again.interactions[0].info).toMatchObject({ subject: user.sub, requested_scope: ['openid', 'profile', 'email'] });
      expect(again.claims).toMatchObject({ sub: user.sub, auth_time: first.claims.auth_time });
    });

    it('prompt=select_account: a login challenge that carries the signed-in subject', async () => {
      const { user, browser, config } = await signedIn();
      const again = await openidClientCodeFlow(config, browser, user.sub, { prompt: 'select_account' });
      expect(again.kinds).toEqual(['login']);
      expect(again.interactions[0].info).toMatchObject({ kind: 'login', subject: user.sub, prompt: ['select_account'] });
      expect(again.claims.sub).toBe(user.sub);
    });

    it('prompt=none with a session and remembered consent: a code at once, validated by openid-client', async () => {
      const { user, browser, config, first } = await signedIn();
      const silent = await openidClientCodeFlow(config, browser, user.sub, { prompt: 'none' });
      expect(silent.kinds).toEqual([]);
      expect(silent.claims).toMatchObject({ sub: user.sub, auth_time: first.claims.auth_time, sid: first.claims['sid'] });
    });

    it('prompt=none with a session but no consent for this client: consent_required, surfaced by openid-client', async () => {
      const { user, browser } = await signedIn();
      const config = await openidClient('other-web');
      const request = await codeRequest({ prompt: 'none' });
      const { response, kinds } = await drive(ui, browser, oidc.buildAuthorizationUrl(config, request.params), user.sub);
      expect(kinds).toEqual([]);
      await expect(oidc.authorizationCodeGrant(config, new URL(locationOf(response)), request.checks)).rejects.toMatchObject({
        name: 'AuthorizationResponseError',
        error: 'consent_required',
      });
    });
  });

  describe('max_age and id_token_hint', () => {
    it('max_age: an old session means a login; an answer as old as before is refused (login_required), a fresh one passes the maxAge check', async () => {
      const tenMinutesAgo = now() - 600;
      const { user, browser, config } = await signedIn(tenMinutesAgo);

      // The login UI answers with the same ten-minute-old authentication: not good enough for max_age=60.
      const stale = await codeRequest({ max_age: '60' });
      const staleRun = await drive(ui, browser, oidc.buildAuthorizationUrl(config, stale.params), user.sub, { authTime: tenMinutesAgo });
      expect(staleRun.kinds).toEqual(['login']);
      expect(staleRun.interactions[0].info['max_age']).toBe(60);
      await expect(oidc.authorizationCodeGrant(config, new URL(locationOf(staleRun.response)), { ...stale.checks, maxAge: 60 })).rejects.toMatchObject({
        error: 'login_required',
      });

      const before = now();
      const fresh = await openidClientCodeFlow(config, browser, user.sub, { max_age: '60' }, { maxAge: 60 });
      expect(fresh.kinds).toEqual(['login']);
      expect(fresh.claims.auth_time).toBeGreaterThanOrEqual(before);
    });

    it('id_token_hint with prompt=none: the signed-in user gets a code; another user gets login_required', async () => {
      const a = await signedIn();
      const silent = await openidClientCodeFlow(a.config, a.browser, a.user.sub, { prompt: 'none', id_token_hint: a.first.tokens.id_token as string });
      expect(silent.kinds).toEqual([]);
      expect(silent.claims.sub).toBe(a.user.sub);

      const b = await signedIn();
      const request = await codeRequest({ prompt: 'none', id_token_hint: b.first.tokens.id_token as string });
      const { response, kinds } = await drive(ui, a.browser, oidc.buildAuthorizationUrl(a.config, request.params), a.user.sub);
      expect(kinds).toEqual([]);
      await expect(oidc.authorizationCodeGrant(a.config, new URL(locationOf(response)), request.checks)).rejects.toMatchObject({
        name: 'AuthorizationResponseError',
        error: 'login_required',
      });
    });
  });

  it('claims parameter: an essential email for the ID token and a name for UserInfo, with scope openid alone', async () => {
    const user = newUser();
    const config = await openidClient('web');
    const claimsRequest = JSON.stringify({ id_token: { email: { essential: true } }, userinfo: { name: null } });
    const { tokens, claims, interactions } = await openidClientCodeFlow(config, new TestBrowser(), user.sub, { scope: 'openid', claims: claimsRequest });
    expect(interactions.find((i) => i.kind === 'consent')?.info['requested_claims']).toEqual({ id_token: ['email'], userinfo: ['name'] });
    expect(claims).toMatchObject({ sub: user.sub, email: user.profile['email'] });
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ sub: user.sub, name: user.profile['name'] });
    // Only what was asked for: scope openid releases no profile or email claims of its own.
    expect(userinfo['email']).toBeUndefined();
  });
});
