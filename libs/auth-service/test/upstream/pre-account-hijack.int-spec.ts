import { randomBytes } from 'node:crypto';
import { locationOf, testEngines } from '@tessera/test-kit';
import { Mailbox, linkToken } from '../mail/mailbox';
import { ISSUER, startPlatformApp, type PlatformApp } from '../support/platform-app';
import { claimsOf, Portal } from '../support/portal';
import { atUpstream, startUpstreamProvider, type UpstreamAccount, type UpstreamProvider } from './support/upstream-provider';

const CLIENT_SECRET = `upstream-secret-${randomBytes(12).toString('base64url')}`;

/**
 * Pre-account hijacking through just-in-time provisioning (found in review): with a provider
 * whose addresses are not trusted (`trust_email_verified: false`, e.g. a social login that lets
 * anyone type an address), an attacker's first sign-in used to provision a local account
 * holding the victim's address, linked to the attacker's upstream account. The victim could not
 * sign up ("exists") and reset the password by mail instead: the reset marked the address
 * verified and kept the attacker's link, so the attacker signed in to the account the victim
 * used. Now an address is used only when the provider says it is verified AND is trusted to:
 * any other is neither stored nor looked up (which also stopped the sign-in from telling
 * whether the address has a local account).
 */
describe.each(testEngines())('pre-account hijacking through just-in-time provisioning (%s)', (engine) => {
  let app: PlatformApp;
  let upstream: UpstreamProvider;
  let mailbox: Mailbox;
  let clientId: string;

  beforeAll(async () => {
    upstream = await startUpstreamProvider([
      {
        client_id: 'tessera',
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${ISSUER}/auth/upstream/social/callback`, `${ISSUER}/auth/upstream/corp/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ]);
    app = await startPlatformApp({ engine, env: { TESSERA_UPSTREAM_ALLOW_PRIVATE: 'true' } });
    mailbox = Mailbox.of(app);
    const created = await app.internal('POST', '/internal/upstream-idps', {
      id: 'social',
      display_name: 'Social',
      issuer: upstream.issuer,
      client_id: 'tessera',
      client_secret: CLIENT_SECRET,
      // The default: this provider's email_verified proves nothing here.
      trust_email_verified: false,
    });
    expect(created.status).toBe(201);
    // A provider trusted to verify addresses: trusted only for the ones it says it verified.
    expect((await app.internal('POST', '/internal/upstream-idps', { id: 'corp', display_name: 'Corp', issuer: upstream.issuer, client_id: 'tessera', client_secret: CLIENT_SECRET, trust_email_verified: true })).status).toBe(201);
    ({ client_id: clientId } = await app.client());
  });
  afterAll(async () => {
    await app?.close();
    await upstream?.close();
  });

  /** Signs in with the provider as `account` in a new browser; where Tessera sends the browser after the callback. */
  async function upstreamSignIn(account: UpstreamAccount, idp = 'social'): Promise<{ portal: Portal; location: string }> {
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    const challenge = Portal.challengeOf(loginUrl, 'login');
    const start = await portal.browser.get(`${ISSUER}/auth/upstream/${idp}/start?login_challenge=${encodeURIComponent(challenge)}`);
    const callbackUrl = await atUpstream(portal.browser, locationOf(start), account);
    return { portal, location: locationOf(await portal.browser.get(callbackUrl)) };
  }

  async function subAfter(portal: Portal, redirectTo: string): Promise<string> {
    const code = (await portal.toCallback(redirectTo)).searchParams.get('code') as string;
    return claimsOf((await portal.redeem(clientId, code))['id_token'] as string)['sub'] as string;
  }

  it("does not leave the attacker's upstream account linked to the account the address's owner recovers", async () => {
    const victim = `victim-${randomBytes(4).toString('hex')}@example.com`;
    const attackerAccount: UpstreamAccount = { sub: `attacker-${randomBytes(4).toString('hex')}`, email: victim, email_verified: false, name: 'Not the victim' };

    // 1. The attacker's first sign-in provisions a local account, without the address nobody vouched for.
    const first = await upstreamSignIn(attackerAccount);
    expect(first.location).toContain('/oauth2/');
    const sub = await subAfter(first.portal, first.location);
    expect((await app.internal('GET', `/internal/users/${sub}`)).body).toMatchObject({ email: null, email_verified: false });

    // 2. The address is still free: its owner signs up with it, verifies it, and (later) resets the password by mail.
    const owner = new Portal(app, app.browser());
    expect((await owner.post('/auth/signup', { email: victim, password: 'the first owner passphrase' })).status).toBe(202);
    const verification = linkToken(await mailbox.next(victim, /Confirm your email address/), 'verify-email', app.issuer);
    expect((await owner.post('/auth/verify-email', { token: verification })).status).toBe(200);
    expect((await owner.post('/auth/recovery', { email: victim })).status).toBe(202);
    const token = linkToken(await mailbox.next(victim, /Reset your password/), 'reset-password', app.issuer);
    expect((await owner.post('/auth/recovery/reset', { token, new_password: 'the real owner passphrase' })).status).toBe(200);
    const ownerLogin = await owner.loginWithPassword(await owner.authorize(clientId), victim, 'the real owner passphrase');
    const ownerSub = await subAfter(owner, ownerLogin.body.redirect_to as string);
    expect(ownerSub).not.toBe(sub);
    expect((await app.internal('GET', `/internal/users/${ownerSub}`)).body).toMatchObject({ email: victim, email_verified: true, has_password: true });

    // 3. The attacker signs in with the upstream account again: it must not be the owner's account.
    const again = await upstreamSignIn(attackerAccount);
    const signedInAs = again.location.includes('/oauth2/') ? await subAfter(again.portal, again.location) : undefined;
    expect(signedInAs).not.toBe(ownerSub);
    expect(signedInAs).toBe(sub);
    expect((await app.internal('GET', `/internal/users/${sub}`)).body).toMatchObject({ email: null });
  });

  it('does not tell an upstream account whether a local account has the address it asserts (enumeration)', async () => {
    const taken = (await app.user()).email;
    const free = `free-${randomBytes(4).toString('hex')}@example.com`;
    const probe = (email: string) => upstreamSignIn({ sub: `probe-${randomBytes(4).toString('hex')}`, email, email_verified: false });
    const [onTaken, onFree] = [await probe(taken), await probe(free)];
    // An address with an account sends the prober to link=required; any other signs them in.
    const shape = (location: string) => (location.includes('link=required') ? 'link_required' : location.includes('/oauth2/') ? 'signed_in' : 'other');
    expect(shape(onTaken.location)).toBe(shape(onFree.location));
  });

  it('does not tell it through a trusted provider either, for an address the provider does not say it verified', async () => {
    const local = await app.user();
    const free = `free-${randomBytes(4).toString('hex')}@example.com`;
    const probe = (email: string) => upstreamSignIn({ sub: `probe-${randomBytes(4).toString('hex')}`, email, email_verified: false }, 'corp');
    const [onTaken, onFree] = [await probe(local.email), await probe(free)];
    for (const { location } of [onTaken, onFree]) expect(location).toContain('/oauth2/');
    // Each prober got an account of its own, without the address; the local account is untouched and linked to nothing.
    const taken = await subAfter(onTaken.portal, onTaken.location);
    expect(taken).not.toBe(local.sub);
    expect((await app.internal('GET', `/internal/users/${taken}`)).body).toMatchObject({ email: null });
    expect((await app.internal('GET', `/internal/users/${local.sub}`)).body).toMatchObject({ email: local.email });
    // Only an address the trusted provider verified is matched (and then linked only with proof: link=required).
    const verified = await upstreamSignIn({ sub: `owner-${randomBytes(4).toString('hex')}`, email: local.email, email_verified: true }, 'corp');
    expect(verified.location).toContain('link=required');
  });
});
