import { generateKeyPair, SignJWT } from 'jose';
import { locationOf, testEngines, type TestBrowser } from '@tessera/test-kit';
import { callbackOf, isInteraction, Oidc, type LoginOptions, type OidcClient } from './support';

const ACR_PWD = 'urn:tessera:acr:pwd';
const ACR_MFA = 'urn:tessera:acr:mfa';

/** OpenID Connect Core §3.1.2.1 (prompt, max_age, id_token_hint, display, acr_values) and §3.1.2.6 (errors). */
describe.each(testEngines())('prompts and session checks (%s)', (engine) => {
  let oidc: Oidc;
  let client: OidcClient;
  let other: OidcClient;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
    client = await oidc.client();
    other = await oidc.client();
  });
  afterAll(() => oidc?.close());

  /** A browser with an OP session and a remembered grant for `client`; also the ID token it got. */
  async function signedIn(login: Partial<LoginOptions> = {}, c = client) {
    const browser = oidc.browser();
    const sub = login.sub ?? oidc.newUser();
    const res = await oidc.signIn(browser, c, {}, { ...login, sub });
    const tokens = await oidc.redeem(c, callbackOf(res).params['code']);
    return { browser, sub, idToken: tokens.id_token as string };
  }

  const silent = (browser: TestBrowser, params: Record<string, string>, c = client) =>
    oidc.authorize(browser, c, { prompt: 'none', ...params });
  const errorOf = (res: Response) => callbackOf(res).params['error'];
  const codeOf = (res: Response) => callbackOf(res).params['code'];

  describe('prompt=none', () => {
    it('answers login_required without a session', async () => {
      const res = await silent(oidc.browser(), { state: 's-none' });
      expect(callbackOf(res).params).toMatchObject({
        error: 'login_required',
        state: 's-none',
        iss: oidc.app.issuer,
      });
    });

    it('answers consent_required with a session but no remembered consent for the client', async () => {
      const { browser } = await signedIn();
      expect(errorOf(await silent(browser, {}, other))).toBe('consent_required');
    });

    it('answers a code without any interaction with a session and a remembered consent, in the same OP session (sid)', async () => {
      const { browser, sub, idToken } = await signedIn();
      const res = await silent(browser, {});
      expect(res.status).toBe(303);
      const tokens = await oidc.redeem(client, codeOf(res));
      const again = await oidc.idToken(tokens.id_token, client);
      expect(again.sub).toBe(sub);
      expect(again['sid']).toBe((await oidc.idToken(idToken, client))['sid']);
    });

    it('cannot be combined with another prompt value, and unknown values are refused', async () => {
      expect(errorOf(await oidc.authorize(oidc.browser(), client, { prompt: 'none login' }))).toBe(
        'invalid_request',
      );
      expect(errorOf(await oidc.authorize(oidc.browser(), client, { prompt: 'bogus' }))).toBe(
        'invalid_request',
      );
    });
  });

  it('prompt=login asks for a login despite the session, and the new login gets a new sid and auth_time', async () => {
    const { browser, sub, idToken } = await signedIn({ authTime: oidc.now() - 600 });
    const res = await oidc.authorize(browser, client, { prompt: 'login' });
    expect(isInteraction(res, 'login')).toBe(true);
    const info = await oidc.ui.read(oidc.ui.challengeOf(locationOf(res), 'login'));
    expect(info.body).toMatchObject({ prompt: ['login'], subject: sub });
    const back = await oidc.login(browser, locationOf(res), { sub });
    const tokens = await oidc.redeem(client, codeOf(back));
    const before = await oidc.idToken(idToken, client);
    const after = await oidc.idToken(tokens.id_token, client);
    expect(after.auth_time).toBe(oidc.now());
    expect(after['sid']).not.toBe(before['sid']);
  });

  it('prompt=select_account hands the choice to the login UI', async () => {
    const { browser } = await signedIn();
    expect(isInteraction(await oidc.authorize(browser, client, { prompt: 'select_account' }), 'login')).toBe(
      true,
    );
  });

  describe('max_age', () => {
    it('asks for a login when the session is older than max_age, and prompt=none then gets login_required', async () => {
      const { browser } = await signedIn({ authTime: oidc.now() - 100 });
      for (const maxAge of ['0', '50', '99']) {
        expect({
          maxAge,
          login: isInteraction(await oidc.authorize(browser, client, { max_age: maxAge }), 'login'),
        }).toEqual({ maxAge, login: true });
        expect(errorOf(await silent(browser, { max_age: maxAge }))).toBe('login_required');
      }
      const fresh = await silent(browser, { max_age: '3600' });
      expect(codeOf(fresh)).toEqual(expect.any(String));
    });

    it("puts the login challenge's max_age where the UI can read it, and the ID token carries auth_time", async () => {
      const { browser, sub } = await signedIn({ authTime: oidc.now() - 100 });
      const res = await oidc.authorize(browser, client, { max_age: '10' });
      expect((await oidc.ui.read(oidc.ui.challengeOf(locationOf(res), 'login'))).body['max_age']).toBe(10);
      const back = await oidc.login(browser, locationOf(res), { sub });
      const tokens = await oidc.redeem(client, codeOf(back));
      expect((await oidc.idToken(tokens.id_token, client)).auth_time).toBe(oidc.now());
    });

    it('rejects a max_age that is not a whole number', async () => {
      for (const maxAge of ['-1', 'ten', '1.5'])
        expect(errorOf(await oidc.authorize(oidc.browser(), client, { max_age: maxAge }))).toBe(
          'invalid_request',
        );
    });

    it("applies the client's default_max_age when the request names none", async () => {
      const strict = await oidc.client({ default_max_age: 60 });
      // Signed in 100 s ago through another client (a login that old could not satisfy this one).
      const { browser } = await signedIn({ authTime: oidc.now() - 100 });
      expect(isInteraction(await oidc.authorize(browser, strict), 'login')).toBe(true);
      expect(errorOf(await silent(browser, {}, strict))).toBe('login_required');
    });
  });

  describe('id_token_hint', () => {
    it('answers login_required to prompt=none when the hint names another user than the one signed in', async () => {
      const alice = await signedIn();
      const bob = await signedIn();
      expect(errorOf(await silent(bob.browser, { id_token_hint: alice.idToken }))).toBe('login_required');
      // Without prompt=none it asks for a login instead of answering for the wrong user.
      expect(
        isInteraction(await oidc.authorize(bob.browser, client, { id_token_hint: alice.idToken }), 'login'),
      ).toBe(true);
      // The hint of the user signed in is satisfied silently.
      expect(codeOf(await silent(bob.browser, { id_token_hint: bob.idToken }))).toEqual(expect.any(String));
    });

    it('shows the hinted subject to the login UI', async () => {
      const alice = await signedIn();
      const res = await oidc.authorize(oidc.browser(), client, { id_token_hint: alice.idToken });
      expect(
        (await oidc.ui.read(oidc.ui.challengeOf(locationOf(res), 'login'))).body['id_token_hint_sub'],
      ).toBe(alice.sub);
    });

    it('refuses a tampered, foreign-signed, other-client or non-ID-token hint with invalid_request', async () => {
      const alice = await signedIn();
      const bob = await signedIn();
      const [header, payload, signature] = alice.idToken.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const tampered = [
        header,
        Buffer.from(JSON.stringify({ ...claims, sub: bob.sub })).toString('base64url'),
        signature,
      ].join('.');
      const { privateKey } = await generateKeyPair('RS256');
      const foreign = await new SignJWT({ ...claims, sub: bob.sub })
        .setProtectedHeader({
          alg: 'RS256',
          kid: JSON.parse(Buffer.from(header, 'base64url').toString()).kid,
        })
        .sign(privateKey);
      const unsigned = [Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url'), payload, ''].join(
        '.',
      );
      const forOther = (await signedIn({ sub: bob.sub }, other)).idToken;
      for (const [what, hint] of Object.entries({
        tampered,
        foreign,
        unsigned,
        forOther,
        garbage: 'not.a.jwt',
      })) {
        const res = await silent(bob.browser, { id_token_hint: hint, state: 's-hint' });
        expect({ what, ...callbackOf(res).params }).toMatchObject({
          what,
          error: 'invalid_request',
          state: 's-hint',
        });
      }
    });
  });

  it('refuses a display value OpenID Connect does not define, and accepts the defined ones', async () => {
    expect(errorOf(await oidc.authorize(oidc.browser(), client, { display: 'bogus' }))).toBe(
      'invalid_request',
    );
    for (const display of ['page', 'popup', 'touch', 'wap']) {
      const res = await oidc.authorize(oidc.browser(), client, { display });
      expect({ display, login: isInteraction(res, 'login') }).toEqual({ display, login: true });
    }
  });

  describe('acr_values', () => {
    it('asks a password-only session to step up for acr_values=mfa (prompt=none: login_required)', async () => {
      const { browser, sub } = await signedIn({ amr: ['pwd'] });
      const res = await oidc.authorize(browser, client, { acr_values: ACR_MFA });
      expect(isInteraction(res, 'login')).toBe(true);
      expect((await oidc.ui.read(oidc.ui.challengeOf(locationOf(res), 'login'))).body['acr_values']).toEqual([
        ACR_MFA,
      ]);
      expect(errorOf(await silent(browser, { acr_values: ACR_MFA }))).toBe('login_required');
      const stepped = await oidc.login(browser, locationOf(res), { sub, amr: ['pwd', 'otp'] });
      const tokens = await oidc.redeem(client, codeOf(stepped));
      expect((await oidc.idToken(tokens.id_token, client))['acr']).toBe(ACR_MFA);
    });

    it('lets an mfa session satisfy acr_values of mfa or pwd without a login', async () => {
      const { browser } = await signedIn({ amr: ['pwd', 'otp'] });
      for (const acr of [ACR_MFA, ACR_PWD, `${ACR_PWD} ${ACR_MFA}`]) {
        expect({ acr, code: typeof codeOf(await silent(browser, { acr_values: acr })) }).toEqual({
          acr,
          code: 'string',
        });
      }
    });

    it('answers login_required to prompt=none when an essential acr claim is not met by the session', async () => {
      const { browser } = await signedIn({ amr: ['pwd'] });
      const claims = JSON.stringify({ id_token: { acr: { essential: true, values: [ACR_MFA] } } });
      expect(errorOf(await silent(browser, { claims }))).toBe('login_required');
    });

    it('treats an acr requested as a voluntary claim like acr_values', async () => {
      const { browser } = await signedIn({ amr: ['pwd'] });
      const claims = JSON.stringify({ id_token: { acr: { values: [ACR_MFA] } } });
      expect(errorOf(await silent(browser, { claims }))).toBe('login_required');
    });
  });

  // Last: it moves the clock past the ID tokens issued so far.
  describe('an expired id_token_hint', () => {
    it('is still accepted as a hint (§3.1.2.1: "the ID Token need not be valid")', async () => {
      const alice = await signedIn();
      oidc.clock.advance(700);
      await expect(oidc.verify(alice.idToken, client.client_id)).rejects.toThrow(/exp/);
      const res = await silent(alice.browser, { id_token_hint: alice.idToken });
      expect(codeOf(res)).toEqual(expect.any(String));
    });
  });
});
