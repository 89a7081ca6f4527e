import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import * as oauth from 'oauth4webapi';
import { locationOf, ScriptedLoginUi, TestBrowser } from '@tessera/test-kit';
import type { DatabaseEngine } from '@tessera/runtime';
import { e2eEngines } from './support/engines';
import { FakeUserDirectory } from './support/fake-user-directory';
import { startPlatform, type RunningPlatform } from './support/platform';

/** Clients that get tokens from the authorization endpoint must register https (the browser never follows it). */
const HTTPS_REDIRECT = 'https://rp.example.com/callback';
const opts = { [oauth.allowInsecureRequests]: true } as const;

interface Registered {
  client_id: string;
  client_secret?: string;
}

/** The payload of a compact JWS, for the claims a library has already verified. */
const jwtPayload = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

/** OIDC Core §3.3.2.11: left half of the SHA-256 of the ASCII value, base64url (RS256). */
const halfSha256 = (value: string) =>
  createHash('sha256').update(value).digest().subarray(0, 16).toString('base64url');

/** The fragment of a callback with one parameter replaced (a tampered front-channel response). */
function withFragmentParam(callback: URL, name: string, value: string): URL {
  const tampered = new URL(callback.href);
  const fragment = new URLSearchParams(callback.hash.slice(1));
  fragment.set(name, value);
  tampered.hash = fragment.toString();
  return tampered;
}

