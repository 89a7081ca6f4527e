import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import * as oauth from 'oauth4webapi';
import { createPostgresDatabase, eventually, locationOf, ScriptedLoginUi, TestBrowser } from '@tessera/test-kit';
import type { DatabaseEngine } from '@tessera/runtime';
import { e2eEngines } from './support/engines';
import { EventPublisher, type PlatformDatabase } from './support/event-publisher';
import { FakeUserDirectory } from './support/fake-user-directory';
import { startPlatform, type RunningPlatform } from './support/platform';

/** Code-flow clients redirect to loopback (never contacted: the test reads the redirect). */
const REDIRECT = 'http://127.0.0.1:9/callback';
/** Clients that get tokens from the authorization endpoint must register https (the browser never follows it). */
const HTTPS_REDIRECT = 'https://rp.example.com/callback';
const opts = { [oauth.allowInsecureRequests]: true } as const;
const insecure = { execute: [oidc.allowInsecureRequests] };

interface Registered {
  client_id: string;
  client_secret: string;
}

const now = () => Math.floor(Date.now() / 1000);

/** The payload of a compact JWS, for the claims a library has already verified. */
const jwtPart = (jwt: string, index: 0 | 1): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[index], 'base64url').toString());

/** OIDC Core §3.1.3.6: left half of the SHA-256 of the ASCII value, base64url (RS256/ES256/PS256). */
const halfSha256 = (value: string) => createHash('sha256').update(value).digest().subarray(0, 16).toString('base64url');

