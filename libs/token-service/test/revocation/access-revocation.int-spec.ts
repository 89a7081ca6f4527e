import { BullMqQueueDriver, InProcessQueueDriver, inTransaction, Outbox, QueueDriver, queueName } from '@tessera/events';
import { eventually, locationOf, testRedisUrl, type TestBrowser } from '@tessera/test-kit';
import { startLogoutListener, type LogoutListener } from '../backchannel/backchannel-logout.fixture';
import { callbackOf, isInteraction, Oidc, type OidcClient } from '../oidc/support';
import type { TestApp } from '../support/token-service-app';
import {
  aRevocation,
  cases,
  clientToken,
  dataSourceOf,
  grantedClients,
  isActive,
  logoutClaims,
  quiescent,
  refresh,
  requestRevocation,
  sessionClients,
  settled,
} from './access-revocation.fixture';

/** A resource server whose access tokens are JWTs: a `resource` naming it gets one. */
const JWT_API = 'https://api.test/revocation-jwt';

/** What one user holds from one client after signing in twice (plain, then for JWT_API). */
interface Held {
  reference: string;
  jwt: string;
  refresh: string[];
  /** The `sub` and `sid` the client knows, from its ID token. */
  idSub: string;
  sid: string;
}

const allOf = (held: Held) => [held.reference, held.jwt, ...held.refresh];

/**
 * An administrator revokes a client's access (`revocation.requested` from the admin API): the
 * token service carries it out and answers `revocation.completed`.
 */
