import type { Browser } from 'playwright-core';
import { eventually } from '@tessera/test-kit';
import { launchChromium, newContext, watchPageErrors } from './support/chromium';
import { openAccount, signInWithPassword } from './support/portal-pages';
import { ADMIN_EMAIL, startPortalPlatform, type PortalPlatform } from './support/portal-platform';
import { RelyingParty } from './support/relying-party';
import { screenshot } from './support/screenshots';

describe("revoking an app's access from the portal: a person for their account, an admin for everyone", () => {
  let platform: PortalPlatform;
  let browser: Browser;

  beforeAll(async () => {
    [platform, browser] = await Promise.all([startPortalPlatform(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  /** A person signs in to the app through the portal and allows it; the app holds their tokens. */
  async function appTokensFor(rp: RelyingParty, user: { email: string; password: string }) {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(await rp.authorizationUrl('openid profile offline_access'));
    await signInWithPassword(page, user.email, user.password);
    await page.waitForURL(/\/consent\?/);
    await rp.callbackAfter(() => page.getByRole('button', { name: 'Allow' }).click());
    const tokens = await rp.redeem();
    return { context, page, tokens };
  }

  /** Introspection, refresh and UserInfo all refuse the app's tokens. */
  async function expectDead(rp: RelyingParty, tokens: Awaited<ReturnType<RelyingParty['redeem']>>) {
    expect((await rp.introspect(tokens.access_token)).active).toBe(false);
    await expect(rp.refresh(tokens.refresh_token as string)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(rp.userInfo(tokens.access_token, tokens.claims()?.sub as string)).rejects.toBeTruthy();
  }

  it('a person revokes a connected app in the account page: its access, refresh and UserInfo stop at once', async () => {
    const user = { email: 'ada@example.com', password: 'analytical engine 1843' };
    await platform.createUser({ ...user, name: 'Ada Lovelace' });
    const rp = await RelyingParty.register(platform, {
      name: 'Bernoulli Tables',
      scopes: [{ scope: 'openid', required: true }, { scope: 'profile' }, { scope: 'offline_access' }],
    });
    const { context, page, tokens } = await appTokensFor(rp, user);
    expect((await rp.introspect(tokens.access_token)).active).toBe(true);
    expect(tokens.refresh_token).toBeTruthy();
    const errors = watchPageErrors(page);

    await openAccount(page, platform.issuer, '/account/apps', user);
    await page.getByText('Bernoulli Tables').first().waitFor();
    await screenshot(page, 'account-connected-apps');
    await page.getByRole('button', { name: 'Revoke access for Bernoulli Tables' }).click();
    await page.getByRole('group', { name: 'Revoke access for Bernoulli Tables' }).getByRole('button', { name: 'Revoke access for Bernoulli Tables' }).click();
    await page.getByText('No connected apps').waitFor();

    await expectDead(rp, tokens);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an admin revokes a client everywhere in the console: every user’s tokens stop at once', async () => {
    const rp = await RelyingParty.register(platform, { name: 'Difference Engine', scopes: [{ scope: 'openid', required: true }, { scope: 'profile' }, { scope: 'offline_access' }] });
    const people = [
      { email: 'charles@example.com', password: 'difference engine number two' },
      { email: 'mary@example.com', password: 'somerville on the connexion' },
    ];
    const sessions = [];
    for (const person of people) {
      await platform.createUser(person);
      sessions.push(await appTokensFor(rp, person));
    }
    for (const { tokens } of sessions) expect((await rp.introspect(tokens.access_token)).active).toBe(true);

    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await openAccount(page, platform.issuer, `/admin/clients/${encodeURIComponent(rp.clientId)}`, { email: ADMIN_EMAIL, password: platform.adminPassword() });
    await page.getByRole('heading', { name: /Difference Engine/ }).first().waitFor();
    await screenshot(page, 'admin-client');
    await page.getByRole('button', { name: 'Revoke access everywhere' }).click();
    await page.getByRole('button', { name: 'Revoke access', exact: true }).click();
    await page.getByText('Access revoked').first().waitFor({ timeout: 20_000 });

    for (const { tokens } of sessions) await eventually(() => expectDead(rp, tokens), { timeoutMs: 10_000, intervalMs: 200 });
    expect(errors).toEqual([]);
    await context.close();
    for (const { context: c } of sessions) await c.close();
  });
});
