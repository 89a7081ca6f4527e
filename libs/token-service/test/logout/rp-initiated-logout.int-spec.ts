import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { testEngines, type TestBrowser } from '@tessera/test-kit';
import { storageKey } from '@tessera/token-formats';
import { LogoutRequestEntity } from '../../src/adapters/typeorm/entities';
import { HousekeepingService } from '../../src/housekeeping.service';
import { SigningKeysService } from '../../src/keys/signing-keys.service';
import { dataSourceOf } from '../events/events.fixture';
import { logoutCookieName } from '../../src/sessions/logout-confirmations.service';
import { Oidc, REDIRECT, type OidcClient } from '../oidc/support';
import { confirmationValue, emitted, expectPageHeaders, logoutUrl, postLogout, SIGNED_OUT, signIn, silently } from './logout.fixture';

/** OpenID Connect RP-Initiated Logout 1.0 at /oauth2/logout. */
describe.each(testEngines())('RP-initiated logout (%s)', (engine) => {
  let oidc: Oidc;
  let a: OidcClient;
  let b: OidcClient;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
    a = await oidc.client({ client_name: 'App A', post_logout_redirect_uris: [SIGNED_OUT, 'https://rp.example.com/bye?from=a'] });
    b = await oidc.client({ client_name: 'App B', post_logout_redirect_uris: ['https://b.example.com/signed-out'] });
  });
  afterAll(() => oidc?.close());

  /** A browser signed in to both clients; the ID tokens each got. */
  async function signedInToBoth(sub = oidc.newUser()) {
    const browser = oidc.browser();
    const idTokenA = await signIn(oidc, browser, a, sub);
    const idTokenB = await signIn(oidc, browser, b, sub);
    return { browser, sub, idTokenA, idTokenB };
  }

  const expectSignedIn = async (browser: TestBrowser, client: OidcClient) => expect((await silently(oidc, browser, client))['code']).toBeDefined();
  const expectSignedOut = async (browser: TestBrowser, client: OidcClient) =>
    expect(await silently(oidc, browser, client)).toMatchObject({ error: 'login_required' });

  it('with an id_token_hint of the browser\'s session, logs out at once and redirects to the registered post_logout_redirect_uri with state', async () => {
    const { browser, idTokenA } = await signedInToBoth();
    const res = await browser.get(logoutUrl(oidc, { id_token_hint: idTokenA, post_logout_redirect_uri: SIGNED_OUT, state: 'st/+ &x' }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${SIGNED_OUT}?state=st%2F%2B+%26x`);
    expect(new URL(res.headers.get('location') as string).searchParams.get('state')).toBe('st/+ &x');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(browser.cookie('tessera_session')).toBeUndefined();
  });

  it('afterwards answers prompt=none with login_required for every client of the session, even with the old session cookie', async () => {
    const { browser, idTokenB } = await signedInToBoth();
    const cookie = browser.cookie('tessera_session') as string;
    await expectSignedIn(browser, a);
    expect((await browser.get(logoutUrl(oidc, { id_token_hint: idTokenB }))).status).toBe(200);
    await expectSignedOut(browser, a);
    await expectSignedOut(browser, b);
    browser.setCookie('tessera_session', cookie);
    await expectSignedOut(browser, a);
  });

  it('keeps a query the registered post_logout_redirect_uri has, adding state to it', async () => {
    const { browser, idTokenA } = await signedInToBoth();
    const res = await browser.get(logoutUrl(oidc, { id_token_hint: idTokenA, post_logout_redirect_uri: 'https://rp.example.com/bye?from=a', state: 's1' }));
    expect(res.headers.get('location')).toBe('https://rp.example.com/bye?from=a&state=s1');
  });

  it('without post_logout_redirect_uri, shows a signed-out page', async () => {
    const { browser, idTokenA } = await signedInToBoth();
    const res = await browser.get(logoutUrl(oidc, { id_token_hint: idTokenA, state: 'unused' }));
    expect(res.status).toBe(200);
    expectPageHeaders(res);
    const html = await res.text();
    expect(html).toContain('You have signed out');
    expect(html).not.toContain('unused');
    await expectSignedOut(browser, a);
  });

  it('accepts an expired id_token_hint (RP-Initiated Logout §2: our signature and issuer are what count)', async () => {
    const { browser, idTokenA } = await signedInToBoth();
    oidc.clock.advance(6 * 3600); // the ID token lived 10 minutes; the OP session lives on
    await expectSignedIn(browser, a);
    const res = await browser.get(logoutUrl(oidc, { id_token_hint: idTokenA, post_logout_redirect_uri: SIGNED_OUT }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(SIGNED_OUT);
    await expectSignedOut(browser, a);
  });

  it('reads a pairwise client\'s hint by the subject and sid that client knows', async () => {
    const pairwise = await oidc.client({ redirect_uris: ['https://pairwise.example.com/cb'], subject_type: 'pairwise', post_logout_redirect_uris: ['https://pairwise.example.com/bye'] });
    const sub = oidc.newUser();
    const browser = oidc.browser();
    const idToken = await signIn(oidc, browser, pairwise, sub);
    expect((await oidc.idToken(idToken, pairwise)).sub).not.toBe(sub);
    const res = await browser.get(logoutUrl(oidc, { id_token_hint: idToken, post_logout_redirect_uri: 'https://pairwise.example.com/bye' }));
    expect(res.status).toBe(303);
    await expectSignedOut(browser, pairwise);
  });

  it('accepts the request as a POSTed form (form serialization) from the same site', async () => {
    const { browser, idTokenA } = await signedInToBoth();
    const res = await postLogout(oidc, browser, { id_token_hint: idTokenA, post_logout_redirect_uri: SIGNED_OUT, state: 'posted' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${SIGNED_OUT}?state=posted`);
    await expectSignedOut(browser, b);
  });

  it('ends the login session too: session.ended for it, in the outbox with the OP session\'s end', async () => {
    const { browser, sub, idTokenA } = await signedInToBoth();
    expect(await emitted(oidc, 'session.ended', { sub })).toEqual([]);
    await browser.get(logoutUrl(oidc, { id_token_hint: idTokenA }));
    expect(await emitted(oidc, 'session.ended', { sub })).toEqual([{ sessionId: `ls-${sub}`, sub }]);
    // Logging out again (another tab, a retry) ends nothing more and emits nothing more.
    const again = await browser.get(logoutUrl(oidc, { id_token_hint: idTokenA, post_logout_redirect_uri: SIGNED_OUT }));
    expect(again.headers.get('location')).toBe(SIGNED_OUT);
    expect(await emitted(oidc, 'session.ended', { sub })).toHaveLength(1);
  });

  it('without any OP session, still redirects to a verified post_logout_redirect_uri (a logout is idempotent)', async () => {
    const { idTokenA } = await signedInToBoth();
    const res = await oidc.browser().get(logoutUrl(oidc, { id_token_hint: idTokenA, post_logout_redirect_uri: SIGNED_OUT, state: 'x' }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${SIGNED_OUT}?state=x`);
  });

  describe('never follows a post_logout_redirect_uri that is not registered for the client', () => {
    it.each([
      ['another site', 'https://evil.example/signed-out'],
      ['a longer path', `${SIGNED_OUT}/more`],
      ['an added query', `${SIGNED_OUT}?next=https://evil.example`],
      ['another case', SIGNED_OUT.toUpperCase()],
      ['a trailing slash', `${SIGNED_OUT}/`],
      ['another client\'s URI', 'https://b.example.com/signed-out'],
      ['a fragment', `${SIGNED_OUT}#x`],
      ['a script', 'javascript:alert(1)'],
    ])('%s: an error page, no redirect, and nobody logged out', async (_case, uri) => {
      const { browser, idTokenA } = await signedInToBoth();
      const res = await browser.get(logoutUrl(oidc, { id_token_hint: idTokenA, post_logout_redirect_uri: uri, state: 's' }));
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expectPageHeaders(res);
      const html = await res.text();
      expect(html).toContain('invalid_request');
      expect(html).toContain('post_logout_redirect_uri is not registered for this client');
      expect(html).not.toContain('http-equiv="refresh"');
      await expectSignedIn(browser, a);
    });

    it('nor one named with no client to check it against', async () => {
      const { browser } = await signedInToBoth();
      const res = await browser.get(logoutUrl(oidc, { post_logout_redirect_uri: SIGNED_OUT }));
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('needs an id_token_hint or a client_id');
    });

    it('nor after the confirmation page (the URI is checked before it is shown)', async () => {
      const { browser } = await signedInToBoth();
      const res = await browser.get(logoutUrl(oidc, { client_id: a.client_id, post_logout_redirect_uri: 'https://evil.example/' }));
      expect(res.status).toBe(400);
      expect(await res.text()).not.toContain('logout_confirmation');
    });
  });

  describe('asks the user first (RP-Initiated Logout §2)', () => {
    it('without an id_token_hint: a confirmation page, and the session lives until the user says yes', async () => {
      const { browser } = await signedInToBoth();
      const res = await browser.get(logoutUrl(oidc, { client_id: a.client_id, post_logout_redirect_uri: SIGNED_OUT, state: 'c1' }));
      expect(res.status).toBe(200);
      expectPageHeaders(res);
      const csp = res.headers.get('content-security-policy') as string;
      expect(csp).toContain("form-action 'self' https://rp.example.com");
      const html = await res.text();
      expect(html).not.toMatch(/<script/i);
      expect(html).toContain('App A asked to sign you out');
      expect(html).toContain(`<form method="post" action="${oidc.app.issuer}/oauth2/logout">`);
      await expectSignedIn(browser, a);

      const yes = await postLogout(oidc, browser, { logout_confirmation: confirmationValue(html), logout: 'yes' });
      expect(yes.status).toBe(303);
      expect(yes.headers.get('location')).toBe(`${SIGNED_OUT}?state=c1`);
      await expectSignedOut(browser, a);
      await expectSignedOut(browser, b);
    });

    it('with an id_token_hint of another user: the confirmation page; nobody is logged out silently', async () => {
      const { browser } = await signedInToBoth();
      const other = await signedInToBoth();
      const res = await browser.get(logoutUrl(oidc, { id_token_hint: other.idTokenA, post_logout_redirect_uri: SIGNED_OUT }));
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('name="logout_confirmation"');
      await expectSignedIn(browser, a);
      await expectSignedIn(other.browser, a);
    });

    it('with an id_token_hint of the same user from an earlier OP session (another sid)', async () => {
      const sub = oidc.newUser();
      const earlier = await signedInToBoth(sub);
      const { browser } = await signedInToBoth(sub);
      const res = await browser.get(logoutUrl(oidc, { id_token_hint: earlier.idTokenA }));
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('name="logout_confirmation"');
      await expectSignedIn(browser, a);
    });

    it('with a logout_hint that names another session or user than the browser\'s', async () => {
      const { browser, idTokenA } = await signedInToBoth();
      const res = await browser.get(logoutUrl(oidc, { id_token_hint: idTokenA, logout_hint: 'someone-else@example.com' }));
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('name="logout_confirmation"');
      await expectSignedIn(browser, a);
    });

    it('but a logout_hint naming the browser\'s own sid or sub does not', async () => {
      for (const claim of ['sid', 'sub'] as const) {
        const { browser, idTokenA } = await signedInToBoth();
        const hint = (await oidc.idToken(idTokenA, a))[claim] as string;
        const res = await browser.get(logoutUrl(oidc, { id_token_hint: idTokenA, logout_hint: hint, post_logout_redirect_uri: SIGNED_OUT }));
        expect({ claim, status: res.status }).toEqual({ claim, status: 303 });
      }
    });

    it('a form POSTed from the client\'s site (no SameSite=Lax session cookie) is confirmed on our page, where the answer carries the cookie', async () => {
      const { browser, idTokenA } = await signedInToBoth();
      // What a cross-site form post looks like to the OP: the parameters, no session cookie.
      const crossSite = await fetch(`${oidc.app.url}/oauth2/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ id_token_hint: idTokenA, post_logout_redirect_uri: SIGNED_OUT, state: 'xs' }).toString(),
      });
      expect(crossSite.status).toBe(200);
      const [binding] = crossSite.headers.getSetCookie();
      expect(binding).toMatch(/^tessera_lv_[\w-]{16}=[^;]+;.*HttpOnly/i);
      expect(binding).toMatch(/SameSite=Strict/i);
      const [name, value] = binding.split(';')[0].split('=');
      browser.setCookie(name, value);
      await expectSignedIn(browser, a);
      const yes = await postLogout(oidc, browser, { logout_confirmation: confirmationValue(await crossSite.text()), logout: 'yes' });
      expect(yes.headers.get('location')).toBe(`${SIGNED_OUT}?state=xs`);
      await expectSignedOut(browser, a);
    });

    it('does not follow a post_logout_redirect_uri the client unregistered before the user answered', async () => {
      const metadata = { grant_types: ['authorization_code'], redirect_uris: [REDIRECT], allowed_scopes: ['openid'] };
      const c = await oidc.client({ ...metadata, post_logout_redirect_uris: ['https://c.example.com/bye'] });
      const browser = oidc.browser();
      await signIn(oidc, browser, c, oidc.newUser());
      const page = await (await browser.get(logoutUrl(oidc, { client_id: c.client_id, post_logout_redirect_uri: 'https://c.example.com/bye' }))).text();
      expect((await oidc.app.internal('PUT', `/internal/clients/${c.client_id}`, metadata)).status).toBe(200);
      const res = await postLogout(oidc, browser, { logout_confirmation: confirmationValue(page), logout: 'yes' });
      expect(res.status).toBe(200);
      expect(res.headers.get('location')).toBeNull();
      const html = await res.text();
      expect(html).toContain('You have signed out');
      expect(html).not.toContain('c.example.com');
      await expectSignedOut(browser, c);
    });

    it('"stay signed in" keeps the OP session and sends the browser back to the verified URI', async () => {
      const { browser } = await signedInToBoth();
      const page = await (await browser.get(logoutUrl(oidc, { client_id: a.client_id, post_logout_redirect_uri: SIGNED_OUT, state: 'no' }))).text();
      const no = await postLogout(oidc, browser, { logout_confirmation: confirmationValue(page), logout: 'no' });
      expect(no.status).toBe(303);
      expect(no.headers.get('location')).toBe(`${SIGNED_OUT}?state=no`);
      await expectSignedIn(browser, a);
    });
  });

  describe('the confirmation cannot be forged, replayed or answered from another browser (CSRF)', () => {
    async function asked() {
      const signedIn = await signedInToBoth();
      const page = await (await signedIn.browser.get(logoutUrl(oidc, { client_id: a.client_id }))).text();
      return { ...signedIn, value: confirmationValue(page) };
    }
    const refused = async (res: Response) => {
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('This sign-out confirmation is unknown, expired, already used or was shown to another browser');
    };

    it('another browser with the value but not the verifier cookie is refused, and nobody is logged out', async () => {
      const { browser, value } = await asked();
      const attacker = oidc.browser();
      attacker.setCookie('tessera_session', browser.cookie('tessera_session') as string);
      await refused(await postLogout(oidc, attacker, { logout_confirmation: value, logout: 'yes' }));
      await expectSignedIn(browser, a);
    });

    it('a made-up value is refused', async () => {
      const { browser } = await asked();
      await refused(await postLogout(oidc, browser, { logout_confirmation: 'forged', logout: 'yes' }));
      await refused(await postLogout(oidc, browser, { logout_confirmation: '', logout: 'yes' }));
      await expectSignedIn(browser, a);
    });

    it('the verifier cookie of one confirmation does not answer another', async () => {
      const first = await asked();
      const second = await asked();
      first.browser.setCookie(logoutCookieName(first.value), second.browser.cookie(logoutCookieName(second.value)) as string);
      await refused(await postLogout(oidc, first.browser, { logout_confirmation: first.value, logout: 'yes' }));
      await expectSignedIn(first.browser, a);
    });

    it('a value is used once', async () => {
      const { browser, value } = await asked();
      expect((await postLogout(oidc, browser, { logout_confirmation: value, logout: 'no' })).status).toBe(200);
      await refused(await postLogout(oidc, browser, { logout_confirmation: value, logout: 'yes' }));
      await expectSignedIn(browser, a);
    });

    it('expires with the challenge lifetime', async () => {
      const { browser, value } = await asked();
      oidc.clock.advance(601);
      await refused(await postLogout(oidc, browser, { logout_confirmation: value, logout: 'yes' }));
      // Housekeeping deletes it then.
      const rows = () => dataSourceOf(oidc.app).getRepository(LogoutRequestEntity).countBy({ storageKey: storageKey(value) });
      expect(await rows()).toBe(1);
      await oidc.app.running.app.get(HousekeepingService).sweep();
      expect(await rows()).toBe(0);
    });

    it('does not end a session signed in after the question was asked', async () => {
      const { browser, value, sub, idTokenA } = await asked();
      // The user logs out in another tab and signs in again (a new OP session, a new sid) before answering.
      expect((await browser.get(logoutUrl(oidc, { id_token_hint: idTokenA }))).status).toBe(200);
      await signIn(oidc, browser, a, sub);
      expect(browser.cookie(logoutCookieName(value))).toBeDefined();
      const res = await postLogout(oidc, browser, { logout_confirmation: value, logout: 'yes' });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('You signed in again after this sign-out was asked');
      await expectSignedIn(browser, a);
    });
  });

  describe('bad input gets a clear error page, never a redirect nor a 500', () => {
    async function foreignIssuerHint(sub: string) {
      // Our own key, another issuer: only the issuer check can refuse it.
      const signer = await oidc.app.running.app.get(SigningKeysService).signer('RS256');
      return signer.sign({ iss: 'https://other-op.example', sub, aud: a.client_id, iat: oidc.now(), exp: oidc.now() + 600 });
    }
    async function foreignKeyHint(sub: string) {
      const { privateKey, publicKey } = await generateKeyPair('RS256');
      const kid = (await exportJWK(publicKey)).kid ?? 'foreign';
      return new SignJWT({ sub, aud: a.client_id })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(oidc.app.issuer)
        .setIssuedAt(oidc.now())
        .setExpirationTime(oidc.now() + 600)
        .sign(privateKey);
    }

    it.each([
      ['a malformed id_token_hint', async () => ({ id_token_hint: 'not-a-jwt' }), 'id_token_hint is not an ID token issued by this server'],
      ['a three-part hint that is not a JWT', async () => ({ id_token_hint: 'a.b.c' }), 'id_token_hint is not an ID token issued by this server'],
      ['an unsigned hint', async () => ({ id_token_hint: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.` }), 'id_token_hint is not an ID token issued by this server'],
      ['a hint from another issuer', async (sub: string) => ({ id_token_hint: await foreignIssuerHint(sub) }), 'id_token_hint was issued by another OpenID Provider'],
      ['a hint signed with a key that is not ours', async (sub: string) => ({ id_token_hint: await foreignKeyHint(sub) }), 'id_token_hint is not an ID token issued by this server'],
      ['a client_id that is not the hint\'s audience', async (_sub: string, idToken: string) => ({ id_token_hint: idToken, client_id: b.client_id }), 'client_id is not the client the id_token_hint was issued to'],
      ['an unknown client_id', async () => ({ client_id: 'no-such-client' }), 'client_id is not a registered client'],
      ['an oversized state', async () => ({ client_id: a.client_id, state: 'x'.repeat(5000) }), 'Parameter &#39;state&#39; is longer than'],
    ])('%s', async (_case, params, message) => {
      const { browser, sub, idTokenA } = await signedInToBoth();
      const res = await browser.get(logoutUrl(oidc, { ...(await params(sub, idTokenA)), post_logout_redirect_uri: SIGNED_OUT }));
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expectPageHeaders(res);
      const html = await res.text();
      expect(html).toContain('invalid_request');
      expect(html).toContain(message);
      await expectSignedIn(browser, a);
    });

    it('a parameter sent twice', async () => {
      const { browser, idTokenA } = await signedInToBoth();
      const res = await browser.get(`${logoutUrl(oidc, { id_token_hint: idTokenA })}&id_token_hint=${idTokenA}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('Parameter &#39;id_token_hint&#39; was sent more than once');
      await expectSignedIn(browser, a);
    });

    it('a JSON body', async () => {
      const { browser, idTokenA } = await signedInToBoth();
      const res = await browser.request(`${oidc.app.issuer}/oauth2/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id_token_hint: idTokenA }),
      });
      expect([400, 415]).toContain(res.status);
      await expectSignedIn(browser, a);
    });
  });
});
