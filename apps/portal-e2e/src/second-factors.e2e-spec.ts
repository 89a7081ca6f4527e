import { generate } from 'otplib';
import type { Browser } from 'playwright-core';
import { addVirtualAuthenticator, launchChromium, newContext, watchPageErrors } from './support/chromium';
import { openAccount, signInWithPassword, signOut } from './support/portal-pages';
import { startPortalPlatform, type PortalPlatform } from './support/portal-platform';
import { RelyingParty } from './support/relying-party';
import { screenshot } from './support/screenshots';

describe('second factors and passkeys set up in the portal, then used to sign in to an app', () => {
  let platform: PortalPlatform;
  let browser: Browser;
  let rp: RelyingParty;

  beforeAll(async () => {
    [platform, browser] = await Promise.all([startPortalPlatform(), launchChromium()]);
    rp = await RelyingParty.register(platform, { name: 'Ledger', scopes: [{ scope: 'openid', required: true }] });
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('enrols an authenticator app from the QR page, and the next sign-in asks for its code', async () => {
    const user = { email: 'totp@example.com', password: 'a long and lovely passphrase' };
    await platform.createUser(user);
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchPageErrors(page);

    await openAccount(page, platform.issuer, '/account/security', user);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const qr = page.getByRole('img', { name: 'QR code to scan with your authenticator app' });
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    const secret = ((await page.locator('p.secret').textContent()) ?? '').replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await screenshot(page, 'account-totp-setup');
    await page.getByLabel('Code from the app').fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('Your authenticator app is set up.').waitFor();
    await screenshot(page, 'account-security');
    await signOut(page);

    // An app's sign-in: password, then the code (of the next time step: the enrolment's is spent).
    await page.goto(await rp.authorizationUrl('openid'));
    await signInWithPassword(page, user.email, user.password);
    await page.getByLabel('Code from your authenticator app').waitFor();
    await screenshot(page, 'login-second-factor');
    await page.getByLabel('Code from your authenticator app').fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(/\/consent\?/);
    await rp.callbackAfter(() => page.getByRole('button', { name: 'Allow' }).click());
    const tokens = await rp.redeem();
    expect(tokens.claims()).toMatchObject({ acr: 'urn:tessera:acr:mfa' });
    expect(tokens.claims()?.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('registers a passkey in the account page, then signs in to an app with it alone (CDP virtual authenticator)', async () => {
    const user = { email: 'passkey@example.com', password: 'keys are better than passwords' };
    await platform.createUser(user);
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
    // The virtual authenticator would answer the login page's passkey autofill (conditional
    // mediation) by itself; this test takes the button's path (the component tests cover autofill).
    await context.addInitScript(() => {
      if (window.PublicKeyCredential) window.PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    });

    await openAccount(page, platform.issuer, '/account/security', user);
    await page.getByLabel(/Name of the new passkey/).fill('Test laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('The passkey “Test laptop” was added.').waitFor();
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]?.isResidentCredential).toBe(true);
    await signOut(page);

    await page.goto(await rp.authorizationUrl('openid'));
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL(/\/consent\?/);
    await rp.callbackAfter(() => page.getByRole('button', { name: 'Allow' }).click());
    const tokens = await rp.redeem();
    expect(tokens.claims()?.amr).toEqual(expect.arrayContaining(['user', 'mfa']));
    expect(tokens.claims()?.amr).not.toContain('pwd');
    expect(errors).toEqual([]);
    await context.close();
  });
});
