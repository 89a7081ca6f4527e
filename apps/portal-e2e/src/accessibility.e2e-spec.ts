import type { Browser, Page } from 'playwright-core';
import { seriousAxeViolations } from './support/axe';
import { launchChromium, newContext, watchPageErrors } from './support/chromium';
import { openAccount } from './support/portal-pages';
import { ADMIN_EMAIL, startPortalPlatform, type PortalPlatform } from './support/portal-platform';
import { RelyingParty } from './support/relying-party';
import { screenshot } from './support/screenshots';

/** Presses Tab until the focused element matches, at most `limit` times: keyboard only. */
async function tabTo(page: Page, matches: (el: { tag: string; name: string; type: string; text: string }) => boolean, limit = 25): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      return { tag: el?.tagName.toLowerCase() ?? '', name: el?.getAttribute('name') ?? el?.getAttribute('autocomplete') ?? '', type: el?.getAttribute('type') ?? '', text: el?.textContent?.trim() ?? '' };
    });
    if (matches(focused)) return;
  }
  throw new Error('the control was not reached with the Tab key');
}

describe('the portal with the keyboard alone, and axe-core on every screen', () => {
  let platform: PortalPlatform;
  let browser: Browser;
  let rp: RelyingParty;
  const user = { email: 'keys@example.com', password: 'typing without a mouse' };

  beforeAll(async () => {
    [platform, browser] = await Promise.all([startPortalPlatform(), launchChromium()]);
    rp = await RelyingParty.register(platform, { name: 'Keyboard Club', scopes: [{ scope: 'openid', required: true }, { scope: 'profile' }], clientUri: 'https://keys.example/' });
    await platform.createUser({ ...user, name: 'Kim Keys' });
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('signs in and consents with the keyboard only', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(await rp.authorizationUrl('openid profile'));
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await tabTo(page, (el) => el.tag === 'input' && el.type === 'email');
    await page.keyboard.type(user.email);
    await tabTo(page, (el) => el.tag === 'input' && el.type === 'password', 2);
    await page.keyboard.type(user.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/consent\?/);
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    // After the navigation, focus is on the page's heading: the next Tabs walk the consent form.
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Allow');
    const callback = await rp.callbackAfter(() => page.keyboard.press('Enter'));
    expect(callback.searchParams.get('code')).toBeTruthy();
    await context.close();
  });

  /** Every screen a person may meet, in light and dark, with no serious or critical axe finding. */
  it('finds no serious accessibility violation on any screen, in light and dark', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    const findings: Record<string, unknown> = {};
    const check = async (name: string, ready: () => Promise<unknown>) => {
      await ready();
      await screenshot(page, name);
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        const violations = await seriousAxeViolations(page);
        if (violations.length) findings[`${name} (${colorScheme})`] = violations;
      }
      await page.emulateMedia({ colorScheme: 'light' });
    };
    const heading = (name: string | RegExp) => () => page.getByRole('heading', { name, level: 1 }).waitFor();

    // Before any token: the flows.
    await page.goto(await rp.authorizationUrl('openid profile'));
    await check('login', heading('Sign in'));
    await page.goto(`${platform.issuer}/signup`);
    await check('sign-up', heading('Create your account'));
    await page.goto(`${platform.issuer}/forgot-password`);
    await check('forgot-password', () => page.getByRole('heading', { level: 1 }).waitFor());
    await page.goto(`${platform.issuer}/reset-password?token=not-a-real-token`);
    await check('reset-password', () => page.getByRole('heading', { level: 1 }).waitFor());
    await page.goto(`${platform.issuer}/verify-email?token=not-a-real-token`);
    await check('verify-email-invalid', () => page.getByRole('heading', { level: 1 }).waitFor());
    await page.goto(`${platform.issuer}/error?error=access_denied`);
    await check('error', () => page.getByRole('heading', { level: 1 }).waitFor());
    await page.goto(`${platform.issuer}/no/such/page`);
    await check('not-found', heading('Page not found'));

    // The consent, from a real request (prompt=consent: the first test's decision is remembered).
    await page.goto(await rp.authorizationUrl('openid profile', { prompt: 'consent' }));
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/consent\?/);
    await check('consent', () => page.getByRole('button', { name: 'Allow' }).waitFor());
    await rp.callbackAfter(() => page.getByRole('button', { name: 'Allow' }).click());
    await page.waitForURL((url) => url.pathname === '/rp/callback');

    // The token service's own pages, in the portal's look: an authorization error it cannot send
    // to the client, and the RP-initiated logout confirmation (nothing is confirmed here).
    await page.goto(`${platform.issuer}/oauth2/authorize?client_id=no-such-client&response_type=code`);
    await check('authorization-error', heading('This sign-in request cannot continue'));
    await page.goto(`${platform.issuer}/oauth2/logout?client_id=${encodeURIComponent(rp.clientId)}`);
    await check('logout-confirmation', heading('Sign out?'));

    // The account pages (the OP session from the sign-in above carries the portal in silently).
    for (const [path, name] of [
      ['/account', 'account-profile'],
      ['/account/security', 'account-security-overview'],
      ['/account/linked', 'account-linked'],
      ['/account/sessions', 'account-sessions'],
      ['/account/apps', 'account-apps'],
      ['/account/delete', 'account-delete'],
    ] as const) {
      await openAccount(page, platform.issuer, path, user);
      await check(name, () => page.getByRole('heading', { level: 1 }).waitFor());
    }

    // The admin console, as the first administrator, in a browser of its own.
    const adminContext = await newContext(browser);
    const admin = await adminContext.newPage();
    const adminErrors = watchPageErrors(admin);
    const adminUser = { email: ADMIN_EMAIL, password: platform.adminPassword() };
    for (const [path, name] of [
      ['/admin/clients', 'admin-clients'],
      [`/admin/clients/${encodeURIComponent(rp.clientId)}`, 'admin-client-detail'],
      ['/admin/clients/new', 'admin-client-new'],
      ['/admin/users', 'admin-users'],
      ['/admin/idps', 'admin-idps'],
      ['/admin/keys', 'admin-keys'],
      ['/admin/audit', 'admin-audit'],
      ['/admin/deliveries', 'admin-deliveries'],
    ] as const) {
      await openAccount(admin, platform.issuer, path, adminUser);
      await admin.getByRole('heading', { level: 1 }).waitFor();
      await admin.waitForLoadState('networkidle');
      await screenshot(admin, name);
      for (const colorScheme of ['light', 'dark'] as const) {
        await admin.emulateMedia({ colorScheme });
        const violations = await seriousAxeViolations(admin);
        if (violations.length) findings[`${name} (${colorScheme})`] = violations;
      }
      await admin.emulateMedia({ colorScheme: 'light' });
    }

    expect(findings).toEqual({});
    expect([...errors, ...adminErrors]).toEqual([]);
    await adminContext.close();
    await context.close();
  });
});
