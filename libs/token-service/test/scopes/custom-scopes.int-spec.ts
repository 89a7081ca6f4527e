import { Oidc, type OidcClient } from '../oidc/support';

/** Custom scopes and claims defined by the operator (TESSERA_SCOPES), beside the standard ones. */
describe('custom scopes and claims', () => {
  let oidc: Oidc;
  let client: OidcClient;

  beforeAll(async () => {
    oidc = await Oidc.start('sqlite', {
      TESSERA_SCOPES: JSON.stringify({ scopes: [{ name: 'billing', description: 'Your plan and invoices', claims: ['plan', 'email'] }], claims: ['employee_id'] }),
    });
    client = await oidc.client({ allowed_scopes: ['openid', 'billing', 'profile'] });
  });
  afterAll(() => oidc?.close());

  const userinfo = async (token: string) =>
    (await (await fetch(`${oidc.app.url}/oauth2/userinfo`, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, unknown>;

  it('releases a custom scope\'s claims, standard ones included, only when the scope is granted', async () => {
    const sub = oidc.newUser({ name: 'Ada', email: 'ada@example.com', plan: 'team', employee_id: 'E-7' });
    const withBilling = await oidc.codeFlow(client, { sub }, { scope: 'openid billing' });
    expect(await userinfo(withBilling.access_token)).toEqual({ sub, plan: 'team', email: 'ada@example.com' });

    const other = oidc.newUser({ name: 'Bob', plan: 'free' });
    const withoutBilling = await oidc.codeFlow(client, { sub: other }, { scope: 'openid profile' });
    expect(await userinfo(withoutBilling.access_token)).toEqual({ sub: other, name: 'Bob' });
  });

  it('releases a custom claim a client names in the claims parameter, once consented', async () => {
    const sub = oidc.newUser({ employee_id: 'E-42' });
    const tokens = await oidc.codeFlow(client, { sub }, { scope: 'openid', claims: JSON.stringify({ userinfo: { employee_id: null } }) });
    expect(await userinfo(tokens.access_token)).toEqual({ sub, employee_id: 'E-42' });
  });

  it('lists the custom scope and claims in discovery and describes the scope to the consent UI', async () => {
    const doc = (await (await fetch(`${oidc.app.url}/.well-known/openid-configuration`)).json()) as { claims_supported: string[]; scopes_supported: string[] };
    expect(doc.claims_supported).toEqual(expect.arrayContaining(['plan', 'employee_id']));
    expect(doc.scopes_supported).toEqual(expect.arrayContaining(['billing']));

    const browser = oidc.browser();
    const login = await oidc.authorize(browser, client, { scope: 'openid billing' });
    const consentPage = (await oidc.login(browser, (login.headers.get('location') as string), { sub: oidc.newUser() })).headers.get('location') as string;
    const challenge = await oidc.ui.read(oidc.ui.challengeOf(consentPage, 'consent'));
    expect(challenge.body['scope_details']).toEqual([
      { name: 'openid', description: expect.any(String), claims: ['sub'] },
      { name: 'billing', description: 'Your plan and invoices', claims: ['plan', 'email'] },
    ]);
  });
});
