import { testEngines } from '@tessera/test-kit';
import { Oidc, type OidcClient } from '../oidc/support';
import { confirmationValue, expectPageHeaders, iframeSources, logoutUrl, metaRefresh, postLogout, SIGNED_OUT, signIn, silently } from './logout.fixture';

/** OpenID Connect Front-Channel Logout 1.0: the logout page renders the clients' iframes. */
describe.each(testEngines())('front-channel logout (%s)', (engine) => {
  let oidc: Oidc;
  /** Requires iss and sid. */
  let withSession: OidcClient;
  /** Requires iss and sid; its URI has a query of its own. */
  let withQuery: OidcClient;
  /** Registered the URI only. */
  let plain: OidcClient;
  /** Pairwise: its sid is its own, as in its ID tokens. */
  let pairwise: OidcClient;
  /** No front-channel URI. */
  let none: OidcClient;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
    withSession = await oidc.client({
      post_logout_redirect_uris: [SIGNED_OUT],
      frontchannel_logout_uri: 'https://fc-a.example.com/logout',
      frontchannel_logout_session_required: true,
    });
    withQuery = await oidc.client({ frontchannel_logout_uri: 'https://fc-b.example.com/logout?tenant=7&x=a%20b', frontchannel_logout_session_required: true });
    plain = await oidc.client({ frontchannel_logout_uri: 'https://fc-c.example.com/logout' });
    pairwise = await oidc.client({
      redirect_uris: ['https://pairwise.example.com/cb'],
      subject_type: 'pairwise',
      frontchannel_logout_uri: 'https://pairwise.example.com/fc',
      frontchannel_logout_session_required: true,
    });
    none = await oidc.client();
  });
  afterAll(() => oidc?.close());

  const sidOf = async (idToken: string, client: OidcClient) => (await oidc.idToken(idToken, client))['sid'] as string;
  const sessionParams = (sid: string) => `iss=${encodeURIComponent(oidc.app.issuer)}&sid=${encodeURIComponent(sid)}`;

  async function signedInEverywhere() {
    const sub = oidc.newUser();
    const browser = oidc.browser();
    const ids = {
      withSession: await signIn(oidc, browser, withSession, sub),
      withQuery: await signIn(oidc, browser, withQuery, sub),
      plain: await signIn(oidc, browser, plain, sub),
      pairwise: await signIn(oidc, browser, pairwise, sub),
      none: await signIn(oidc, browser, none, sub),
    };
    return { sub, browser, ids };
  }

  it('renders one iframe per client of the ended session that registered a frontchannel_logout_uri, with iss and the sid it knows when required, then moves on to the post_logout_redirect_uri', async () => {
    const { browser, ids } = await signedInEverywhere();
    // Another user's session with the same clients is not this logout's business.
    await signedInEverywhere();

    const res = await browser.get(logoutUrl(oidc, { id_token_hint: ids.withSession, post_logout_redirect_uri: SIGNED_OUT, state: 'fc' }));
    expect(res.status).toBe(200);
    expectPageHeaders(res);
    const html = await res.text();
    expect(html).not.toMatch(/<script/i);
    const pairwiseSid = await sidOf(ids.pairwise, pairwise);
    expect(pairwiseSid).not.toBe(await sidOf(ids.withSession, withSession));
    expect(iframeSources(html).sort()).toEqual(
      [
        `https://fc-a.example.com/logout?${sessionParams(await sidOf(ids.withSession, withSession))}`,
        `https://fc-b.example.com/logout?tenant=7&x=a%20b&${sessionParams(await sidOf(ids.withQuery, withQuery))}`,
        'https://fc-c.example.com/logout',
        `https://pairwise.example.com/fc?${sessionParams(pairwiseSid)}`,
      ].sort(),
    );
    expect(metaRefresh(html)).toBe(`${SIGNED_OUT}?state=fc`);
    expect(html).toContain(`<a href="${SIGNED_OUT}?state=fc">`);
    const csp = res.headers.get('content-security-policy') as string;
    const frameSrc = /frame-src ([^;]+)/.exec(csp)?.[1].split(' ');
    expect(frameSrc?.sort()).toEqual(['https://fc-a.example.com', 'https://fc-b.example.com', 'https://fc-c.example.com', 'https://pairwise.example.com']);
    for (const client of [withSession, none]) expect(await silently(oidc, browser, client)).toMatchObject({ error: 'login_required' });
  });

  it('without post_logout_redirect_uri: the iframes on a signed-out page that goes nowhere', async () => {
    const { browser, ids } = await signedInEverywhere();
    const html = await (await browser.get(logoutUrl(oidc, { id_token_hint: ids.none }))).text();
    expect(iframeSources(html)).toHaveLength(4);
    expect(metaRefresh(html)).toBeUndefined();
    expect(html).toContain('You have signed out');
  });

  it('after the user confirmed, the same iframes', async () => {
    const { browser, ids } = await signedInEverywhere();
    const page = await (await browser.get(logoutUrl(oidc, { client_id: withSession.client_id, post_logout_redirect_uri: SIGNED_OUT }))).text();
    expect(iframeSources(page)).toEqual([]);
    const res = await postLogout(oidc, browser, { logout_confirmation: confirmationValue(page), logout: 'yes' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(iframeSources(html)).toContain(`https://fc-a.example.com/logout?${sessionParams(await sidOf(ids.withSession, withSession))}`);
    expect(metaRefresh(html)).toBe(SIGNED_OUT);
  });

  it('renders nothing when the user declines, nor when there was no session to end', async () => {
    const { browser, ids } = await signedInEverywhere();
    const page = await (await browser.get(logoutUrl(oidc, { client_id: withSession.client_id }))).text();
    const declined = await (await postLogout(oidc, browser, { logout_confirmation: confirmationValue(page), logout: 'no' })).text();
    expect(iframeSources(declined)).toEqual([]);
    expect(declined).toContain('You are still signed in');

    const noSession = await oidc.browser().get(logoutUrl(oidc, { id_token_hint: ids.withSession, post_logout_redirect_uri: SIGNED_OUT }));
    expect(noSession.status).toBe(303);
  });
});
