import { testEngines } from '@tessera/test-kit';
import { callbackOf, Oidc, type Json, type OidcClient } from './support';

/** OpenID Connect Core §8 and §8.1: pairwise subject identifiers, per sector (the redirect host). */
describe.each(testEngines())('pairwise subjects (%s)', (engine) => {
  let oidc: Oidc;
  let pairwise: OidcClient;
  let sameHost: OidcClient;
  let otherHost: OidcClient;
  let publicClient: OidcClient;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
    pairwise = await oidc.client({ subject_type: 'pairwise', redirect_uris: ['https://rp.example.com/cb'] });
    sameHost = await oidc.client({
      subject_type: 'pairwise',
      redirect_uris: ['https://rp.example.com/another/cb'],
    });
    otherHost = await oidc.client({
      subject_type: 'pairwise',
      redirect_uris: ['https://shop.example.net/cb'],
    });
    publicClient = await oidc.client({ redirect_uris: ['https://rp.example.com/cb'] });
  });
  afterAll(() => oidc?.close());

  const subOf = async (client: OidcClient, sub: string) => {
    const tokens = await oidc.codeFlow(client, { sub });
    return {
      idSub: (await oidc.idToken(tokens.id_token, client)).sub as string,
      accessToken: tokens.access_token,
    };
  };

  it('gives a pairwise client a sub that is not the user id, the same in every flow, and the same at UserInfo', async () => {
    const user = oidc.newUser();
    const first = await subOf(pairwise, user);
    const second = await subOf(pairwise, user);
    expect(first.idSub).not.toBe(user);
    expect(first.idSub).not.toContain(user);
    expect(second.idSub).toBe(first.idSub);
    const info = (await (await oidc.userinfo(first.accessToken)).json()) as Json;
    expect(info['sub']).toBe(first.idSub);
  });

  it('gives clients of the same sector (redirect host) the same sub, and another sector a different one', async () => {
    const user = oidc.newUser();
    const a = (await subOf(pairwise, user)).idSub;
    expect((await subOf(sameHost, user)).idSub).toBe(a);
    expect((await subOf(otherHost, user)).idSub).not.toBe(a);
    expect((await subOf(publicClient, user)).idSub).toBe(user);
  });

  it('gives two users of one client different subs', async () => {
    expect((await subOf(pairwise, oidc.newUser())).idSub).not.toBe(
      (await subOf(pairwise, oidc.newUser())).idSub,
    );
  });

  it('keeps the pairwise sub in a refreshed ID token and in a signed UserInfo response', async () => {
    const client = await oidc.client({
      subject_type: 'pairwise',
      redirect_uris: ['https://rp.example.com/x'],
      userinfo_signed_response_alg: 'ES256',
      first_party: true,
    });
    const user = oidc.newUser();
    const tokens = await oidc.codeFlow(client, { sub: user }, { scope: 'openid offline_access' });
    const idSub = (await oidc.idToken(tokens.id_token, client)).sub;
    expect(idSub).toBe((await subOf(pairwise, user)).idSub);
    const refreshed = (await (
      await oidc.app.form(
        '/oauth2/token',
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string },
        { authorization: client.basic },
      )
    ).json()) as Json;
    expect((await oidc.idToken(refreshed['id_token'] as string, client)).sub).toBe(idSub);
    const signed = await (await oidc.userinfo(tokens.access_token)).text();
    expect((await oidc.verify(signed, client.client_id)).payload.sub).toBe(idSub);
  });

  it('recognises its own pairwise sub in an id_token_hint (prompt=none answers silently)', async () => {
    const browser = oidc.browser();
    const user = oidc.newUser();
    const res = await oidc.signIn(browser, pairwise, {}, { sub: user });
    const tokens = await oidc.redeem(pairwise, callbackOf(res).params['code']);
    const silent = await oidc.authorize(browser, pairwise, {
      prompt: 'none',
      id_token_hint: tokens.id_token as string,
    });
    expect(callbackOf(silent).params['code']).toEqual(expect.any(String));
  });

  it('puts the pairwise sub in an ID token from the authorization endpoint', async () => {
    const implicit = await oidc.client({
      subject_type: 'pairwise',
      grant_types: ['implicit'],
      response_types: ['id_token'],
      redirect_uris: ['https://rp.example.com/implicit'],
    });
    const user = oidc.newUser();
    const res = await oidc.signIn(oidc.browser(), implicit, { response_type: 'id_token' }, { sub: user });
    const idSub = (await oidc.idToken(callbackOf(res).params['id_token'], implicit)).sub;
    expect(idSub).toBe((await subOf(pairwise, user)).idSub);
  });

  it('refuses a pairwise client whose redirect URIs span hosts without a sector_identifier_uri', async () => {
    const res = await oidc.app.internal('POST', '/internal/clients', {
      grant_types: ['authorization_code'],
      subject_type: 'pairwise',
      redirect_uris: ['https://rp.example.com/cb', 'https://shop.example.net/cb'],
      allowed_scopes: ['openid'],
    });
    expect(res.status).toBe(400);
    expect(res.body['error']).toBe('invalid_client_metadata');
  });
});
