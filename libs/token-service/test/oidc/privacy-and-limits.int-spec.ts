import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, SignJWT, type JWK } from 'jose';
import { locationOf, testEngines } from '@tessera/test-kit';
import { callbackOf, isInteraction, Oidc, REDIRECT, type OidcClient } from './support';

/**
 * Rules a security review of the OpenID Connect change found broken, each with the attack that
 * broke it: claims beyond a client's scopes, subject and session linkage across pairwise
 * clients, PAR request URIs spent by another client, essential acr values nobody can meet.
 */
describe.each(testEngines())('OpenID Connect privacy and limits (%s)', (engine) => {
  let oidc: Oidc;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
  });
  afterAll(() => oidc?.close());

  const userinfo = async (token: string) => (await (await oidc.userinfo(token)).json()) as Record<string, unknown>;
  const introspect = async (client: OidcClient, token: string) =>
    (await (await oidc.app.form('/oauth2/introspect', { token }, { authorization: client.basic })).json()) as Record<string, unknown>;

  describe('the claims parameter stays within the client\'s scopes', () => {
    it('does not release email, phone or address by name to a client allowed only openid (not even first-party)', async () => {
      const client = await oidc.client({ allowed_scopes: ['openid'], first_party: true });
      const sub = oidc.newUser();
      const claims = JSON.stringify({ userinfo: { email: null, phone_number: null, address: null }, id_token: { name: null } });
      const tokens = await oidc.codeFlow(client, { sub }, { claims });
      expect(await userinfo(tokens.access_token)).toEqual({ sub });
      expect(await oidc.idToken(tokens.id_token, client)).not.toHaveProperty('name');
    });

    it('ignores claims it does not understand instead of asking for consent again (§5.5)', async () => {
      const client = await oidc.client();
      const browser = oidc.browser();
      const sub = oidc.newUser();
      await oidc.codeFlow(client, { sub }, {}, undefined, browser);
      const silent = await oidc.authorize(browser, client, { prompt: 'none', claims: JSON.stringify({ userinfo: { shoe_size: null } }) });
      expect(callbackOf(silent).params['code']).toEqual(expect.any(String));
    });

    it('narrows the claims named at authorization when a refresh narrows the scope', async () => {
      const client = await oidc.client();
      const sub = oidc.newUser();
      const tokens = await oidc.codeFlow(client, { sub }, { scope: 'openid email offline_access', claims: JSON.stringify({ userinfo: { email: null }, id_token: { email: null } }) });
      expect(await userinfo(tokens.access_token)).toHaveProperty('email');
      const refreshed = (await (
        await oidc.app.form('/oauth2/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, scope: 'openid offline_access' }, { authorization: client.basic })
      ).json()) as { access_token: string; id_token: string };
      expect(await userinfo(refreshed.access_token)).toEqual({ sub });
      expect(await oidc.idToken(refreshed.id_token, client)).not.toHaveProperty('email');
    });
  });

  describe('pairwise clients cannot link a user', () => {
    it('introspection answers the subject the pairwise client knows, for access and refresh tokens', async () => {
      const client = await oidc.client({ subject_type: 'pairwise' });
      const sub = oidc.newUser();
      const tokens = await oidc.codeFlow(client, { sub }, { scope: 'openid offline_access' });
      const idSub = (await oidc.idToken(tokens.id_token, client)).sub;
      expect(idSub).not.toBe(sub);
      expect(await introspect(client, tokens.access_token)).toMatchObject({ active: true, sub: idSub });
      expect(await introspect(client, tokens.refresh_token as string)).toMatchObject({ active: true, sub: idSub });
    });

    it('gives two pairwise clients of different sectors different sid values for the same browser session', async () => {
      const a = await oidc.client({ subject_type: 'pairwise', redirect_uris: ['https://a.example.com/cb'] });
      const b = await oidc.client({ subject_type: 'pairwise', redirect_uris: ['https://b.example.com/cb'] });
      const publicClient = await oidc.client({ redirect_uris: ['https://c.example.com/cb'] });
      const browser = oidc.browser();
      const sub = oidc.newUser();
      const sidOf = async (c: OidcClient) => (await oidc.idToken((await oidc.codeFlow(c, { sub }, {}, undefined, browser)).id_token, c))['sid'];
      const [sidA, sidB, sidPublic] = [await sidOf(a), await sidOf(b), await sidOf(publicClient)];
      expect(new Set([sidA, sidB, sidPublic]).size).toBe(3);
      // Stable for a client across its own authentications in the session.
      expect(await sidOf(a)).toBe(sidA);
    });
  });

  describe('essential acr (§5.5.1.1)', () => {
    it('fails an authentication that cannot reach an essential acr Tessera does not define', async () => {
      const client = await oidc.client();
      const browser = oidc.browser();
      const sub = oidc.newUser();
      const claims = JSON.stringify({ id_token: { acr: { essential: true, values: ['urn:example:loa:4'] } } });
      let res = await oidc.authorize(browser, client, { claims });
      expect(isInteraction(res, 'login')).toBe(true);
      res = await oidc.login(browser, locationOf(res), { sub });
      expect(callbackOf(res).params['error']).toBe('access_denied');
    });
  });

  describe('bad client keys are the client\'s error, not a 500', () => {
    it('refuses to register a JWK that does not import', async () => {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const broken = { ...(publicKey.export({ format: 'jwk' }) as JWK), x: 'AAAA', kid: 'broken' };
      const res = await oidc.app.internal('POST', '/internal/clients', { grant_types: ['authorization_code'], redirect_uris: [REDIRECT], jwks: { keys: [broken] } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_client_metadata' });
    });

    it('sends a request-object error the fragment way for a response type that returns tokens', async () => {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const client = await oidc.client({
        grant_types: ['authorization_code', 'implicit'],
        response_types: ['code id_token'],
        jwks: { keys: [{ ...(publicKey.export({ format: 'jwk' }) as JWK), kid: 'k1' }] },
      });
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      const request = await new SignJWT({ client_id: client.client_id, response_type: 'code id_token', scope: 'openid', nonce: 'n' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(client.client_id)
        .setAudience(oidc.app.issuer)
        .sign(other);
      const res = await oidc.authorize(oidc.browser(), client, { request, response_type: 'code id_token' });
      const location = locationOf(res);
      expect(location.startsWith(`${REDIRECT}#`)).toBe(true);
      expect(new URLSearchParams(location.split('#')[1]).get('error')).toBe('invalid_request_object');
    });
  });

  describe('pushed authorization requests', () => {
    it('cannot be spent by another client presenting the request_uri', async () => {
      const owner = await oidc.client({ first_party: true });
      const thief = await oidc.client();
      const pushed = await oidc.app.form('/oauth2/par', { response_type: 'code', redirect_uri: REDIRECT, scope: 'openid', nonce: 'n' }, { authorization: owner.basic });
      const { request_uri } = (await pushed.json()) as { request_uri: string };
      const stolen = await oidc.browser().get(`${oidc.app.url}/oauth2/authorize?${new URLSearchParams({ client_id: thief.client_id, request_uri })}`);
      expect(await stolen.text()).toContain('invalid_request_uri');
      const own = await oidc.browser().get(`${oidc.app.url}/oauth2/authorize?${new URLSearchParams({ client_id: owner.client_id, request_uri })}`);
      expect(isInteraction(own, 'login')).toBe(true);
    });
  });

  it('gives a pairwise client JWT access tokens with its pairwise sub, which still work at UserInfo and introspection', async () => {
    const client = await oidc.client({ subject_type: 'pairwise', access_token_format: 'jwt', default_audience: ['https://api.example.com/'] });
    const sub = oidc.newUser();
    const tokens = await oidc.codeFlow(client, { sub }, { scope: 'openid profile' });
    const idSub = (await oidc.idToken(tokens.id_token, client)).sub;
    expect(decodeJwt(tokens.access_token).sub).toBe(idSub);
    expect(JSON.stringify(decodeJwt(tokens.access_token))).not.toContain(sub);
    expect(await userinfo(tokens.access_token)).toMatchObject({ sub: idSub, name: expect.any(String) });
    expect(await introspect(client, tokens.access_token)).toMatchObject({ active: true, sub: idSub });

    // Revoking the grant (the user revokes the app) makes the JWT inactive at once.
    const grantId = decodeJwt(tokens.access_token)['tessera_grant_id'] as string;
    expect((await oidc.app.internal('DELETE', `/internal/grants/${grantId}`)).status).toBeLessThan(300);
    oidc.clock.advance(1000);
    expect(await introspect(client, tokens.access_token)).toEqual({ active: false });
  });
});