describe.each(cases())('access revocation ($engine, $queue queue)', ({ engine, queue }) => {
  let oidc: Oidc;
  let app: TestApp;
  let rp: LogoutListener;
  let n = 0;

  beforeAll(async () => {
    rp = await startLogoutListener();
    oidc = await Oidc.start(engine, {
      TESSERA_OUTBOUND_ALLOW_PRIVATE: 'true',
      TESSERA_BACKCHANNEL_RETRY_MS: '10',
      ...(queue === 'bullmq' ? { REDIS_URL: testRedisUrl() as string } : {}),
    });
    app = oidc.app;
    expect((await app.internal('POST', '/internal/resource-servers', { identifier: JWT_API, access_token_format: 'jwt' })).status).toBe(201);
  });
  afterAll(async () => {
    await oidc?.close();
    await rp?.close();
  });

  /** A code-flow client that may hold refresh tokens and act for itself, with a back-channel logout endpoint of its own. */
  async function aClient(metadata: Record<string, unknown> = {}): Promise<OidcClient & { endpoint: string }> {
    const endpoint = `/logout-${++n}`;
    const client = await oidc.client({
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      backchannel_logout_uri: `${rp.url}${endpoint}`,
      ...metadata,
    });
    return { ...client, endpoint };
  }

  /** The user signs in to the client in the browser twice: a reference token, then a JWT for JWT_API, each with a refresh token. */
  async function signIn(client: OidcClient, sub: string, browser: TestBrowser): Promise<Held> {
    const plain = await oidc.codeFlow(client, { sub }, { scope: 'openid offline_access' }, undefined, browser);
    const forApi = await oidc.codeFlow(client, { sub }, { scope: 'openid offline_access', resource: JWT_API }, undefined, browser);
    expect([plain.access_token.split('.').length, forApi.access_token.split('.').length]).toEqual([1, 3]);
    const id = await oidc.idToken(plain.id_token, client);
    return { reference: plain.access_token, jwt: forApi.access_token, refresh: [plain.refresh_token as string, forApi.refresh_token as string], idSub: id.sub as string, sid: id['sid'] as string };
  }

  async function expectActive(client: OidcClient, tokens: string[], active: boolean) {
    for (const [i, token] of tokens.entries()) expect({ i, active: await isActive(app, client, token) }).toEqual({ i, active });
  }

  const endLoginSession = (sub: string) =>
    inTransaction(dataSourceOf(app), (tx) => app.running.app.get(Outbox).add(tx, 'session.ended', { sessionId: `ls-${sub}`, sub }));

  it(`runs on the ${queue} queue driver`, async () => {
    expect(app.running.app.get(QueueDriver)).toBeInstanceOf(queue === 'bullmq' ? BullMqQueueDriver : InProcessQueueDriver);
  });

  it("revoking a client ends every user's tokens, grants and sign-ins with it, and nothing of another client", async () => {
    // Pairwise: the logout tokens must carry the sub and sid this client knows.
    const a = await aClient({ subject_type: 'pairwise' });
    const b = await aClient();
    const users = [oidc.newUser(), oidc.newUser()];
    const browsers = new Map(users.map((sub) => [sub, oidc.browser()]));
    const ofA = new Map<string, Held>();
    const ofB = new Map<string, Held>();
    for (const sub of users) {
      ofA.set(sub, await signIn(a, sub, browsers.get(sub) as TestBrowser));
      ofB.set(sub, await signIn(b, sub, browsers.get(sub) as TestBrowser));
    }
    const aOwn = await clientToken(app, a);
    const bOwn = await clientToken(app, b);
    for (const sub of users) await expectActive(a, allOf(ofA.get(sub) as Held), true);

    const request = aRevocation(a.client_id, oidc.now());
    await requestRevocation(app, request);
    const [completed] = await settled(app, request.revocationId);

    expect(completed).toEqual({ revocationId: request.revocationId, clientId: a.client_id, grants: 2, sessions: 2, completedAt: expect.any(String) });
    for (const sub of users) {
      const held = ofA.get(sub) as Held;
      await expectActive(a, [...allOf(held), aOwn], false);
      for (const token of held.refresh) expect(await refresh(app, a, token)).toEqual({ status: 400, error: 'invalid_grant' });
      await expectActive(b, allOf(ofB.get(sub) as Held), true);
      // A's grant is gone (the next authorization asks for consent again), B's stays.
      expect(await grantedClients(app, sub)).toEqual([b.client_id]);
      expect(isInteraction(await oidc.authorize(browsers.get(sub) as TestBrowser, a, { scope: 'openid' }), 'consent')).toBe(true);
      // The OP session goes on without A: B is still signed in, without a login or a consent.
      expect(Object.values(await sessionClients(app, sub))).toEqual([[b.client_id]]);
      expect(callbackOf(await oidc.authorize(browsers.get(sub) as TestBrowser, b, { scope: 'openid' })).params['code']).toEqual(expect.any(String));
    }
    await expectActive(b, [bOwn], true);

    // One logout token per session to A, naming the sub and sid of A's ID tokens; none to B.
    await eventually(() => expect(rp.received(a.endpoint)).toHaveLength(2), { timeoutMs: 20_000 });
    const expected = users.map((sub) => ({ sub: ofA.get(sub)?.idSub, sid: ofA.get(sub)?.sid }));
    const bySid = (x: { sid?: unknown }, y: { sid?: unknown }) => String(x.sid).localeCompare(String(y.sid));
    expect(logoutClaims(rp.received(a.endpoint)).sort(bySid)).toEqual(expected.sort(bySid));
    expect(rp.received(b.endpoint)).toEqual([]);

    // When the session ends later, only B is told: A was signed out of it already.
    await endLoginSession(users[0]);
    await eventually(() => expect(rp.received(b.endpoint)).toHaveLength(1), { timeoutMs: 20_000 });
    await quiescent(app);
    expect(rp.received(a.endpoint)).toHaveLength(2);

    // B's refresh tokens still work (used last: a refresh rotates them).
    for (const token of (ofB.get(users[1]) as Held).refresh) expect(await refresh(app, b, token)).toEqual({ status: 200, error: undefined });
  });

  it("revoking one user's access to a client ends only that user's tokens, grant and sign-ins with it", async () => {
    const a = await aClient();
    const b = await aClient();
    const [alice, bob] = [oidc.newUser(), oidc.newUser()];
    const aliceBrowser = oidc.browser();
    const aliceA = await signIn(a, alice, aliceBrowser);
    const aliceB = await signIn(b, alice, aliceBrowser);
    const bobB = await signIn(b, bob, oidc.browser());
    const bOwn = await clientToken(app, b);

    const request = aRevocation(b.client_id, oidc.now(), { sub: alice });
    await requestRevocation(app, request);
    const [completed] = await settled(app, request.revocationId);

    expect(completed).toEqual({ revocationId: request.revocationId, clientId: b.client_id, sub: alice, grants: 1, sessions: 1, completedAt: expect.any(String) });
    await expectActive(b, allOf(aliceB), false);
    for (const token of aliceB.refresh) expect(await refresh(app, b, token)).toEqual({ status: 400, error: 'invalid_grant' });
    await expectActive(b, [...allOf(bobB), bOwn], true);
    await expectActive(a, allOf(aliceA), true);
    expect(await grantedClients(app, alice)).toEqual([a.client_id]);
    expect(await grantedClients(app, bob)).toEqual([b.client_id]);

    await eventually(() => expect(rp.received(b.endpoint)).toHaveLength(1), { timeoutMs: 20_000 });
    expect(logoutClaims(rp.received(b.endpoint))).toEqual([{ sub: aliceB.idSub, sid: aliceB.sid }]);
    expect(rp.received(a.endpoint)).toEqual([]);
    // Alice is still signed in: A answers at once, B asks for her consent again.
    expect(Object.values(await sessionClients(app, alice))).toEqual([[a.client_id]]);
    expect(callbackOf(await oidc.authorize(aliceBrowser, a, { scope: 'openid' })).params['code']).toEqual(expect.any(String));
    expect(isInteraction(await oidc.authorize(aliceBrowser, b, { scope: 'openid' }), 'consent')).toBe(true);
  });

  it('disables the client too when asked: the token endpoint refuses it, /authorize shows an error page, until it is enabled', async () => {
    const a = await aClient();
    const sub = oidc.newUser();
    const browser = oidc.browser();
    const held = await signIn(a, sub, browser);

    const requestedAt = oidc.now();
    const request = aRevocation(a.client_id, requestedAt, { disableClient: true });
    await requestRevocation(app, request);
    await settled(app, request.revocationId);

    expect((await app.internal('GET', `/internal/clients/${a.client_id}`)).body).toMatchObject({ disabled: true, revoked_before: requestedAt });
    const res = await app.form('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: a.basic });
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'The client is disabled.' } });
    expect(await refresh(app, a, held.refresh[0])).toEqual({ status: 401, error: 'invalid_client' });
    const page = await oidc.authorize(browser, a, { scope: 'openid' });
    expect({ status: page.status, location: page.headers.get('location'), type: page.headers.get('content-type') }).toEqual({
      status: 400,
      location: null,
      type: 'text/html; charset=utf-8',
    });
    expect(await page.text()).toContain('unauthorized_client');

    // Enabled again, it gets new tokens; what the revocation ended stays ended.
    expect((await app.internal('POST', `/internal/clients/${a.client_id}/enable`)).body).toMatchObject({ disabled: false });
    oidc.clock.advance(1);
    await expectActive(a, [await clientToken(app, a)], true);
    await expectActive(a, allOf(held), false);
  });

  it('revokes only what existed when the administrator asked, not what came while the request was on its way', async () => {
    const a = await aClient();
    const [early, late] = [oidc.newUser(), oidc.newUser()];
    const earlyHeld = await signIn(a, early, oidc.browser());
    const earlyOwn = await clientToken(app, a);
    oidc.clock.advance(10);
    const requestedAt = oidc.now();
    oidc.clock.advance(10);
    const lateHeld = await signIn(a, late, oidc.browser());
    const lateOwn = await clientToken(app, a);

    const request = aRevocation(a.client_id, requestedAt);
    await requestRevocation(app, request);
    const [completed] = await settled(app, request.revocationId);

    expect(completed).toMatchObject({ grants: 1, sessions: 1 });
    await expectActive(a, [...allOf(earlyHeld), earlyOwn], false);
    await expectActive(a, [...allOf(lateHeld), lateOwn], true);
    expect(await grantedClients(app, early)).toEqual([]);
    expect(await grantedClients(app, late)).toEqual([a.client_id]);
    expect(Object.values(await sessionClients(app, late))).toEqual([[a.client_id]]);
    await eventually(() => expect(logoutClaims(rp.received(a.endpoint))).toEqual([{ sub: earlyHeld.idSub, sid: earlyHeld.sid }]), { timeoutMs: 20_000 });
  });

  it('carries out a request once, however often it arrives: nothing more is revoked, and the answer is the same', async () => {
    const a = await aClient();
    const sub = oidc.newUser();
    const browser = oidc.browser();
    const before = await signIn(a, sub, browser);
    const request = aRevocation(a.client_id, oidc.now(), { disableClient: true });
    const envelope = await requestRevocation(app, request);
    const [first] = await settled(app, request.revocationId);
    expect(first).toMatchObject({ grants: 1, sessions: 1 });

    // The administrator enables the client again; the user consents anew and signs in again.
    expect((await app.internal('POST', `/internal/clients/${a.client_id}/enable`)).status).toBe(200);
    oidc.clock.advance(10);
    const after = await signIn(a, sub, browser);
    const own = await clientToken(app, a);

    // The same envelope again (a queue's redelivery), and the same request as a new event (the admin API sending it again).
    await app.running.app.get(QueueDriver).send(queueName('token-service'), envelope);
    await requestRevocation(app, request);
    const answers = await settled(app, request.revocationId, 2);

    expect(answers[1]).toEqual(first);
    await expectActive(a, [...allOf(after), own], true);
    await expectActive(a, allOf(before), false);
    expect(await grantedClients(app, sub)).toEqual([a.client_id]);
    expect(Object.values(await sessionClients(app, sub))).toEqual([[a.client_id]]);
    expect(rp.received(a.endpoint)).toHaveLength(1);
    // An enable after the first delivery is not undone by the request arriving again.
    expect((await app.internal('GET', `/internal/clients/${a.client_id}`)).body['disabled']).toBe(false);
    expect(locationOf(await oidc.authorize(browser, a, { scope: 'openid' }))).toContain('code=');
  });

  it('completes a revocation of a client that no longer exists, ending its grants and sign-ins all the same', async () => {
    const a = await aClient();
    const sub = oidc.newUser();
    await signIn(a, sub, oidc.browser());
    expect((await app.internal('DELETE', `/internal/clients/${a.client_id}`)).status).toBe(204);

    const request = aRevocation(a.client_id, oidc.now(), { disableClient: true });
    await requestRevocation(app, request);
    const [completed] = await settled(app, request.revocationId);

    // Its endpoint is not called: a deleted client has nobody left to notify.
    expect(completed).toMatchObject({ clientId: a.client_id, grants: 1, sessions: 1 });
    expect(await grantedClients(app, sub)).toEqual([]);
    expect(rp.received(a.endpoint)).toEqual([]);
  });
});
