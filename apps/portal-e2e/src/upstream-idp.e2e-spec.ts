import type { Browser } from 'playwright-core';
import { launchChromium, newContext, watchPageErrors } from './support/chromium';
import { signInWithPassword } from './support/portal-pages';
import { startPortalPlatform, type PortalPlatform } from './support/portal-platform';
import { RelyingParty } from './support/relying-party';
import { screenshot } from './support/screenshots';

/**
 * Two platforms: "Corp", an upstream OpenID provider (another Tessera, at 127.0.0.1 so that its
 * cookies are not the portal's, which is at localhost), and the platform under test, which
 * trusts Corp's verified emails. The person has an account at each, with the same address.
 */
describe('signing in with an upstream identity provider and linking it to an existing account, in the portal', () => {
  let platform: PortalPlatform;
  let corp: PortalPlatform;
  let browser: Browser;
  let rp: RelyingParty;
  const person = { email: 'alice@example.com', localPassword: 'the local account password', corpPassword: 'the corporate directory password' };

  beforeAll(async () => {
    [platform, corp, browser] = await Promise.all([
      startPortalPlatform({ env: { TESSERA_UPSTREAM_ALLOW_PRIVATE: 'true' } }),
      startPortalPlatform({ issuerHost: '127.0.0.1' }),
      launchChromium(),
    ]);
    const upstreamClient = await corp.internal<{ client_id: string; client_secret: string }>('POST', '/internal/clients', {
      client_name: 'Tessera at Example',
      redirect_uris: [`${platform.issuer}/auth/upstream/corp/callback`],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
      allowed_scopes: ['openid', 'email', 'profile'],
      first_party: true,
    });
    expect(upstreamClient.status).toBe(201);
    const idp = await platform.internal('POST', '/internal/upstream-idps', {
      id: 'corp',
      display_name: 'Corp',
      issuer: corp.issuer,
      client_id: upstreamClient.body.client_id,
      client_secret: upstreamClient.body.client_secret,
      trust_email_verified: true,
    });
    expect(idp.status).toBe(201);
    await platform.createUser({ email: person.email, password: person.localPassword });
    await corp.createUser({ email: person.email, password: person.corpPassword, name: 'Alice Corp' });
    rp = await RelyingParty.register(platform, { name: 'Timesheets', scopes: [{ scope: 'openid', required: true }] });
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([platform?.stop(), corp?.stop()]);
  });

  it('links Corp to the local account after the person proves it, and then Corp alone signs them in to the same account', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchPageErrors(page);

    await page.goto(await rp.authorizationUrl('openid'));
    await page.getByRole('link', { name: 'Sign in with Corp' }).click();
    await page.waitForURL((url) => url.origin === corp.issuer && url.pathname === '/login');
    await signInWithPassword(page, person.email, person.corpPassword);

    // Back at the platform: an account with this address exists, so the person proves it first.
    await page.waitForURL((url) => url.origin === platform.issuer && url.searchParams.get('link') === 'required');
    await page.getByText('Link your Corp account', { exact: true }).waitFor();
    expect(await page.getByLabel('Email address').inputValue()).toBe(person.email);
    await screenshot(page, 'login-link-upstream');
    await page.getByLabel('Password', { exact: true }).fill(person.localPassword);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Link Corp to this account?' }).waitFor();
    await page.getByRole('button', { name: 'Link Corp' }).click();
    await page.waitForURL(/\/consent\?/);
    await rp.callbackAfter(() => page.getByRole('button', { name: 'Allow' }).click());
    const first = await rp.redeem();
    const localSub = first.claims()?.sub;
    expect(localSub).toBeTruthy();
    expect(errors).toEqual([]);
    await context.close();

    // A new browser: Corp signs the person in to the same local account, no password here.
    const later = await newContext(browser);
    const again = await later.newPage();
    await again.goto(await rp.authorizationUrl('openid'));
    await again.getByRole('link', { name: 'Sign in with Corp' }).click();
    await again.waitForURL((url) => url.origin === corp.issuer && url.pathname === '/login');
    await rp.callbackAfter(() => signInWithPassword(again, person.email, person.corpPassword));
    const second = await rp.redeem();
    expect(second.claims()?.sub).toBe(localSub);
    expect(second.claims()?.amr).toContain('fed');
    await later.close();
  });
});
