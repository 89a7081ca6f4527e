import { createHash, randomBytes } from 'node:crypto';
import { locationOf, ScriptedLoginUi, TestBrowser, testEngines } from '@tessera/test-kit';
import { startTokenService, type TestApp } from '../support/token-service-app';
import { bindingCookieName } from '../../src/interaction/challenges.service';

const REDIRECT = 'https://app.example.com/callback';
const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

describe.each(testEngines())('authorization code flow (%s)', (engine) => {
  let app: TestApp;
  let ui: ScriptedLoginUi;
  let client: { client_id: string; client_secret: string; basic: string };

  beforeAll(async () => {
    app = await startTokenService({ engine });
    ui = new ScriptedLoginUi(app);
    client = await app.client({
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [REDIRECT],
      allowed_scopes: [{ scope: 'orders:read', required: true }, 'orders:write', 'offline_access'],
    });
  });
  afterAll(() => app?.close());

  const newBrowser = () => new TestBrowser({ [app.issuer]: app.url });
  const authorizeUrl = (params: Record<string, string>) =>
    `${app.url}/oauth2/authorize?${new URLSearchParams({ client_id: client.client_id, response_type: 'code', redirect_uri: REDIRECT, state: 'xyz', ...params })}`;

  /** Each flow signs in a user of its own, so remembered grants never leak between tests. */
  async function fullFlow(browser: TestBrowser, scope = 'orders:read orders:write offline_access', sub = `user-${randomBytes(4).toString('hex')}`) {
    const { verifier, challenge } = pkce();
    const start = await browser.get(authorizeUrl({ scope, code_challenge: challenge, code_challenge_method: 'S256' }));
    expect(start.status).toBe(303);
    const login = locationOf(start);
    expect(login).toMatch(/\/login\?login_challenge=/);
    const accepted = await ui.acceptLogin(browser, login, { sub });
    expect(accepted.status).toBe(200);
    const afterLogin = await browser.get(accepted.body['redirect_to'] as string);
    return { afterLogin, verifier, sub };
  }

  it('logs in, asks consent, issues a code bound to PKCE, and exchanges it', async () => {
    const browser = newBrowser();
    const { afterLogin, verifier, sub } = await fullFlow(browser);
    const consent = locationOf(afterLogin);
    expect(consent).toMatch(/\/consent\?consent_challenge=/);
    const info = await ui.read(ui.challengeOf(consent, 'consent'));
    expect(info.body).toMatchObject({ kind: 'consent', subject: sub, requested_scope: ['orders:read', 'orders:write', 'offline_access'], required_scope: ['orders:read'] });
    const accepted = await ui.acceptConsent(browser, consent, { grantScope: ['orders:read', 'offline_access'] });
    const callback = new URL(locationOf(await browser.get(accepted.body['redirect_to'] as string)));
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT);
    expect(callback.searchParams.get('state')).toBe('xyz');
    expect(callback.searchParams.get('iss')).toBe(app.issuer);
    const code = callback.searchParams.get('code') as string;
    expect(code).toMatch(/^tsr_ac_/);

    const token = await app.form('/oauth2/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, { authorization: client.basic });
    const body = (await token.json()) as Record<string, string>;
    expect(token.status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'orders:read offline_access', access_token: expect.stringMatching(/^tsr_at_/), refresh_token: expect.stringMatching(/^tsr_rt_/) });
  });

  it('skips login and consent on the next authorization with the OP session and the remembered grant', async () => {
    const browser = newBrowser();
    const { afterLogin } = await fullFlow(browser, 'orders:read');
    const consent = locationOf(afterLogin);
    const accepted = await ui.acceptConsent(browser, consent, { grantScope: ['orders:read'], remember: true });
    await browser.get(accepted.body['redirect_to'] as string);
    const { challenge } = pkce();
    const again = await browser.get(authorizeUrl({ scope: 'orders:read', code_challenge: challenge, code_challenge_method: 'S256' }));
    const callback = new URL(locationOf(again));
    expect(callback.searchParams.get('code')).toMatch(/^tsr_ac_/);

    // prompt=consent asks again even though the grant covers the scopes.
    const forced = await browser.get(authorizeUrl({ scope: 'orders:read', prompt: 'consent', code_challenge: challenge, code_challenge_method: 'S256' }));
    expect(locationOf(forced)).toMatch(/consent_challenge=/);
  });

  it('refuses to accept a challenge without the browser\'s verifier, and to resume it from another browser', async () => {
    const browser = newBrowser();
    const { challenge } = pkce();
    const start = await browser.get(authorizeUrl({ scope: 'orders:read', code_challenge: challenge, code_challenge_method: 'S256' }));
    const loginChallenge = ui.challengeOf(locationOf(start), 'login');
    const forged = await app.internal('POST', `/internal/challenges/${loginChallenge}/accept`, {
      verifier: randomBytes(32).toString('base64url'),
      sub: 'mallory',
      login_session_id: 'x',
      amr: ['pwd'],
      auth_time: Math.floor(Date.now() / 1000),
    });
    expect(forged.status).toBe(400);
    const accepted = await ui.acceptLogin(browser, locationOf(start), { sub: 'alice' });
    // The attacker's browser (no binding cookie) cannot finish the victim's login: no login CSRF.
    const other = newBrowser();
    const hijack = await other.get(accepted.body['redirect_to'] as string);
    expect(hijack.status).toBe(400);
    expect(hijack.headers.get('content-type')).toContain('text/html');
    // The right browser still can, once; a second resume is refused.
    expect((await browser.get(accepted.body['redirect_to'] as string)).status).toBe(303);
    expect((await browser.get(accepted.body['redirect_to'] as string)).status).toBe(400);
  });

  it('starts over, never a dead end, when the bound browser resumes a used challenge whose answer it never got', async () => {
    const browser = newBrowser();
    const { challenge: codeChallenge } = pkce();
    const start = await browser.get(authorizeUrl({ scope: 'orders:read', code_challenge: codeChallenge, code_challenge_method: 'S256' }));
    const login = locationOf(start);
    const cookieName = bindingCookieName(ui.challengeOf(login, 'login'));
    const verifier = browser.cookie(cookieName) as string;
    const accepted = await ui.acceptLogin(browser, login, { sub: `user-${randomBytes(4).toString('hex')}` });
    const resumeUrl = accepted.body['redirect_to'] as string;
    expect((await browser.get(resumeUrl)).status).toBe(303);
    // The answer lost on its way, its Set-Cookie headers with it: the browser still holds the
    // binding cookie and no OP session.
    const lostAnswer = newBrowser();
    lostAnswer.setCookie(cookieName, verifier);
    const replay = await lostAnswer.get(resumeUrl);
    // The same request again: nobody is signed in here, so a new login challenge, bound anew.
    expect(replay.status).toBe(303);
    const again = locationOf(replay);
    expect(again).toMatch(/\/login\?login_challenge=/);
    expect(ui.challengeOf(again, 'login')).not.toBe(ui.challengeOf(login, 'login'));
    expect((await ui.read(ui.challengeOf(again, 'login'))).body).toMatchObject({ kind: 'login', requested_scope: ['orders:read'] });
    // Used up all the same: without the binding cookie (another browser) it is still refused.
    const other = newBrowser();
    expect((await other.get(resumeUrl)).status).toBe(400);
    // Started over once, never twice: the restarted request's answer replayed gets the error page.
    const signedInAgain = await ui.acceptLogin(lostAnswer, again, { sub: `user-${randomBytes(4).toString('hex')}` });
    const secondResume = signedInAgain.body['redirect_to'] as string;
    const secondCookie = bindingCookieName(ui.challengeOf(again, 'login'));
    const secondVerifier = lostAnswer.cookie(secondCookie) as string;
    expect(locationOf(await lostAnswer.get(secondResume))).toMatch(/\/consent\?consent_challenge=/);
    lostAnswer.setCookie(secondCookie, secondVerifier);
    const refused = await lostAnswer.get(secondResume);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('location')).toBeNull();
    expect(await refused.text()).toContain('already completed');
  });

  it('restarts a replayed consent from the OP session: asked again, never answered twice', async () => {
    const browser = newBrowser();
    const { afterLogin } = await fullFlow(browser, 'orders:read');
    const consent = locationOf(afterLogin);
    const cookieName = bindingCookieName(ui.challengeOf(consent, 'consent'));
    const verifier = browser.cookie(cookieName) as string;
    const accepted = await ui.acceptConsent(browser, consent, { grantScope: ['orders:read'], remember: false });
    const first = new URL(locationOf(await browser.get(accepted.body['redirect_to'] as string)));
    expect(first.searchParams.get('code')).toMatch(/^tsr_ac_/);
    browser.setCookie(cookieName, verifier);
    const replay = locationOf(await browser.get(accepted.body['redirect_to'] as string));
    // Consent was not remembered, so the restarted request asks for it again rather than issue a
    // second code from the used challenge.
    expect(replay).toMatch(/\/consent\?consent_challenge=/);
  });

  it('shows an error page, never a redirect, when the client was deleted while the user signed in', async () => {
    const doomed = await app.client({ grant_types: ['authorization_code'], redirect_uris: [REDIRECT], allowed_scopes: ['orders:read'] });
    const browser = newBrowser();
    const start = await browser.get(
      `${app.url}/oauth2/authorize?${new URLSearchParams({ client_id: doomed.client_id, response_type: 'code', redirect_uri: REDIRECT, state: 's', scope: 'orders:read' })}`,
    );
    const accepted = await ui.acceptLogin(browser, locationOf(start), { sub: `user-${randomBytes(4).toString('hex')}` });
    expect((await app.internal('DELETE', `/internal/clients/${doomed.client_id}`)).status).toBe(204);
    const res = await browser.get(accepted.body['redirect_to'] as string);
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('no longer exists');
  });

  it('shows an error page, never a redirect, for an unregistered redirect_uri', async () => {
    const res = await newBrowser().get(authorizeUrl({ redirect_uri: 'https://evil.example.com/cb', scope: 'orders:read' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('redirect_uri');
  });

  it('redirects other errors with error, state and iss once the redirect_uri is verified', async () => {
    const res = await newBrowser().get(authorizeUrl({ scope: 'orders:read' })); // confidential client without PKCE is fine
    expect(res.status).toBe(303);
    const noPkcePublic = await app.client({ grant_types: ['authorization_code'], redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', allowed_scopes: ['orders:read'] });
    const refused = await newBrowser().get(
      `${app.url}/oauth2/authorize?${new URLSearchParams({ client_id: noPkcePublic.client_id, response_type: 'code', redirect_uri: REDIRECT, state: 's1', scope: 'orders:read' })}`,
    );
    const callback = new URL(locationOf(refused));
    expect(Object.fromEntries(callback.searchParams)).toMatchObject({ error: 'invalid_request', state: 's1', iss: app.issuer });
    const plain = await newBrowser().get(authorizeUrl({ scope: 'orders:read', code_challenge: pkce().challenge, code_challenge_method: 'plain' }));
    expect(new URL(locationOf(plain)).searchParams.get('error')).toBe('invalid_request');
    const badScope = await newBrowser().get(authorizeUrl({ scope: 'admin:all' }));
    expect(new URL(locationOf(badScope)).searchParams.get('error')).toBe('invalid_scope');
  });

  it('answers prompt=none without a session with login_required, and a rejected consent with access_denied', async () => {
    const none = await newBrowser().get(authorizeUrl({ scope: 'orders:read', prompt: 'none' }));
    expect(new URL(locationOf(none)).searchParams.get('error')).toBe('login_required');
    const browser = newBrowser();
    const { afterLogin } = await fullFlow(browser, 'orders:read orders:write');
    const rejected = await ui.reject(browser, locationOf(afterLogin), 'consent');
    const callback = new URL(locationOf(await browser.get(rejected.body['redirect_to'] as string)));
    expect(Object.fromEntries(callback.searchParams)).toMatchObject({ error: 'access_denied', state: 'xyz', iss: app.issuer });
  });

  it('refuses granted scopes beyond those requested, or without the required ones', async () => {
    const browser = newBrowser();
    const { afterLogin } = await fullFlow(browser, 'orders:read');
    const consent = locationOf(afterLogin);
    expect((await ui.acceptConsent(browser, consent, { grantScope: ['orders:read', 'orders:write'] })).status).toBe(400);
    expect((await ui.acceptConsent(browser, consent, { grantScope: [] })).status).toBe(400);
  });

  it('delivers the response by form_post when asked', async () => {
    const browser = newBrowser();
    await fullFlow(browser, 'orders:read').then(async ({ afterLogin }) => {
      const accepted = await ui.acceptConsent(browser, locationOf(afterLogin), { grantScope: ['orders:read'] });
      await browser.get(accepted.body['redirect_to'] as string);
    });
    const res = await browser.get(authorizeUrl({ scope: 'orders:read', response_mode: 'form_post' }));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`action="${REDIRECT}"`);
    expect(html).toMatch(/name="code" value="tsr_ac_/);
    expect(html).toContain(`name="iss" value="${app.issuer}"`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});