describe.each(e2eEngines())(
  'OpenID Connect response types returning tokens from the authorization endpoint, with strict RPs, on %s',
  (engine: DatabaseEngine) => {
    let platform: RunningPlatform;
    let directory: FakeUserDirectory;
    let ui: ScriptedLoginUi;
    let issuer: URL;
    let as: oauth.AuthorizationServer;
    const clients: Record<string, Registered> = {};
    let userCounter = 0;

    beforeAll(async () => {
      directory = await FakeUserDirectory.start();
      platform = await startPlatform({ engine, env: { TESSERA_AUTH_SERVICE_URL: directory.url } });
      directory.trust(readFileSync(join(platform.dataDir, 'internal.secret'), 'utf8').trim());
      ui = new ScriptedLoginUi(platform);
      issuer = new URL(platform.issuer);
      as = await oauth.processDiscoveryResponse(
        issuer,
        await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...opts }),
      );

      const base = { redirect_uris: [HTTPS_REDIRECT], allowed_scopes: ['openid', 'profile', 'email'] };
      const hybrid = { ...base, grant_types: ['authorization_code', 'implicit'] };
      const entries: [string, Record<string, unknown>][] = [
        ['code token', { ...hybrid, response_types: ['code token'] }],
        ['code id_token token', { ...hybrid, response_types: ['code id_token token'] }],
        [
          'id_token token',
          {
            ...base,
            grant_types: ['implicit'],
            response_types: ['id_token token'],
            token_endpoint_auth_method: 'none',
          },
        ],
        [
          'every type',
          {
            ...hybrid,
            response_types: [
              'code',
              'id_token',
              'id_token token',
              'code id_token',
              'code token',
              'code id_token token',
            ],
          },
        ],
      ];
      for (const [name, metadata] of entries) {
        const res = await platform.internal<Registered>('POST', '/internal/clients', {
          client_name: name,
          ...metadata,
        });
        if (res.status !== 201 && res.status !== 200)
          throw new Error(`registering ${name}: ${res.status} ${JSON.stringify(res.body)}`);
        clients[name] = res.body;
      }
    });

    afterAll(async () => {
      await platform?.stop();
      await directory?.stop();
    });

    function newUser(): { sub: string; profile: Record<string, unknown> } {
      const sub = `response-types-user-${++userCounter}`;
      directory.set(sub, {
        name: `Katherine Johnson ${userCounter}`,
        given_name: 'Katherine',
        family_name: 'Johnson',
        email: `katherine${userCounter}@example.com`,
        email_verified: true,
      });
      return { sub, profile: directory.claimsOf(sub) as Record<string, unknown> };
    }

    const clientAuth = (name: string) => {
      const secret = clients[name].client_secret;
      return secret ? oauth.ClientSecretBasic(secret) : oauth.None();
    };

    const openidClient = (name: string, execute: ((c: oidc.Configuration) => void)[] = []) => {
      const { client_id, client_secret } = clients[name];
      const auth = client_secret ? oidc.ClientSecretBasic() : oidc.None();
      return oidc.discovery(issuer, client_id, { client_secret, redirect_uris: [HTTPS_REDIRECT] }, auth, {
        execute: [oidc.allowInsecureRequests, ...execute],
      });
    };

    /** Fresh PKCE (for the types with a code), state and nonce, as authorization request parameters. */
    async function request(clientName: string, responseType: string, extra: Record<string, string> = {}) {
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const nonce = oauth.generateRandomNonce();
      const params: Record<string, string> = {
        client_id: clients[clientName].client_id,
        redirect_uri: HTTPS_REDIRECT,
        response_type: responseType,
        scope: 'openid profile email',
        state,
        nonce,
        ...(responseType.split(' ').includes('code')
          ? {
              code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
              code_challenge_method: 'S256',
            }
          : {}),
        ...extra,
      };
      const url = new URL(as.authorization_endpoint as string);
      url.search = new URLSearchParams(params).toString();
      return { url, verifier, state, nonce };
    }

    /** Plays the browser and the login/consent UI (as the portal would) up to the redirect to the client. */
    async function authorize(browser: TestBrowser, url: URL, sub: string): Promise<URL> {
      let location = locationOf(await browser.get(url.href));
      if (location.includes('login_challenge=')) {
        const accepted = await ui.acceptLogin(browser, location, { sub });
        expect(accepted.status).toBe(200);
        location = locationOf(await browser.get(accepted.body['redirect_to'] as string));
      }
      if (location.includes('consent_challenge=')) {
        const info = await ui.read(ui.challengeOf(location, 'consent'));
        const accepted = await ui.acceptConsent(browser, location, {
          grantScope: info.body['requested_scope'] as string[],
          remember: true,
        });
        expect(accepted.status).toBe(200);
        location = locationOf(await browser.get(accepted.body['redirect_to'] as string));
      }
      const callback = new URL(location);
      expect(callback.origin + callback.pathname).toBe(HTTPS_REDIRECT);
      // Fragment by default for every response type that returns a token (Multiple Response Types §5).
      expect(callback.search).toBe('');
      return callback;
    }

    /** The front-channel access token: a bearer token with a lifetime. */
    function frontChannelAccessToken(callback: URL): string {
      const fragment = new URLSearchParams(callback.hash.slice(1));
      expect(fragment.get('token_type')).toMatch(/^bearer$/i);
      expect(Number(fragment.get('expires_in'))).toBeGreaterThan(0);
      const accessToken = fragment.get('access_token');
      expect(accessToken).toEqual(expect.any(String));
      return accessToken as string;
    }

    /** oauth4webapi: the code exchange, whose ID token must carry the request's nonce (OIDC Core §3.3.3.6). */
    async function exchange(clientName: string, params: URLSearchParams, verifier: string, nonce: string) {
      const client: oauth.Client = { client_id: clients[clientName].client_id };
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        clientAuth(clientName),
        params,
        HTTPS_REDIRECT,
        verifier,
        opts,
      );
      const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
        expectedNonce: nonce,
        requireIdToken: true,
      });
      const claims = oauth.getValidatedIdTokenClaims(result) as oauth.IDToken;
      // oauth4webapi does not check at_hash; the token endpoint's ID token binds its own access token.
      expect(claims.at_hash).toBe(halfSha256(result.access_token));
      return { result, claims };
    }

    /** oauth4webapi: UserInfo with an access token, the answer's sub checked against the ID token's. */
    async function userInfo(clientName: string, accessToken: string, expectedSubject: string) {
      const client: oauth.Client = { client_id: clients[clientName].client_id };
      return oauth.processUserInfoResponse(
        as,
        client,
        expectedSubject,
        await oauth.userInfoRequest(as, client, accessToken, opts),
      );
    }

    it('discovery advertises every response type, and fragment and form_post as response modes', () => {
      expect(as.response_types_supported).toEqual(
        expect.arrayContaining(['code token', 'code id_token token', 'id_token token']),
      );
      expect(as.response_modes_supported).toEqual(expect.arrayContaining(['fragment', 'form_post']));
    });

    describe('code token', () => {
      it('oauth4webapi validates the fragment and exchanges the code; the front-channel access token works at UserInfo for the ID token sub', async () => {
        const user = newUser();
        const { url, verifier, state, nonce } = await request('code token', 'code token');
        const callback = await authorize(new TestBrowser(), url, user.sub);
        const fragment = new URLSearchParams(callback.hash.slice(1));
        // No ID token from the authorization endpoint for this type (OIDC Core §3.3.2.5).
        expect(fragment.get('id_token')).toBeNull();
        expect(fragment.get('code')).toEqual(expect.any(String));
        const accessToken = frontChannelAccessToken(callback);

        // validateAuthResponse checks iss and state; it refuses only `id_token`/`token` members, not `access_token`.
        const client: oauth.Client = { client_id: clients['code token'].client_id };
        const params = oauth.validateAuthResponse(as, client, fragment, state);
        const { result, claims } = await exchange('code token', params, verifier, nonce);
        expect(claims).toMatchObject({ iss: platform.issuer, aud: client.client_id, sub: user.sub, nonce });

        const viaFrontChannel = await userInfo('code token', accessToken, claims.sub);
        expect(viaFrontChannel).toMatchObject({
          sub: user.sub,
          name: user.profile['name'],
          email: user.profile['email'],
        });
        // The back-channel access token answers for the same user.
        expect((await userInfo('code token', result.access_token, claims.sub)).sub).toBe(user.sub);
      });

      it('oauth4webapi refuses the fragment with a wrong state or a foreign iss', async () => {
        const user = newUser();
        const { url, state } = await request('code token', 'code token');
        const callback = await authorize(new TestBrowser(), url, user.sub);
        const client: oauth.Client = { client_id: clients['code token'].client_id };
        const fragment = new URLSearchParams(callback.hash.slice(1));
        expect(() => oauth.validateAuthResponse(as, client, fragment, oauth.generateRandomState())).toThrow(
          /unexpected "state" response parameter value/,
        );
        const foreign = new URLSearchParams(
          withFragmentParam(callback, 'iss', 'https://attacker.example.com').hash.slice(1),
        );
        expect(() => oauth.validateAuthResponse(as, client, foreign, state)).toThrow(
          /unexpected "iss" \(issuer\) response parameter value/,
        );
        // The untouched fragment passes.
        expect(oauth.validateAuthResponse(as, client, fragment, state).get('code')).toBe(
          fragment.get('code'),
        );
      });
    });

    describe('code id_token token', () => {
      it('oauth4webapi validateCodeIdTokenResponse (signature, iss, aud, nonce, c_hash), at_hash, the code exchange and UserInfo with the front-channel access token', async () => {
        const user = newUser();
        const name = 'code id_token token';
        const client: oauth.Client = { client_id: clients[name].client_id };
        const { url, verifier, state, nonce } = await request(name, name);
        const callback = await authorize(new TestBrowser(), url, user.sub);
        const accessToken = frontChannelAccessToken(callback);

        // Accepts the extra access_token member; verifies the ID token's signature with the jwks_uri keys,
        // iss, aud, exp/iat, nonce, and c_hash against the code.
        const params = await oauth.validateCodeIdTokenResponse(
          as,
          client,
          callback,
          nonce,
          state,
          undefined,
          opts,
        );
        const frontChannel = jwtPayload(
          new URLSearchParams(callback.hash.slice(1)).get('id_token') as string,
        );
        expect(frontChannel).toMatchObject({
          iss: platform.issuer,
          aud: client.client_id,
          sub: user.sub,
          nonce,
          c_hash: halfSha256(params.get('code') as string),
        });
        // Neither library checks at_hash (openid-client neither: it validates the ID token of an implicit
        // response with a decoy access token), so it is computed here: REQUIRED for this type (§3.3.2.11).
        expect(frontChannel['at_hash']).toBe(halfSha256(accessToken));

        const { claims } = await exchange(name, params, verifier, nonce);
        // OIDC Core §3.3.3.6: iss and sub identical to the front-channel ID token's.
        expect(claims).toMatchObject({
          iss: frontChannel['iss'],
          sub: frontChannel['sub'],
          aud: client.client_id,
          nonce,
          auth_time: frontChannel['auth_time'],
        });

        const userinfo = await userInfo(name, accessToken, frontChannel['sub'] as string);
        expect(userinfo).toMatchObject({
          sub: user.sub,
          name: user.profile['name'],
          email: user.profile['email'],
        });
      });

      it('openid-client (useCodeIdTokenResponseType) validates the fragment and exchanges the code; fetchUserInfo with the front-channel access token', async () => {
        const user = newUser();
        const name = 'code id_token token';
        const config = await openidClient(name, [oidc.useCodeIdTokenResponseType]);
        const verifier = oidc.randomPKCECodeVerifier();
        const state = oidc.randomState();
        const nonce = oidc.randomNonce();
        const url = oidc.buildAuthorizationUrl(config, {
          redirect_uri: HTTPS_REDIRECT,
          response_type: name,
          scope: 'openid profile email',
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
          nonce,
        });
        expect(url.searchParams.get('response_type')).toBe(name);
        const callback = await authorize(new TestBrowser(), url, user.sub);
        const accessToken = frontChannelAccessToken(callback);

        const tokens = await oidc.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: verifier,
          expectedState: state,
          expectedNonce: nonce,
        });
        const claims = tokens.claims() as oidc.IDToken;
        expect(claims).toMatchObject({
          iss: platform.issuer,
          aud: clients[name].client_id,
          sub: user.sub,
          nonce,
        });
        expect(
          jwtPayload(new URLSearchParams(callback.hash.slice(1)).get('id_token') as string)['at_hash'],
        ).toBe(halfSha256(accessToken));

        const userinfo = await oidc.fetchUserInfo(config, accessToken, claims.sub);
        expect(userinfo).toMatchObject({ sub: user.sub, email: user.profile['email'] });
      });

      it("both libraries refuse another flow's code swapped into the fragment (c_hash), and a wrong state", async () => {
        const user = newUser();
        const name = 'code id_token token';
        const client: oauth.Client = { client_id: clients[name].client_id };
        const browser = new TestBrowser();
        const victim = await request(name, name);
        const callback = await authorize(browser, victim.url, user.sub);
        // A second flow in the same session (no login or consent this time) yields another code.
        const other = await request(name, name);
        const otherCode = new URLSearchParams(
          (await authorize(browser, other.url, user.sub)).hash.slice(1),
        ).get('code') as string;
        expect(otherCode).not.toBe(new URLSearchParams(callback.hash.slice(1)).get('code'));
        const swapped = withFragmentParam(callback, 'code', otherCode);

        await expect(
          oauth.validateCodeIdTokenResponse(as, client, swapped, victim.nonce, victim.state, undefined, opts),
        ).rejects.toMatchObject({
          code: oauth.JWT_CLAIM_COMPARISON,
          message: expect.stringContaining('c_hash'),
        });
        const config = await openidClient(name, [oidc.useCodeIdTokenResponseType]);
        // openid-client wraps oauth4webapi's error: the reason is in the cause.
        await expect(
          oidc.authorizationCodeGrant(config, swapped, {
            pkceCodeVerifier: victim.verifier,
            expectedState: victim.state,
            expectedNonce: victim.nonce,
          }),
        ).rejects.toMatchObject({
          name: 'ClientError',
          code: oauth.JWT_CLAIM_COMPARISON,
          cause: expect.objectContaining({ message: expect.stringContaining('c_hash') }),
        });
        await expect(
          oauth.validateCodeIdTokenResponse(
            as,
            client,
            callback,
            victim.nonce,
            oauth.generateRandomState(),
            undefined,
            opts,
          ),
        ).rejects.toThrow(/unexpected "state" response parameter value/);
        // The untouched fragment passes.
        await expect(
          oauth.validateCodeIdTokenResponse(
            as,
            client,
            callback,
            victim.nonce,
            victim.state,
            undefined,
            opts,
          ),
        ).resolves.toBeInstanceOf(URLSearchParams);
      });
    });

    describe('id_token token', () => {
      it('openid-client implicitAuthentication validates the ID token; at_hash binds the access token, which works at UserInfo for the same sub', async () => {
        const user = newUser();
        const name = 'id_token token';
        const config = await openidClient(name, [oidc.useIdTokenResponseType]);
        const state = oidc.randomState();
        const nonce = oidc.randomNonce();
        const url = oidc.buildAuthorizationUrl(config, {
          redirect_uri: HTTPS_REDIRECT,
          response_type: name,
          scope: 'openid profile email',
          state,
          nonce,
        });
        const callback = await authorize(new TestBrowser(), url, user.sub);
        expect(new URLSearchParams(callback.hash.slice(1)).get('code')).toBeNull();
        const accessToken = frontChannelAccessToken(callback);

        // Signature (jwks_uri), iss, aud, exp/iat, nonce and state.
        const claims = await oidc.implicitAuthentication(config, callback, nonce, { expectedState: state });
        expect(claims).toMatchObject({
          iss: platform.issuer,
          aud: clients[name].client_id,
          sub: user.sub,
          nonce,
        });
        // implicitAuthentication validates the ID token with a decoy access token, so at_hash (REQUIRED
        // for this type, OIDC Core §3.2.2.10) is checked here.
        expect(claims.at_hash).toBe(halfSha256(accessToken));

        const viaOpenidClient = await oidc.fetchUserInfo(config, accessToken, claims.sub);
        expect(viaOpenidClient).toMatchObject({
          sub: user.sub,
          name: user.profile['name'],
          email: user.profile['email'],
        });
        expect((await userInfo(name, accessToken, claims.sub)).sub).toBe(user.sub);
      });

      it("openid-client refuses a wrong state, and another flow's ID token swapped into the fragment (nonce)", async () => {
        const user = newUser();
        const name = 'id_token token';
        const config = await openidClient(name, [oidc.useIdTokenResponseType]);
        const browser = new TestBrowser();
        const flow = async () => {
          const state = oidc.randomState();
          const nonce = oidc.randomNonce();
          const url = oidc.buildAuthorizationUrl(config, {
            redirect_uri: HTTPS_REDIRECT,
            response_type: name,
            scope: 'openid',
            state,
            nonce,
          });
          return { state, nonce, callback: await authorize(browser, url, user.sub) };
        };
        const victim = await flow();
        const other = await flow();

        // openid-client wraps oauth4webapi's error: the reason is in the cause.
        await expect(
          oidc.implicitAuthentication(config, victim.callback, victim.nonce, {
            expectedState: oidc.randomState(),
          }),
        ).rejects.toMatchObject({
          name: 'ClientError',
          code: oauth.INVALID_RESPONSE,
          cause: expect.objectContaining({ message: 'unexpected "state" response parameter value' }),
        });
        const swapped = withFragmentParam(
          victim.callback,
          'id_token',
          new URLSearchParams(other.callback.hash.slice(1)).get('id_token') as string,
        );
        await expect(
          oidc.implicitAuthentication(config, swapped, victim.nonce, { expectedState: victim.state }),
        ).rejects.toMatchObject({
          name: 'ClientError',
          code: oauth.JWT_CLAIM_COMPARISON,
          cause: expect.objectContaining({ message: expect.stringContaining('"nonce"') }),
        });
        // The untouched fragment passes.
        await expect(
          oidc.implicitAuthentication(config, victim.callback, victim.nonce, { expectedState: victim.state }),
        ).resolves.toMatchObject({ sub: user.sub });
      });
    });

    it.each(['code token', 'code id_token token', 'id_token token', 'id_token', 'code id_token'])(
      'response_mode=query with %s is refused: invalid_request in the fragment, never the query, read by oauth4webapi',
      async (responseType) => {
        const client: oauth.Client = { client_id: clients['every type'].client_id };
        const { url, state } = await request('every type', responseType, { response_mode: 'query' });
        const response = await new TestBrowser().get(url.href);
        // A redirect to the client (the platform answers 303), never an error page.
        expect([302, 303]).toContain(response.status);
        const callback = new URL(locationOf(response));
        expect(callback.origin + callback.pathname).toBe(HTTPS_REDIRECT);
        expect(callback.search).toBe('');
        const fragment = new URLSearchParams(callback.hash.slice(1));
        expect(fragment.get('error_description')).toMatch(/query/);
        for (const member of ['code', 'access_token', 'id_token']) expect(fragment.get(member)).toBeNull();
        expect(() => oauth.validateAuthResponse(as, client, fragment, state)).toThrow(
          expect.objectContaining({ error: 'invalid_request' }) as unknown as Error,
        );
      },
    );
  },
);
