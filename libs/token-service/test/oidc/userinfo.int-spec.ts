import { testEngines } from '@tessera/test-kit';
import { UserClaimsService } from '../../src/claims/user-claims.service';
import { consumed, publish } from '../events/events.fixture';
import { Oidc, profileOf, type Json, type OidcClient } from './support';

/** OpenID Connect Core §5.3 (UserInfo) under RFC 6750 (bearer tokens), and the claims cache. */
describe.each(testEngines())('UserInfo (%s)', (engine) => {
  let oidc: Oidc;
  let client: OidcClient;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
    client = await oidc.client();
  });
  afterAll(() => oidc?.close());

  const tokenFor = async (scope = 'openid profile email', sub = oidc.newUser(), c = client) => ({
    sub,
    token: (await oidc.codeFlow(c, { sub }, { scope })).access_token,
  });
  const body = async (res: Response) => (await res.json()) as Json;

  describe('presenting the token (RFC 6750 §2)', () => {
    it('answers GET with the token in the Authorization header: JSON, no-store, CORS', async () => {
      const { sub, token } = await tokenFor();
      const res = await oidc.userinfo(token);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(await body(res)).toMatchObject({ sub, name: `Ada ${sub}`, email: `${sub}@example.com` });
    });

    it('answers POST with the token in a form body', async () => {
      const { sub, token } = await tokenFor();
      const res = await oidc.userinfo(undefined, {
        method: 'POST',
        body: new URLSearchParams({ access_token: token }).toString(),
      });
      expect(res.status).toBe(200);
      expect((await body(res))['sub']).toBe(sub);
    });

    it('answers the CORS preflight with 204', async () => {
      const res = await fetch(`${oidc.app.url}/oauth2/userinfo`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://spa.example.com',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
    });

    it('refuses a token in the query string with 400 invalid_request, even beside a valid header', async () => {
      const { token } = await tokenFor();
      for (const res of [
        await oidc.userinfo(undefined, { query: `access_token=${token}` }),
        await oidc.userinfo(token, { query: `access_token=${token}` }),
        await oidc.userinfo(undefined, { method: 'POST', query: `access_token=${token}`, body: '' }),
      ]) {
        expect(res.status).toBe(400);
        expect((await body(res))['error']).toBe('invalid_request');
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
    });

    it('refuses a token sent both in the header and in the body with 400', async () => {
      const { token } = await tokenFor();
      const res = await oidc.userinfo(token, {
        method: 'POST',
        body: new URLSearchParams({ access_token: token }).toString(),
      });
      expect(res.status).toBe(400);
      expect((await body(res))['error']).toBe('invalid_request');
    });

    it('answers a request without a token 401 with a bare Bearer challenge (no error attribute, RFC 6750 §3.1)', async () => {
      for (const res of [
        await oidc.userinfo(undefined),
        await oidc.userinfo(undefined, { method: 'POST', body: '' }),
      ]) {
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tessera"');
      }
    });

    it.each([
      ['an unknown reference token', 'tsr_at_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
      ['garbage', 'not-a-token'],
      ['a forged JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
    ])('answers %s 401 invalid_token in WWW-Authenticate', async (_what, token) => {
      const res = await oidc.userinfo(token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="tessera", error="invalid_token"/);
      expect((await body(res))['error']).toBe('invalid_token');
    });

    it('answers a malformed Authorization header 401 invalid_token', async () => {
      const res = await oidc.userinfo(undefined, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    });

    it('answers a revoked token 401 invalid_token', async () => {
      const { token } = await tokenFor();
      expect((await oidc.userinfo(token)).status).toBe(200);
      const revoked = await oidc.app.form('/oauth2/revoke', { token }, { authorization: client.basic });
      expect(revoked.status).toBe(200);
      const res = await oidc.userinfo(token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    });

    it('answers a token without the openid scope 403 insufficient_scope', async () => {
      const { token } = await tokenFor('orders:read');
      const res = await oidc.userinfo(token);
      expect(res.status).toBe(403);
      expect((await body(res))['error']).toBe('insufficient_scope');
      expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
      expect(res.headers.get('www-authenticate')).toMatch(/scope="openid"/);
    });

    it('answers a client_credentials token 401: there is no user to describe', async () => {
      const machine = await oidc.app.client({
        grant_types: ['client_credentials'],
        allowed_scopes: ['openid', 'orders:read'],
      });
      // The user-only scopes are refused to a client acting for itself...
      const withOpenid = await oidc.app.form(
        '/oauth2/token',
        { grant_type: 'client_credentials', scope: 'openid orders:read' },
        { authorization: machine.basic },
      );
      expect(withOpenid.status).toBe(400);
      // ...and its token, which is about no user, is refused at UserInfo as invalid, not merely under-scoped.
      const tokenRes = await oidc.app.form(
        '/oauth2/token',
        { grant_type: 'client_credentials', scope: 'orders:read' },
        { authorization: machine.basic },
      );
      const tokens = (await tokenRes.json()) as Json;
      expect(tokenRes.status).toBe(200);
      const res = await oidc.userinfo(tokens['access_token'] as string);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    });

    it('answers 401 when the user no longer exists in the directory', async () => {
      const { sub, token } = await tokenFor();
      oidc.users.users.delete(sub);
      await oidc.app.running.app.get(UserClaimsService).invalidate(sub);
      const res = await oidc.userinfo(token);
      expect(res.status).toBe(401);
    });
  });

  describe('claims released (§5.3.2, §5.4)', () => {
    it.each([
      ['openid', []],
      ['openid profile', ['name', 'given_name', 'family_name', 'preferred_username', 'locale', 'updated_at']],
      ['openid email', ['email', 'email_verified']],
      ['openid address', ['address']],
      ['openid phone', ['phone_number', 'phone_number_verified']],
      [
        'openid profile email address phone',
        [
          'name',
          'given_name',
          'family_name',
          'preferred_username',
          'locale',
          'updated_at',
          'email',
          'email_verified',
          'address',
          'phone_number',
          'phone_number_verified',
        ],
      ],
    ])('with scope "%s": sub and exactly the claims of the scopes', async (scope, claims) => {
      const { sub, token } = await tokenFor(scope);
      const answer = await body(await oidc.userinfo(token));
      const profile = profileOf(sub);
      expect(answer).toEqual(Object.fromEntries([['sub', sub], ...claims.map((c) => [c, profile[c]])]));
    });

    it('releases only the scopes the user granted at consent, even when the claims parameter names the declined claims', async () => {
      const sub = oidc.newUser();
      const tokens = await oidc.codeFlow(
        client,
        { sub },
        {
          scope: 'openid profile email',
          claims: JSON.stringify({
            userinfo: { email: null, email_verified: { essential: true } },
            id_token: { email: { essential: true } },
          }),
        },
        ['openid', 'profile'],
      );
      expect(tokens['scope']).toBe('openid profile');
      const answer = await body(await oidc.userinfo(tokens.access_token));
      expect(answer).toMatchObject({ sub, name: `Ada ${sub}` });
      expect(answer).not.toHaveProperty('email');
      expect(answer).not.toHaveProperty('email_verified');
      expect(await oidc.idToken(tokens.id_token, client)).not.toHaveProperty('email');
    });

    it('never lets a profile value stand in for sub or a protocol claim', async () => {
      const sub = oidc.newUser({
        ...profileOf('x'),
        sub: 'someone-else',
        iss: 'https://evil.example',
        aud: 'other',
      });
      const { token } = await tokenFor('openid profile', sub);
      const answer = await body(await oidc.userinfo(token));
      expect(answer['sub']).toBe(sub);
      expect(answer).not.toHaveProperty('iss');
      expect(answer).not.toHaveProperty('aud');
    });

    it.each(['RS256', 'ES256'])(
      'answers a signed JWT (%s) to a client registered for signed UserInfo, with iss and aud',
      async (alg) => {
        const signed = await oidc.client({ userinfo_signed_response_alg: alg });
        const { sub, token } = await tokenFor('openid email', oidc.newUser(), signed);
        const res = await oidc.userinfo(token);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^application\/jwt/);
        expect(res.headers.get('cache-control')).toBe('no-store');
        const jwt = await res.text();
        const { payload, protectedHeader } = await oidc.verify(jwt, signed.client_id);
        expect(protectedHeader.alg).toBe(alg);
        expect(payload).toMatchObject({
          iss: oidc.app.issuer,
          sub,
          email: `${sub}@example.com`,
          email_verified: true,
        });
        expect([payload.aud].flat()).toEqual([signed.client_id]);
      },
    );

    it('answers the claims of the grant to a JWT access token as well', async () => {
      const jwtClient = await oidc.client({
        access_token_format: 'jwt',
        default_audience: ['https://api.example.com/orders'],
      });
      const { sub, token } = await tokenFor('openid email', oidc.newUser(), jwtClient);
      expect(token.split('.')).toHaveLength(3);
      const answer = await body(await oidc.userinfo(token));
      expect(answer).toEqual({ sub, email: `${sub}@example.com`, email_verified: true });
    });
  });

  describe('the claims cache', () => {
    it('asks the directory once for calls within 30 s, and again after user.updated', async () => {
      const { sub, token } = await tokenFor('openid profile');
      const before = oidc.users.lookups;
      expect((await body(await oidc.userinfo(token)))['name']).toBe(`Ada ${sub}`);
      expect((await body(await oidc.userinfo(token)))['name']).toBe(`Ada ${sub}`);
      oidc.clock.advance(20);
      expect((await oidc.userinfo(token)).status).toBe(200);
      expect(oidc.users.lookups - before).toBeLessThanOrEqual(1);

      oidc.users.users.set(sub, { ...profileOf(sub), name: 'Ada King' });
      const event = await publish(oidc.app, 'user.updated', { sub });
      await consumed(oidc.app, event);
      const lookups = oidc.users.lookups;
      expect((await body(await oidc.userinfo(token)))['name']).toBe('Ada King');
      expect(oidc.users.lookups).toBe(lookups + 1);
    });

    it('asks the directory again once the 30 s are over', async () => {
      const { sub, token } = await tokenFor('openid profile');
      await oidc.userinfo(token);
      oidc.users.users.set(sub, { ...profileOf(sub), name: 'Countess of Lovelace' });
      const lookups = oidc.users.lookups;
      oidc.clock.advance(31);
      expect((await body(await oidc.userinfo(token)))['name']).toBe('Countess of Lovelace');
      expect(oidc.users.lookups).toBe(lookups + 1);
    });

    it("does not let one user's cached claims answer for another", async () => {
      const a = await tokenFor('openid profile');
      const b = await tokenFor('openid profile');
      expect((await body(await oidc.userinfo(a.token)))['sub']).toBe(a.sub);
      expect(await body(await oidc.userinfo(b.token))).toMatchObject({ sub: b.sub, name: `Ada ${b.sub}` });
    });
  });

  // Last: it moves the clock past every token issued so far.
  describe('expiry', () => {
    it('answers an expired token 401 invalid_token', async () => {
      const { token } = await tokenFor();
      expect((await oidc.userinfo(token)).status).toBe(200);
      oidc.clock.advance(3601);
      const res = await oidc.userinfo(token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    });
  });
});
