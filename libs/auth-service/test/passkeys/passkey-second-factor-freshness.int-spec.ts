import { randomBytes } from 'node:crypto';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { testEngines } from '@tessera/test-kit';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { claimsOf, Portal, signInToAccount } from '../support/portal';
import { registerPasskey, secondFactorWithPasskey, type LoginAnswer } from './passkey-portal';
import { SoftAuthenticator, type CeremonyOverrides } from './soft-authenticator';

/**
 * A passkey second factor completes a login on the same terms as the code factors (TOTP,
 * recovery, email), through PendingSecondFactors: never a password step older than 15 minutes,
 * and never a step-up of a signed-in session for a challenge that demands a fresh login
 * (`prompt=login`, an exceeded `max_age`). Otherwise a touch of a security key (user presence
 * only: the second-factor ceremony asks `userVerification: preferred`) would answer
 * `prompt=login` without the password, and the ID token would say `amr: [pwd, hwk, mfa]`,
 * `auth_time: now` although no password was entered. (Found in a security review.)
 */
describe.each(testEngines())('passkey second factor and fresh-login requests (%s)', (engine) => {
  let app: PlatformApp;
  let clientId: string;
  let now = Date.now();

  beforeAll(async () => {
    app = await startPlatformApp({ engine, clock: () => now });
    clientId = (await app.client()).client_id;
  });
  afterAll(() => app.close());

  /**
   * The second-factor ceremony as an attacker would run it: the options call, then an answer
   * whatever the options said (signed over a challenge of its own when they were refused), so
   * that both calls are seen to refuse.
   */
  async function attemptSecondFactor(portal: Portal, loginUrl: string, authenticator: SoftAuthenticator, overrides: CeremonyOverrides = {}) {
    const login_challenge = Portal.challengeOf(loginUrl, 'login');
    const options = await portal.post<PublicKeyCredentialRequestOptionsJSON & { error?: string }>('/auth/login/mfa/passkey/options', { login_challenge });
    const signed = options.status === 200 ? options.body : { challenge: randomBytes(32).toString('base64url'), rpId: new URL(app.issuer).hostname };
    const answer = await portal.post<LoginAnswer>('/auth/login/mfa/passkey', { login_challenge, response: authenticator.get(signed, overrides) });
    return { options, answer };
  }

  async function signedInWithPasskey() {
    const user = await app.user();
    const { account, portal } = await signInToAccount(app, user);
    const authenticator = new SoftAuthenticator(app.issuer);
    expect((await registerPasskey(account, authenticator)).registered.status).toBe(201);
    return { user, portal, authenticator };
  }

  it('does not let a passkey touch on an old session answer prompt=login', async () => {
    const { portal, authenticator } = await signedInWithPasskey();

    now += 2 * 3600_000; // the person left the browser signed in two hours ago
    const loginUrl = await portal.authorize(clientId, { prompt: 'login' });
    const { options, answer } = await attemptSecondFactor(portal, loginUrl, authenticator, { userVerified: false });
    let idToken: Record<string, unknown> | undefined;
    if (answer.body.redirect_to) {
      const code = (await portal.toCallback(answer.body.redirect_to)).searchParams.get('code') as string;
      idToken = claimsOf((await portal.redeem(clientId, code))['id_token'] as string);
    }
    expect({ status: answer.status, error: answer.body.error, amr: idToken?.['amr'] }).toEqual({ status: 401, error: 'login_required', amr: undefined });
    expect({ status: options.status, error: options.body.error }).toEqual({ status: 401, error: 'login_required' });
  });

  it('does not step a session up for a challenge whose max_age it exceeds, but does for one it meets', async () => {
    const { portal, authenticator } = await signedInWithPasskey();

    now += 2 * 3600_000;
    const tooOld = await attemptSecondFactor(portal, await portal.authorize(clientId, { acr_values: 'urn:tessera:acr:mfa', max_age: '3600' }), authenticator);
    expect({ status: tooOld.options.status, error: tooOld.options.body.error }).toEqual({ status: 401, error: 'login_required' });
    expect({ status: tooOld.answer.status, error: tooOld.answer.body.error }).toEqual({ status: 401, error: 'login_required' });

    const allowed = await secondFactorWithPasskey(portal, await portal.authorize(clientId, { acr_values: 'urn:tessera:acr:mfa', max_age: '86400' }), authenticator);
    expect(allowed.answer.status).toBe(200);
    expect(allowed.answer.body.redirect_to).toBeDefined();
  });

  it('does not complete a password step older than the second-factor stage lifetime with a passkey', async () => {
    const { user, authenticator } = await signedInWithPasskey();

    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    expect((await portal.loginWithPassword(loginUrl, user.email, user.password)).body).toMatchObject({ next: 'second_factor' });
    now += 60 * 60_000; // an hour later: TOTP, recovery and email codes answer "took too long"
    // (the first login challenge has expired by now; the browser starts another one)
    const { options, answer } = await attemptSecondFactor(portal, await portal.authorize(clientId), authenticator);
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe('login_required');
    expect(options.status).toBe(401);
  });

  it('checks the password step again at the answer: options fetched in time do not stretch its lifetime', async () => {
    const { user, authenticator } = await signedInWithPasskey();
    const portal = new Portal(app, app.browser());
    expect((await portal.loginWithPassword(await portal.authorize(clientId), user.email, user.password)).body).toMatchObject({ next: 'second_factor' });

    now += 11 * 60_000; // the first login challenge has expired (10 minutes); the browser starts another one
    const loginUrl = await portal.authorize(clientId);
    const login_challenge = Portal.challengeOf(loginUrl, 'login');
    const options = await portal.post<PublicKeyCredentialRequestOptionsJSON>('/auth/login/mfa/passkey/options', { login_challenge });
    expect(options.status).toBe(200);
    now += 4 * 60_000 + 30_000; // 15.5 minutes after the password; the ceremony itself (5 minutes) is still valid
    const late = await portal.post<LoginAnswer>('/auth/login/mfa/passkey', { login_challenge, response: authenticator.get(options.body) });
    expect({ status: late.status, error: late.body.error }).toEqual({ status: 401, error: 'login_required' });
  });

  it('still completes a password step within its lifetime with the passkey', async () => {
    const { user, authenticator } = await signedInWithPasskey();
    const portal = new Portal(app, app.browser());
    expect((await portal.loginWithPassword(await portal.authorize(clientId), user.email, user.password)).body).toMatchObject({ next: 'second_factor' });

    now += 14 * 60_000;
    const { answer } = await secondFactorWithPasskey(portal, await portal.authorize(clientId), authenticator, { userVerified: false });
    expect(answer.status).toBe(200);
    const code = (await portal.toCallback(answer.body.redirect_to as string)).searchParams.get('code') as string;
    expect(claimsOf((await portal.redeem(clientId, code))['id_token'] as string)['amr']).toEqual(expect.arrayContaining(['pwd', 'hwk', 'mfa']));
  });
});