describe.each(e2eEngines())('OpenID Connect with real relying parties on %s', (engine: DatabaseEngine) => {
  let platform: RunningPlatform;
  let directory: FakeUserDirectory;
  let database: PlatformDatabase;
  let dropDatabase: (() => Promise<void>) | undefined;
  let ui: ScriptedLoginUi;
  let issuer: URL;
  let as: oauth.AuthorizationServer;
  const clients: Record<string, Registered> = {};
  let userCounter = 0;

  beforeAll(async () => {
    directory = await FakeUserDirectory.start();
    const env: Record<string, string> = { TESSERA_AUTH_SERVICE_URL: directory.url };
    if (engine === 'postgres') {
      // Created here rather than by startPlatform, so that the test can write the platform's outbox.
      const created = await createPostgresDatabase();
      env['DATABASE_URL'] = created.url;
      if (process.env['REDIS_URL']) env['REDIS_URL'] = process.env['REDIS_URL'];
      dropDatabase = created.drop;
    }
    platform = await startPlatform({ env });
    database = engine === 'postgres' ? { engine, url: env['DATABASE_URL'] } : { engine, dataDir: platform.dataDir };
    // From here on the directory accepts only the token service's own credential.
    directory.trust(readFileSync(join(platform.dataDir, 'internal.secret'), 'utf8').trim());
    ui = new ScriptedLoginUi(platform);
    issuer = new URL(platform.issuer);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...opts }));

    const code = {
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [REDIRECT],
      allowed_scopes: ['openid', 'profile', 'email', 'phone', 'offline_access'],
    };
    const implicit = { redirect_uris: [HTTPS_REDIRECT], allowed_scopes: ['openid', 'profile', 'email'] };
    const register = async (name: string, metadata: Record<string, unknown>) => {
      const res = await platform.internal<Registered>('POST', '/internal/clients', { client_name: name, ...metadata });
      if (res.status !== 201 && res.status !== 200) throw new Error(`registering ${name}: ${res.status} ${JSON.stringify(res.body)}`);
      clients[name] = res.body;
    };
    await register('web', code);
    await register('spa', { ...code, token_endpoint_auth_method: 'none' });
    await register('es256', { ...code, id_token_signed_response_alg: 'ES256' });
    await register('ps256', { ...code, id_token_signed_response_alg: 'PS256' });
    await register('eddsa', { ...code, id_token_signed_response_alg: 'EdDSA' });
    await register('signed-userinfo', { ...code, userinfo_signed_response_alg: 'RS256' });
    await register('pairwise', { ...code, subject_type: 'pairwise' });
    await register('hybrid', { ...implicit, grant_types: ['authorization_code', 'implicit'], response_types: ['code id_token'] });
    await register('implicit', { ...implicit, grant_types: ['implicit'], response_types: ['id_token'], token_endpoint_auth_method: 'none' });
  });

  afterAll(async () => {
    await platform?.stop();
    await dropDatabase?.();
    await directory?.stop();
  });

  /** A user known to the directory, with a full profile (and a phone number no test asks for). */
  function newUser(): { sub: string; profile: Record<string, unknown> } {
    const sub = `oidc-user-${++userCounter}`;
    directory.set(sub, {
      name: `Ada Lovelace ${userCounter}`,
      given_name: 'Ada',
      family_name: 'Lovelace',
      preferred_username: `ada${userCounter}`,
      locale: 'en-GB',
      updated_at: 1_700_000_000,
      email: `ada${userCounter}@example.com`,
      email_verified: true,
      phone_number: '+44 20 7946 0000',
      phone_number_verified: false,
    });
    return { sub, profile: directory.claimsOf(sub) as Record<string, unknown> };
  }

  /** The claims `openid profile email` releases to UserInfo: everything but the phone. */
  const profileAndEmail = (profile: Record<string, unknown>) => {
    const { phone_number: _p, phone_number_verified: _v, ...rest } = profile;
    return rest;
  };

  /**
   * Plays the browser and the login/consent UI (as the portal would) from an authorization URL
   * to the client's redirect, and says whether a login was asked for.
   */
  async function authorize(browser: TestBrowser, url: string | URL, sub: string, login: { authTime?: number } = {}) {
    let location = locationOf(await browser.get(url.toString()));
    let loggedIn = false;
    if (location.includes('login_challenge=')) {
      const accepted = await ui.acceptLogin(browser, location, { sub, authTime: login.authTime });
      expect(accepted.status).toBe(200);
      location = locationOf(await browser.get(accepted.body['redirect_to'] as string));
      loggedIn = true;
    }
    if (location.includes('consent_challenge=')) {
      const info = await ui.read(ui.challengeOf(location, 'consent'));
      const accepted = await ui.acceptConsent(browser, location, { grantScope: info.body['requested_scope'] as string[], remember: true });
      expect(accepted.status).toBe(200);
      location = locationOf(await browser.get(accepted.body['redirect_to'] as string));
    }
    return { callback: new URL(location), loggedIn };
  }

  const openidClient = (name: string, metadata: Partial<oidc.ClientMetadata> = {}, execute: ((c: oidc.Configuration) => void)[] = []) => {
    const client = clients[name];
    const auth = client.client_secret ? oidc.ClientSecretBasic() : oidc.None();
    return oidc.discovery(issuer, client.client_id, { client_secret: client.client_secret, ...metadata }, auth, {
      execute: [oidc.allowInsecureRequests, ...execute],
    });
  };

  /** openid-client, code + PKCE + nonce + state, from the authorization URL to the token response. */
  async function openidClientCodeFlow(config: oidc.Configuration, browser: TestBrowser, sub: string, extra: Record<string, string> = {}, checks: { maxAge?: number } = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    });
    const { callback, loggedIn } = await authorize(browser, url, sub);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, ...checks });
    return { tokens, claims: tokens.claims() as oauth.IDToken, nonce, loggedIn };
  }

  /** oauth4webapi, code + PKCE + nonce + state, up to the validated token response. */
  async function oauth4webapiCodeFlow(name: string, client: oauth.Client, browser: TestBrowser, sub: string, extra: Record<string, string> = {}, maxAge?: number) {
    const secret = clients[name].client_secret;
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const url = new URL(as.authorization_endpoint as string);
    url.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid profile email',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    }).toString();
    const { callback, loggedIn } = await authorize(browser, url, sub);
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const auth = secret ? oauth.ClientSecretBasic(secret) : oauth.None();
    const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT, verifier, opts);
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true, ...(maxAge === undefined ? {} : { maxAge }) });
    return { result, claims: oauth.getValidatedIdTokenClaims(result) as oauth.IDToken, loggedIn };
  }

  it('discovery: both libraries accept the OpenID Provider metadata, which lists the OIDC features', async () => {
    const config = await oidc.discovery(issuer, clients['web'].client_id, clients['web'].client_secret, oidc.ClientSecretBasic(), insecure);
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(platform.issuer);
    expect(as.issuer).toBe(platform.issuer);
    expect(metadata).toMatchObject({
      userinfo_endpoint: `${platform.issuer}/oauth2/userinfo`,
      jwks_uri: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/oauth2\/jwks$/),
      claims_parameter_supported: true,
    });
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email']));
    expect(metadata.response_types_supported).toEqual(expect.arrayContaining(['code', 'id_token', 'code id_token']));
    expect(metadata.subject_types_supported).toEqual(expect.arrayContaining(['public', 'pairwise']));
    expect(metadata.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256', 'ES256', 'PS256', 'EdDSA']));
    expect(metadata.userinfo_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256']));
    expect(metadata.claims_supported).toEqual(expect.arrayContaining(['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'name', 'email', 'email_verified']));
    // The JWKS publishes a key for every ID token algorithm it advertises.
    const jwks = (await (await fetch(metadata.jwks_uri as string)).json()) as { keys: { alg: string; kid: string; use: string }[] };
    for (const alg of ['RS256', 'ES256', 'PS256', 'EdDSA']) expect(jwks.keys).toContainEqual(expect.objectContaining({ alg, use: 'sig', kid: expect.any(String) }));
  });

  it('openid-client: code + PKCE with openid profile email, the ID token verified, then UserInfo from the directory', async () => {
    const user = newUser();
    const config = await openidClient('web');
    const { tokens, claims, nonce } = await openidClientCodeFlow(config, new TestBrowser(), user.sub);
    expect(claims).toMatchObject({ iss: platform.issuer, aud: clients['web'].client_id, sub: user.sub, nonce });
    expect(jwtPart(tokens.id_token as string, 0)).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
    // at_hash binds the ID token to the access token issued with it (OIDC Core §3.1.3.6).
    expect(claims.at_hash).toBe(halfSha256(tokens.access_token));

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo).toEqual({ ...profileAndEmail(user.profile), sub: user.sub });
    // Every directory call carried the token service's own credential.
    expect(directory.requests().filter((r) => r.sub === user.sub)).toEqual(expect.arrayContaining([{ sub: user.sub, status: 200 }]));
    expect(directory.requests().filter((r) => r.status === 401)).toEqual([]);
  });

  it('oauth4webapi: public client, code + PKCE + nonce, a claims request for the ID token, then UserInfo', async () => {
    const user = newUser();
    const client: oauth.Client = { client_id: clients['spa'].client_id };
    const claimsRequest = JSON.stringify({ id_token: { email: { essential: true }, name: null } });
    const { result, claims } = await oauth4webapiCodeFlow('spa', client, new TestBrowser(), user.sub, { claims: claimsRequest });
    expect(claims).toMatchObject({ iss: platform.issuer, aud: client.client_id, sub: user.sub, email: user.profile['email'], name: user.profile['name'] });
    expect(claims['phone_number']).toBeUndefined();

    const response = await oauth.userInfoRequest(as, client, result.access_token, opts);
    const userinfo = await oauth.processUserInfoResponse(as, client, claims.sub, response);
    expect(userinfo).toEqual({ ...profileAndEmail(user.profile), sub: user.sub });
  });

  it('max_age: an older session means a new login, a recent one does not; both libraries check auth_time', async () => {
    const user = newUser();
    const browser = new TestBrowser();
    const config = await openidClient('web');
    // A first sign-in ten minutes ago (no max_age asked then).
    const tenMinutesAgo = now() - 600;
    const firstUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      nonce: oidc.randomNonce(),
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const first = await authorize(browser, firstUrl, user.sub, { authTime: tenMinutesAgo });
    expect(first.loggedIn).toBe(true);

    // max_age=60 < 10 minutes: the provider must ask for a login again, and auth_time is the new one.
    const before = now();
    const renewed = await openidClientCodeFlow(config, browser, user.sub, { max_age: '60' }, { maxAge: 60 });
    expect(renewed.loggedIn).toBe(true);
    expect(renewed.claims.auth_time).toBeGreaterThanOrEqual(before);

    // The session is now recent: max_age=300 is satisfied without a login, with the same auth_time.
    const silent = await oauth4webapiCodeFlow('web', { client_id: clients['web'].client_id }, browser, user.sub, { max_age: '300' }, 300);
    expect(silent.loggedIn).toBe(false);
    expect(silent.claims.auth_time).toBe(renewed.claims.auth_time);
  });

  it.each(['ES256', 'PS256', 'EdDSA'])('id_token_signed_response_alg %s: both libraries verify the ID token', async (alg) => {
    const name = alg.toLowerCase();
    const user = newUser();
    const browser = new TestBrowser();
    const config = await openidClient(name, { id_token_signed_response_alg: alg });
    const viaOpenidClient = await openidClientCodeFlow(config, browser, user.sub);
    expect(jwtPart(viaOpenidClient.tokens.id_token as string, 0)['alg']).toBe(alg);
    expect(viaOpenidClient.claims.sub).toBe(user.sub);

    const client: oauth.Client = { client_id: clients[name].client_id, id_token_signed_response_alg: alg };
    const viaOauth4webapi = await oauth4webapiCodeFlow(name, client, browser, user.sub);
    expect(jwtPart(viaOauth4webapi.result.id_token as string, 0)['alg']).toBe(alg);
    expect(viaOauth4webapi.claims.sub).toBe(user.sub);
  });

  it('userinfo_signed_response_alg RS256: both libraries accept the signed UserInfo response', async () => {
    const user = newUser();
    const browser = new TestBrowser();
    const config = await openidClient('signed-userinfo', { userinfo_signed_response_alg: 'RS256' });
    const { tokens, claims } = await openidClientCodeFlow(config, browser, user.sub);
    const viaOpenidClient = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(viaOpenidClient).toMatchObject({ ...profileAndEmail(user.profile), sub: user.sub });

    const client: oauth.Client = { client_id: clients['signed-userinfo'].client_id, userinfo_signed_response_alg: 'RS256' };
    const response = await oauth.userInfoRequest(as, client, tokens.access_token, opts);
    expect(response.headers.get('content-type')).toMatch(/^application\/jwt/);
    const viaOauth4webapi = await oauth.processUserInfoResponse(as, client, claims.sub, response);
    // processUserInfoResponse checks iss, aud and alg; the signature is checked separately.
    await oauth.validateApplicationLevelSignature(as, response, opts);
    expect(viaOauth4webapi).toMatchObject({ ...profileAndEmail(user.profile), sub: user.sub, iss: platform.issuer, aud: client.client_id });
  });

  it('openid-client: a refreshed ID token passes the library checks, same sub and original auth_time', async () => {
    const user = newUser();
    const config = await openidClient('web');
    const { tokens, claims } = await openidClientCodeFlow(config, new TestBrowser(), user.sub, { scope: 'openid profile offline_access', prompt: 'consent' });
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    const again = refreshed.claims();
    expect(again).toBeDefined();
    expect(again).toMatchObject({ iss: claims.iss, sub: claims.sub, aud: claims.aud, auth_time: claims.auth_time });
    expect(again?.iat).toBeGreaterThanOrEqual(claims.iat);
    expect(again?.azp).toBe(claims.azp);
    expect(again?.at_hash).toBe(halfSha256(refreshed.access_token));
    const userinfo = await oidc.fetchUserInfo(config, refreshed.access_token, claims.sub);
    expect(userinfo.sub).toBe(user.sub);
  });

  it('hybrid code id_token: oauth4webapi validates the front-channel ID token (c_hash) and the code exchange', async () => {
    const user = newUser();
    const client: oauth.Client = { client_id: clients['hybrid'].client_id };
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const url = new URL(as.authorization_endpoint as string);
    url.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: HTTPS_REDIRECT,
      response_type: 'code id_token',
      scope: 'openid profile',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    }).toString();
    const { callback } = await authorize(new TestBrowser(), url, user.sub);
    // Fragment by default for a response carrying an ID token.
    expect(callback.search).toBe('');
    const params = await oauth.validateCodeIdTokenResponse(as, client, callback, nonce, state, undefined, opts);
    const frontChannel = jwtPart(callback.hash.slice(1).split('&').find((p) => p.startsWith('id_token='))?.slice('id_token='.length) as string, 1);
    expect(frontChannel).toMatchObject({ sub: user.sub, nonce, c_hash: halfSha256(params.get('code') as string) });

    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(clients['hybrid'].client_secret), params, HTTPS_REDIRECT, verifier, opts);
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
    expect(oauth.getValidatedIdTokenClaims(result)).toMatchObject({ sub: user.sub, nonce, auth_time: frontChannel['auth_time'] });
  });

  it('hybrid code id_token with openid-client (useCodeIdTokenResponseType)', async () => {
    const user = newUser();
    const config = await openidClient('hybrid', { redirect_uris: [HTTPS_REDIRECT] }, [oidc.useCodeIdTokenResponseType]);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: HTTPS_REDIRECT,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    expect(url.searchParams.get('response_type')).toBe('code id_token');
    const { callback } = await authorize(new TestBrowser(), url, user.sub);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    expect(tokens.claims()).toMatchObject({ sub: user.sub, nonce, aud: clients['hybrid'].client_id });
  });

  it('implicit id_token: openid-client validates the ID token, which carries the scope claims', async () => {
    const user = newUser();
    const config = await openidClient('implicit', {}, [oidc.useIdTokenResponseType]);
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: HTTPS_REDIRECT, scope: 'openid profile email', state, nonce });
    expect(url.searchParams.get('response_type')).toBe('id_token');
    const { callback } = await authorize(new TestBrowser(), url, user.sub);
    const claims = await oidc.implicitAuthentication(config, callback, nonce, { expectedState: state });
    expect(claims).toMatchObject({ iss: platform.issuer, aud: clients['implicit'].client_id, sub: user.sub, nonce });
    // No access token to call UserInfo with, so the scopes' claims are in the ID token (OIDC Core §5.4).
    expect(claims).toMatchObject(profileAndEmail(user.profile));
    expect(claims['phone_number']).toBeUndefined();
  });

  it('pairwise client: both libraries accept; sub is not the user id and is stable across logins', async () => {
    const user = newUser();
    const config = await openidClient('pairwise');
    const first = await openidClientCodeFlow(config, new TestBrowser(), user.sub);
    expect(first.loggedIn).toBe(true);
    expect(first.claims.sub).not.toBe(user.sub);
    expect(first.claims.sub).not.toContain(user.sub);
    // UserInfo agrees with the ID token (fetchUserInfo insists on the same sub).
    expect((await oidc.fetchUserInfo(config, first.tokens.access_token, first.claims.sub)).email).toBe(user.profile['email']);

    // A second login in another browser: the same pairwise subject.
    const client: oauth.Client = { client_id: clients['pairwise'].client_id };
    const second = await oauth4webapiCodeFlow('pairwise', client, new TestBrowser(), user.sub);
    expect(second.loggedIn).toBe(true);
    expect(second.claims.sub).toBe(first.claims.sub);
    const userinfo = await oauth.processUserInfoResponse(as, client, second.claims.sub, await oauth.userInfoRequest(as, client, second.result.access_token, opts));
    expect(userinfo.sub).toBe(first.claims.sub);

    // A public-subject client sees the user id itself.
    const publicSub = (await openidClientCodeFlow(await openidClient('web'), new TestBrowser(), user.sub)).claims.sub;
    expect(publicSub).toBe(user.sub);
  });

  it('prompt=none: login_required without a session through both libraries; silent with one', async () => {
    const config = await openidClient('web');
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', prompt: 'none', state, nonce: oidc.randomNonce() });
    const callback = new URL(locationOf(await new TestBrowser().get(url.href)));
    await expect(oidc.authorizationCodeGrant(config, callback, { expectedState: state })).rejects.toMatchObject({ error: 'login_required' });
    expect(() => oauth.validateAuthResponse(as, { client_id: clients['web'].client_id }, callback, state)).toThrow(
      expect.objectContaining({ error: 'login_required' }) as unknown as Error,
    );

    // With a session and the previous ID token as id_token_hint, prompt=none answers at once.
    const user = newUser();
    const browser = new TestBrowser();
    const first = await openidClientCodeFlow(config, browser, user.sub);
    const silent = await openidClientCodeFlow(config, browser, user.sub, { prompt: 'none', id_token_hint: first.tokens.id_token as string });
    expect(silent.loggedIn).toBe(false);
    expect(silent.claims).toMatchObject({ sub: user.sub, auth_time: first.claims.auth_time });
  });

  it('user.updated: the next UserInfo answer shows the directory change once the platform receives the event', async () => {
    const user = newUser();
    const config = await openidClient('web');
    const { tokens, claims } = await openidClientCodeFlow(config, new TestBrowser(), user.sub);
    expect((await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)).name).toBe(user.profile['name']);

    directory.update(user.sub, { name: 'Ada King, Countess of Lovelace', updated_at: 1_800_000_000 });
    // The premise: the platform caches a user's claims, so without the event it still answers the old name.
    expect((await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)).name).toBe(user.profile['name']);

    const publisher = await EventPublisher.open(database);
    try {
      await publisher.publish('user.updated', { sub: user.sub });
    } finally {
      await publisher.close();
    }
    await eventually(
      async () => {
        const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        expect(userinfo).toMatchObject({ sub: user.sub, name: 'Ada King, Countess of Lovelace', updated_at: 1_800_000_000 });
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
  });
});
