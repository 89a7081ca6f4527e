import type { Browser } from 'playwright-core';
import { launchChromium, newContext, watchPageErrors } from './support/chromium';
import { signInWithPassword } from './support/portal-pages';
import { startPortalPlatform, type PortalPlatform } from './support/portal-platform';
import { RelyingParty } from './support/relying-party';
import { screenshot } from './support/screenshots';
import { mailLink } from '@tessera/test-kit';

describe('sign-up, email verification, sign-in and consent in the portal, with openid-client as the app', () => {
  let platform: PortalPlatform;
  let browser: Browser;
  let rp: RelyingParty;

  beforeAll(async () => {
    [platform, browser] = await Promise.all([startPortalPlatform(), launchChromium()]);
    rp = await RelyingParty.register(platform, {
      name: 'Field Notes',
      scopes: [{ scope: 'openid', required: true }, { scope: 'profile' }, { scope: 'email' }],
      policyUri: 'https://notes.example/privacy',
      tosUri: 'https://notes.example/terms',
      clientUri: 'https://notes.example/',
    });
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('signs up, confirms the address from the mail, consents with one optional scope unticked, and the app gets exactly the granted scopes; the next sign-in skips consent', async () => {
    const email = 'grace@example.com';
    const password = 'compiling cobol since 1959';
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchPageErrors(page);

    await page.goto(await rp.authorizationUrl('openid profile email'));
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshot(page, 'login');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    await page.getByLabel('Your name').fill('Grace Hopper');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('New password').fill(password);
    await screenshot(page, 'sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();

    // The mail's link, opened in another tab as a person would.
    const mail = await platform.mailbox.next(email);
    const link = mailLink(mail, 'verify-email', platform.issuer);
    const mailTab = await context.newPage();
    await mailTab.goto(link);
    await mailTab.getByRole('heading', { name: /confirmed/i }).waitFor();
    expect(mailTab.url()).not.toContain('token='); // the token leaves the address bar
    await screenshot(mailTab, 'email-verified');
    await mailTab.close();

    // The sign-up page goes on by itself (or at the press of a button) to the consent.
    await page.getByRole('button', { name: 'I have confirmed my address' }).click();
    await page.waitForURL(/\/consent\?consent_challenge=/);
    await page.getByRole('heading', { name: /Field Notes/ }).waitFor();
    const openid = page.getByRole('checkbox', { name: /openid|your identity|who you are/i });
    expect(await openid.isDisabled()).toBe(true);
    const profile = page.getByRole('checkbox', { name: /profile/i });
    expect(await profile.isChecked()).toBe(true);
    await profile.uncheck();
    expect(await page.getByRole('link', { name: /privacy/i }).getAttribute('href')).toBe('https://notes.example/privacy');
    await screenshot(page, 'consent');
    const callback = await rp.callbackAfter(() => page.getByRole('button', { name: 'Allow' }).click());
    expect(callback.searchParams.get('code')).toBeTruthy();

    const tokens = await rp.redeem();
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid']);
    const claims = tokens.claims();
    expect(claims?.['email']).toBeUndefined(); // claims go to UserInfo for a code flow with an access token
    const userInfo = await rp.userInfo(tokens.access_token, claims?.sub as string);
    expect(userInfo['email']).toBe(email);
    expect(userInfo['name']).toBeUndefined(); // profile was not granted
    expect(errors).toEqual([]);
    await context.close();

    // A new browser: sign in again; the remembered grant covers what the app asks now.
    const second = await newContext(browser);
    const again = await second.newPage();
    await again.goto(await rp.authorizationUrl('openid email'));
    const next = await rp.callbackAfter(() => signInWithPassword(again, email, password));
    expect(next.searchParams.get('code')).toBeTruthy();
    const secondTokens = await rp.redeem();
    expect(secondTokens.claims()?.sub).toBe(claims?.sub);
    await second.close();
  });

  it('speaks the language the app asks for (ui_locales), in an English-speaking browser', async () => {
    const context = await newContext(browser, { locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(await rp.authorizationUrl('openid', { ui_locales: 'fr-CA en' }));
    await page.getByRole('heading', { name: 'Se connecter' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(await page.getByLabel('Adresse e-mail').count()).toBe(1);
    await context.close();
  });

  it('Deny sends access_denied back to the app', async () => {
    const user = { email: 'deny@example.com', password: 'no thank you, not today' };
    await platform.createUser(user);
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(await rp.authorizationUrl('openid profile'));
    await signInWithPassword(page, user.email, user.password);
    await page.waitForURL(/\/consent\?/);
    const callback = await rp.callbackAfter(() => page.getByRole('button', { name: 'Deny' }).click());
    expect(callback.searchParams.get('error')).toBe('access_denied');
    await context.close();
  });
});
