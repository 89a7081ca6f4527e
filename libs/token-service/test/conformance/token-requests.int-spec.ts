import { createHash, randomBytes } from 'node:crypto';
import { testEngines } from '@tessera/test-kit';
import { callbackOf, Oidc, type Json, type OidcClient } from '../oidc/support';
import { clientFor, outcomeOf, shannonBits, tokenError, validIdToken } from './support';

/** Response types of the Basic and Hybrid plans that return a code (the Implicit plan has no token request). */
const CODE_RESPONSE_TYPES = ['code', 'code id_token', 'code token', 'code id_token token'];

/**
 * The token-endpoint modules of the conformance suite's Basic OP and Hybrid OP plans (code
 * reuse, client_secret_post, refresh tokens, PKCE), one test per module and response type.
 */
describe.each(testEngines())('conformance-suite token requests (%s)', (engine) => {
  let oidc: Oidc;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
  });
  afterAll(() => oidc?.close());

  describe.each(CODE_RESPONSE_TYPES)('response_type=%s', (responseType) => {
    let client: OidcClient;

    beforeAll(async () => {
      client = await clientFor(oidc, responseType);
    });

    /** Authenticates and returns the code from the authorization response. */
    async function codeFor(c: OidcClient, params: Record<string, string> = {}): Promise<string> {
      const res = await oidc.signIn(oidc.browser(), c, { response_type: responseType, ...params }, { sub: oidc.newUser() });
      const code = callbackOf(res).params['code'];
      if (!code) throw new Error(`no code: ${JSON.stringify(callbackOf(res).params)}`);
      return code;
    }

    const redeem = (c: OidcClient, code: string, extra: Record<string, string> = {}, headers: Record<string, string> = { authorization: c.basic }) =>
      oidc.app.form('/oauth2/token', { grant_type: 'authorization_code', code, redirect_uri: c.redirect, ...extra }, headers);

    it('oidcc-codereuse: a code redeemed a second time at once gets 400 invalid_grant, as JSON', async () => {
      const code = await codeFor(client);
      expect((await redeem(client, code)).status).toBe(200);
      expect((await tokenError(await redeem(client, code)))['error']).toBe('invalid_grant');
    });

    it('oidcc-codereuse-30seconds: a code redeemed again 30 s later gets invalid_grant, and its access token stops working', async () => {
      const code = await codeFor(client);
      const first = (await (await redeem(client, code)).json()) as { access_token: string };
      expect((await oidc.userinfo(first.access_token)).status).toBe(200);
      oidc.clock.advance(30);
      expect((await tokenError(await redeem(client, code)))['error']).toBe('invalid_grant');
      const res = await oidc.userinfo(first.access_token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    });

    it('oidcc-server-client-secret-post: the whole flow with client_secret_post at the token endpoint', async () => {
      const post = await clientFor(oidc, responseType, { token_endpoint_auth_method: 'client_secret_post' });
      const code = await codeFor(post);
      const res = await redeem(post, code, { client_id: post.client_id, client_secret: post.client_secret }, {});
      expect(res.status).toBe(200);
      const tokens = (await res.json()) as Json & { access_token: string; id_token: string };
      await validIdToken(oidc, post, tokens.id_token, 'n-0S6_WzA2Mj');
      expect((await oidc.userinfo(tokens.access_token)).status).toBe(200);
    });

    it('oidcc-refresh-token: a refresh answers new tokens and a consistent ID token; another client cannot use the refresh token', async () => {
      const params = { scope: 'openid offline_access', prompt: 'consent' };
      const first = await outcomeOf(
        oidc,
        client,
        await oidc.signIn(oidc.browser(), client, { response_type: responseType, ...params }, { sub: oidc.newUser() }),
      );
      const refreshToken = first.tokens?.refresh_token as string;
      expect(refreshToken).toMatch(/^[\x20-\x7E]+$/);
      expect(shannonBits(refreshToken)).toBeGreaterThan(96);
      const firstClaims = await validIdToken(oidc, client, first.tokens?.id_token);
      oidc.clock.advance(1);
      const res = await oidc.app.form(
        '/oauth2/token',
        { grant_type: 'refresh_token', refresh_token: refreshToken, scope: params.scope },
        { authorization: client.basic },
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const refreshed = (await res.json()) as Json & { access_token: string; id_token?: string };
      expect(refreshed).toMatchObject({ token_type: 'Bearer' });
      expect(refreshed.access_token).not.toBe(first.tokens?.access_token);
      // CompareIdTokenClaims (OpenID Connect Core §12.2).
      const claims = await validIdToken(oidc, client, refreshed.id_token);
      expect({ iss: claims.iss, sub: claims.sub, aud: claims.aud, auth_time: claims.auth_time, azp: claims['azp'] }).toEqual({
        iss: firstClaims.iss,
        sub: firstClaims.sub,
        aud: firstClaims.aud,
        auth_time: firstClaims.auth_time,
        azp: firstClaims['azp'],
      });
      expect(claims.iat).toBeGreaterThan(firstClaims.iat as number);

      const second = await clientFor(oidc, responseType);
      const secondTokens = await outcomeOf(
        oidc,
        second,
        await oidc.signIn(oidc.browser(), second, { response_type: responseType, ...params }, { sub: oidc.newUser() }),
      );
      const stolen = await oidc.app.form(
        '/oauth2/token',
        { grant_type: 'refresh_token', refresh_token: secondTokens.tokens?.refresh_token as string, scope: params.scope },
        { authorization: client.basic },
      );
      expect((await tokenError(stolen))['error']).toBe('invalid_grant');
    });

    it('oidcc-ensure-request-with-valid-pkce-succeeds: a confidential client using PKCE S256 succeeds', async () => {
      const verifier = randomBytes(32).toString('base64url');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const code = await codeFor(client, { code_challenge: challenge, code_challenge_method: 'S256' });
      const res = await redeem(client, code, { code_verifier: verifier });
      expect(res.status).toBe(200);
      await validIdToken(oidc, client, ((await res.json()) as Json)['id_token'] as string);
    });
  });
});
