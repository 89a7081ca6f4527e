import { OutboxEntity } from '@tessera/events';
import { locationOf, testEngines, type TestBrowser } from '@tessera/test-kit';
import { consumed, dataSourceOf, publish } from '../events/events.fixture';
import { callbackOf, isInteraction, Oidc, type OidcClient } from '../oidc/support';
import { emitted, logoutUrl, signIn, silently } from './logout.fixture';

/**
 * One lifecycle: `session.ended` (a login session ended in the authentication service) ends every
 * OP session built on it and queues one back-channel logout notice per client that registered a
 * backchannel_logout_uri, once, however often the event comes.
 */
describe.each(testEngines())('session.ended (%s)', (engine) => {
  let oidc: Oidc;
  let a: OidcClient;
  let b: OidcClient;
  let c: OidcClient;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
    a = await oidc.client({ backchannel_logout_uri: 'https://rp-a.test/backchannel' });
    b = await oidc.client({ backchannel_logout_uri: 'https://rp-b.test/backchannel', backchannel_logout_session_required: true });
    c = await oidc.client();
  });
  afterAll(() => oidc?.close());

  const sidOf = async (idToken: string, client: OidcClient) => (await oidc.idToken(idToken, client))['sid'] as string;
  const endLoginSession = async (sessionId: string, sub: string) => consumed(oidc.app, await publish(oidc.app, 'session.ended', { sessionId, sub }));
  const expectSignedOut = async (browser: TestBrowser, client: OidcClient) =>
    expect(await silently(oidc, browser, client)).toMatchObject({ error: 'login_required' });

  it('ends the OP session and queues one notice per client with a backchannel_logout_uri; delivered twice, it ends once and notifies once', async () => {
    const sub = oidc.newUser();
    const browser = oidc.browser();
    const idToken = await signIn(oidc, browser, a, sub);
    await signIn(oidc, browser, b, sub);
    await signIn(oidc, browser, c, sub);
    // A second authorization of the same client on the same session is recorded once.
    expect((await silently(oidc, browser, a))['code']).toBeDefined();
    const sid = await sidOf(idToken, a);

    await endLoginSession(`ls-${sub}`, sub);
    await endLoginSession(`ls-${sub}`, sub);

    const notices = await emitted(oidc, 'logout.backchannel.requested', { sub });
    expect(notices).toHaveLength(2);
    expect(notices).toEqual(expect.arrayContaining([{ clientId: a.client_id, sub, sid }, { clientId: b.client_id, sub, sid }]));
    for (const client of [a, b, c]) await expectSignedOut(browser, client);
  });

  it('ends only the OP sessions of that login session', async () => {
    const sub = oidc.newUser();
    const first = oidc.browser();
    const second = oidc.browser();
    const firstIdToken = await signIn(oidc, first, a, sub, `ls-1-${sub}`);
    await signIn(oidc, second, a, sub, `ls-2-${sub}`);

    await endLoginSession(`ls-1-${sub}`, sub);

    await expectSignedOut(first, a);
    expect((await silently(oidc, second, a))['code']).toBeDefined();
    expect(await emitted(oidc, 'logout.backchannel.requested', { sub })).toEqual([{ clientId: a.client_id, sub, sid: await sidOf(firstIdToken, a) }]);
  });

  it('ends every OP session on the login session (a new sign-in on the same login session made another)', async () => {
    const sub = oidc.newUser();
    const browser = oidc.browser();
    const before = await signIn(oidc, browser, a, sub);
    const older = oidc.browser();
    older.setCookie('tessera_session', browser.cookie('tessera_session') as string);
    // prompt=login: a new authentication, a new OP session (a new sid), on the same login session.
    let res = await oidc.authorize(browser, b, { prompt: 'login' });
    const accepted = await oidc.acceptLoginRaw(browser, locationOf(res), { sub, login_session_id: `ls-${sub}`, amr: ['pwd'], auth_time: oidc.now(), remember: true });
    res = await browser.get(accepted.body['redirect_to'] as string);
    if (isInteraction(res, 'consent')) res = await oidc.consent(browser, locationOf(res));
    const after = (await oidc.redeem(b, callbackOf(res).params['code'])).id_token as string;
    expect(await sidOf(after, b)).not.toBe(await sidOf(before, a));
    expect((await silently(oidc, older, a))['code']).toBeDefined();

    await endLoginSession(`ls-${sub}`, sub);

    await expectSignedOut(browser, b);
    await expectSignedOut(older, a);
    const notices = await emitted(oidc, 'logout.backchannel.requested', { sub });
    expect(notices).toEqual(
      expect.arrayContaining([
        { clientId: a.client_id, sub, sid: await sidOf(before, a) },
        { clientId: b.client_id, sub, sid: await sidOf(after, b) },
      ]),
    );
    expect(notices).toHaveLength(2);
  });

  it('announces nothing again when the session.ended of an RP-initiated logout comes back to the token service', async () => {
    const sub = oidc.newUser();
    const browser = oidc.browser();
    const idToken = await signIn(oidc, browser, a, sub);
    await signIn(oidc, browser, b, sub);
    await browser.get(logoutUrl(oidc, { id_token_hint: idToken }));
    expect(await emitted(oidc, 'logout.backchannel.requested', { sub })).toHaveLength(2);

    const rows = await dataSourceOf(oidc.app).getRepository(OutboxEntity).findBy({ name: 'session.ended' });
    const own = rows.find((row) => JSON.parse(row.payload).sub === sub);
    if (!own) throw new Error('no session.ended');
    await consumed(oidc.app, own.id);
    expect(await emitted(oidc, 'logout.backchannel.requested', { sub })).toHaveLength(2);
  });

  it('password.changed and user.deleted end no OP session themselves (the login sessions\' session.ended does): no client is notified twice', async () => {
    const sub = oidc.newUser();
    const browser = oidc.browser();
    await signIn(oidc, browser, a, sub);
    await consumed(oidc.app, await publish(oidc.app, 'password.changed', { sub }));
    expect((await silently(oidc, browser, a))['code']).toBeDefined();
    await consumed(oidc.app, await publish(oidc.app, 'user.deleted', { sub }));
    // The grant is gone (consent_required), the OP session is not.
    expect(await silently(oidc, browser, a)).toMatchObject({ error: 'consent_required' });
    expect(await emitted(oidc, 'logout.backchannel.requested', { sub })).toEqual([]);

    await endLoginSession(`ls-${sub}`, sub);
    expect(await emitted(oidc, 'logout.backchannel.requested', { sub })).toHaveLength(1);
    await expectSignedOut(browser, a);
  });

  it('for a login session with no OP session, does nothing', async () => {
    const sub = oidc.newUser();
    await endLoginSession(`ls-${sub}`, sub);
    expect(await emitted(oidc, 'logout.backchannel.requested', { sub })).toEqual([]);
  });
});
