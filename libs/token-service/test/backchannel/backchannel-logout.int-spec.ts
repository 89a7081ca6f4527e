import { decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import {
  BullMqQueueDriver,
  DeadLetterEntity,
  InProcessQueueDriver,
  inTransaction,
  Outbox,
  ProcessedEventEntity,
  QueueDriver,
  BACKCHANNEL_QUEUE,
} from '@tessera/events';
import { internalCredential, randomSecret, type DatabaseEngine } from '@tessera/runtime';
import { eventually, testEngines, testRedisUrl } from '@tessera/test-kit';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../../src/config/token-service-config';
import { startTokenService, type TestApp } from '../support/token-service-app';
import { Oidc, type OidcClient } from '../oidc/support';
import {
  answer,
  dataSourceOf,
  deliveries,
  deliveryReaches,
  neverAnswer,
  requestBackchannelLogout,
  startLogoutListener,
  type LogoutListener,
} from './backchannel-logout.fixture';

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const ATTEMPTS = 5;
// The per-attempt deadline also bounds every delivery meant to succeed (and the retry test's
// listener asks the internal API before it answers): at 300 ms, a loaded CI machine pausing the
// test process, which runs both the service and the listener, could end such an attempt and put
// the attempt counts off. 2 s keeps that out of reach, and the never-answering listener's five
// attempts (about 10 s) within the 20 s deliveryReaches waits.
const TIMEOUT_MS = 2_000;

/** Each engine on the in-process queue, and on BullMQ when REDIS_URL is set (PostgreSQL when there is one). */
function cases(): Array<{ engine: DatabaseEngine; queue: 'in-process' | 'bullmq' }> {
  const engines = testEngines();
  const list: Array<{ engine: DatabaseEngine; queue: 'in-process' | 'bullmq' }> = engines.map((engine) => ({ engine, queue: 'in-process' }));
  if (testRedisUrl()) list.push({ engine: engines.includes('postgres') ? 'postgres' : 'sqlite', queue: 'bullmq' });
  return list;
}

/** OpenID Connect Back-Channel Logout 1.0: logout tokens delivered to clients' back-channel endpoints. */
describe.each(cases())('back-channel logout ($engine, $queue queue)', ({ engine, queue }) => {
  let oidc: Oidc;
  let app: TestApp;
  let rp: LogoutListener;
  let n = 0;
  const path = () => `/logout-${++n}`;

  beforeAll(async () => {
    rp = await startLogoutListener();
    oidc = await Oidc.start(engine, {
      TESSERA_OUTBOUND_ALLOW_PRIVATE: 'true',
      TESSERA_BACKCHANNEL_ATTEMPTS: String(ATTEMPTS),
      TESSERA_BACKCHANNEL_RETRY_MS: '10',
      TESSERA_BACKCHANNEL_TIMEOUT_MS: String(TIMEOUT_MS),
      ...(queue === 'bullmq' ? { REDIS_URL: testRedisUrl() as string } : {}),
    });
    app = oidc.app;
  });
  afterAll(async () => {
    await oidc?.close();
    await rp?.close();
  });

  /** A code-flow client whose back-channel logout endpoint is `endpoint` on the listener. */
  const clientAt = (endpoint: string, metadata: Record<string, unknown> = {}) =>
    oidc.client({ backchannel_logout_uri: `${rp.url}${endpoint}`, ...metadata });

  /** Verifies a logout token as a relying party does (§2.6): our JWKS, iss, aud, typ, and its claims. */
  async function verifyLogoutToken(token: string | undefined, client: OidcClient): Promise<JWTPayload & Record<string, unknown>> {
    if (!token) throw new Error('no logout_token');
    const { payload, protectedHeader } = await jwtVerify(token, await oidc.jwks(), {
      issuer: app.issuer,
      audience: client.client_id,
      typ: 'logout+jwt',
      currentDate: new Date(oidc.clock.now()),
    });
    expect(protectedHeader.typ).toBe('logout+jwt');
    expect(payload.events).toEqual({ [BACKCHANNEL_EVENT]: {} });
    expect(payload).not.toHaveProperty('nonce');
    expect(typeof payload.jti).toBe('string');
    expect(payload.iat).toBe(oidc.now());
    expect((payload.exp as number) - (payload.iat as number)).toBeGreaterThan(0);
    expect((payload.exp as number) - (payload.iat as number)).toBeLessThanOrEqual(120);
    expect(payload.sub !== undefined || payload.sid !== undefined).toBe(true);
    return payload as JWTPayload & Record<string, unknown>;
  }

  it(`runs on the ${queue} queue driver`, () => {
    expect(app.running.app.get(QueueDriver)).toBeInstanceOf(queue === 'bullmq' ? BullMqQueueDriver : InProcessQueueDriver);
  });

  it('is advertised in discovery', async () => {
    const doc = (await (await fetch(`${app.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc['backchannel_logout_supported']).toBe(true);
    expect(doc['backchannel_logout_session_supported']).toBe(true);
  });

  it('registers the metadata and echoes it (session_required false by default)', async () => {
    const endpoint = path();
    const client = await clientAt(endpoint);
    const read = await app.internal('GET', `/internal/clients/${client.client_id}`);
    expect(read.body).toMatchObject({ backchannel_logout_uri: `${rp.url}${endpoint}`, backchannel_logout_session_required: false });
  });

  it('POSTs a valid logout token about the signed-in session, with the sub and sid of the ID token, and records it delivered', async () => {
    const endpoint = path();
    const client = await clientAt(endpoint, { id_token_signed_response_alg: 'ES256' });
    const sub = oidc.newUser();
    const idToken = await oidc.idToken((await oidc.codeFlow(client, { sub })).id_token, client);
    expect(typeof idToken.sid).toBe('string');

    const event = await requestBackchannelLogout(app, { clientId: client.client_id, sub, sid: idToken.sid as string });
    const delivery = await deliveryReaches(app, client.client_id, event.id, 'delivered');

    expect(delivery).toMatchObject({ client_id: client.client_id, sub, sid: idToken.sid, attempts: 1 });
    expect(delivery.last_error).toBeUndefined();
    const [received] = rp.received(endpoint);
    expect(received.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.keys(received.form)).toEqual(['logout_token']);
    const token = await verifyLogoutToken(received.logoutToken, client);
    // Signed like the client's ID tokens (id_token_signed_response_alg).
    expect(decodeProtectedHeader(received.logoutToken as string).alg).toBe('ES256');
    expect(token.sub).toBe(idToken.sub);
    expect(token.sid).toBe(idToken.sid);
  });

  it('notifies every client of a login session that ends (session.ended), each with its own sub and sid', async () => {
    const publicEndpoint = path();
    const pairwiseEndpoint = path();
    const publicClient = await clientAt(publicEndpoint);
    const pairwise = await clientAt(pairwiseEndpoint, { subject_type: 'pairwise', redirect_uris: ['https://pairwise.example.org/cb'] });
    const silent = await oidc.client();
    const sub = oidc.newUser();
    const browser = oidc.browser();
    const ids: Array<JWTPayload & Record<string, unknown>> = [];
    for (const client of [publicClient, pairwise, silent]) {
      ids.push(await oidc.idToken((await oidc.codeFlow(client, { sub }, {}, undefined, browser)).id_token, client));
    }

    // The authentication service ends the login session the OP session was built on (Oidc.acceptLogin names it ls-<sub>).
    await inTransaction(dataSourceOf(app), (tx) => app.running.app.get(Outbox).add(tx, 'session.ended', { sessionId: `ls-${sub}`, sub }));

    await eventually(() => expect([rp.received(publicEndpoint).length, rp.received(pairwiseEndpoint).length]).toEqual([1, 1]), { timeoutMs: 20_000 });
    const publicToken = await verifyLogoutToken(rp.received(publicEndpoint)[0].logoutToken, publicClient);
    const pairwiseToken = await verifyLogoutToken(rp.received(pairwiseEndpoint)[0].logoutToken, pairwise);
    expect([publicToken.sub, publicToken.sid]).toEqual([ids[0].sub, ids[0].sid]);
    expect([pairwiseToken.sub, pairwiseToken.sid]).toEqual([ids[1].sub, ids[1].sid]);
    // The delivery is recorded once the listener's answer is back, a moment after it received the token.
    for (const client of [publicClient, pairwise]) {
      await eventually(async () => expect((await deliveries(app, { client_id: client.client_id })).map((d) => [d.status, d.sub, d.sid])).toEqual([['delivered', sub, ids[0].sid]]));
    }
    expect(await deliveries(app, { client_id: silent.client_id })).toEqual([]);
  });

  it('accepts a 204 answer as success', async () => {
    const endpoint = path();
    rp.route(endpoint, answer(204));
    const client = await clientAt(endpoint);
    const event = await requestBackchannelLogout(app, { clientId: client.client_id, sub: oidc.newUser(), sid: 'sid-204' });
    expect(await deliveryReaches(app, client.client_id, event.id, 'delivered')).toMatchObject({ attempts: 1 });
  });

  it('gives a pairwise client the pairwise sub and sid its ID token carries, never the user id or the shared sid', async () => {
    const publicEndpoint = path();
    const pairwiseEndpoint = path();
    const publicClient = await clientAt(publicEndpoint);
    const pairwise = await clientAt(pairwiseEndpoint, { subject_type: 'pairwise', redirect_uris: ['https://pairwise.example.org/cb'] });
    const sub = oidc.newUser();
    const browser = oidc.browser();
    // One browser, one OP session: the public client's sid is the session's own.
    const publicId = await oidc.idToken((await oidc.codeFlow(publicClient, { sub }, {}, undefined, browser)).id_token, publicClient);
    const pairwiseId = await oidc.idToken((await oidc.codeFlow(pairwise, { sub }, {}, undefined, browser)).id_token, pairwise);
    const sid = publicId.sid as string;
    expect(pairwiseId.sub).not.toBe(sub);
    expect(pairwiseId.sid).not.toBe(sid);

    const event = await requestBackchannelLogout(app, { clientId: pairwise.client_id, sub, sid });
    await deliveryReaches(app, pairwise.client_id, event.id, 'delivered');

    const token = await verifyLogoutToken(rp.received(pairwiseEndpoint)[0].logoutToken, pairwise);
    expect(token.sub).toBe(pairwiseId.sub);
    expect(token.sid).toBe(pairwiseId.sid);
    expect(JSON.stringify(token)).not.toContain(sub);
  });

  it('names the subject alone when the logout ends no particular session', async () => {
    const endpoint = path();
    const client = await clientAt(endpoint);
    const sub = oidc.newUser();
    const event = await requestBackchannelLogout(app, { clientId: client.client_id, sub });
    await deliveryReaches(app, client.client_id, event.id, 'delivered');
    const token = await verifyLogoutToken(rp.received(endpoint)[0].logoutToken, client);
    expect(token.sub).toBe(sub);
    expect(token).not.toHaveProperty('sid');
  });

  it('does not send a token without sid to a client that requires one: failed at once, with the reason', async () => {
    const endpoint = path();
    const client = await clientAt(endpoint, { backchannel_logout_session_required: true });
    const event = await requestBackchannelLogout(app, { clientId: client.client_id, sub: oidc.newUser() });
    const delivery = await deliveryReaches(app, client.client_id, event.id, 'failed');
    expect(delivery.last_error).toMatch(/backchannel_logout_session_required/);
    expect(rp.received(endpoint)).toEqual([]);
  });

  it('retries a listener that fails three times, with backoff, until it receives its token (shown as retrying meanwhile)', async () => {
    const endpoint = path();
    let seenWhileRetrying: unknown;
    const client = await clientAt(endpoint);
    rp.route(endpoint, async (_received, res, call) => {
      if (call < 4) {
        answer(call === 2 ? 400 : 503, call === 2 ? { error: 'invalid_request', error_description: 'busy' } : undefined)(_received, res);
        return;
      }
      // Before the fourth attempt is answered, the admin API shows the three failed ones.
      seenWhileRetrying = (await deliveries(app, { client_id: client.client_id }))[0];
      res.writeHead(200).end();
    });
    const sub = oidc.newUser();

    const event = await requestBackchannelLogout(app, { clientId: client.client_id, sub, sid: 'sid-flaky' });
    const delivery = await deliveryReaches(app, client.client_id, event.id, 'delivered');

    expect(seenWhileRetrying).toMatchObject({ status: 'retrying', attempts: 3, last_error: expect.stringMatching(/answered 503$/) });
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 4 });
    expect(delivery.last_error).toBeUndefined();
    const received = rp.received(endpoint);
    expect(received).toHaveLength(4);
    const tokens = await Promise.all(received.map((r) => verifyLogoutToken(r.logoutToken, client)));
    expect(tokens.map((t) => t.sid)).toEqual(['sid-flaky', 'sid-flaky', 'sid-flaky', 'sid-flaky']);
    // A fresh token (jti) for every attempt.
    expect(new Set(tokens.map((t) => t.jti)).size).toBe(4);
  });

  it('ends a listener that never answers as failed after the last attempt, visible at the internal API and dead-lettered', async () => {
    const endpoint = path();
    rp.route(endpoint, neverAnswer);
    const client = await clientAt(endpoint);

    const event = await requestBackchannelLogout(app, { clientId: client.client_id, sub: oidc.newUser(), sid: 'sid-silent' });
    const delivery = await deliveryReaches(app, client.client_id, event.id, 'failed');

    expect(delivery).toMatchObject({ attempts: ATTEMPTS, last_error: `${rp.url}${endpoint} did not answer within ${TIMEOUT_MS} ms` });
    expect(rp.received(endpoint)).toHaveLength(ATTEMPTS);
    const failed = await deliveries(app, { status: 'failed', client_id: client.client_id });
    expect(failed.map((d) => d.event_id)).toEqual([event.id]);
    await eventually(async () => {
      const letters = await dataSourceOf(app).getRepository(DeadLetterEntity).findBy({ eventId: event.id });
      expect(letters.map((l) => l.attempts)).toEqual([ATTEMPTS]);
    });
  });

  it('delivers an event delivered twice (the same envelope) once', async () => {
    const endpoint = path();
    const client = await clientAt(endpoint);
    const event = await requestBackchannelLogout(app, { clientId: client.client_id, sub: oidc.newUser(), sid: 'sid-twice' });
    await deliveryReaches(app, client.client_id, event.id, 'delivered');

    const driver = app.running.app.get(QueueDriver);
    await driver.send(BACKCHANNEL_QUEUE, event);
    await driver.send(BACKCHANNEL_QUEUE, event);
    await driver.whenIdle();

    expect(rp.received(endpoint)).toHaveLength(1);
    expect((await deliveries(app, { client_id: client.client_id })).map((d) => [d.event_id, d.attempts])).toEqual([[event.id, 1]]);
  });

  it('does not notify a client twice of the end of the same session, whichever event asks again', async () => {
    const endpoint = path();
    const client = await clientAt(endpoint);
    const sub = oidc.newUser();
    const first = await requestBackchannelLogout(app, { clientId: client.client_id, sub, sid: 'sid-again' });
    await deliveryReaches(app, client.client_id, first.id, 'delivered');

    const again = await requestBackchannelLogout(app, { clientId: client.client_id, sub, sid: 'sid-again' });
    // Processed (acknowledged), without a second POST or a second row.
    await eventually(async () => {
      expect(await dataSourceOf(app).getRepository(ProcessedEventEntity).countBy({ eventId: again.id })).toBe(1);
    });

    expect(rp.received(endpoint)).toHaveLength(1);
    expect((await deliveries(app, { client_id: client.client_id })).map((d) => d.event_id)).toEqual([first.id]);
  });

  it('lists deliveries by client and status for the admin API, and refuses bad filters', async () => {
    const okEndpoint = path();
    const badEndpoint = path();
    rp.route(badEndpoint, answer(500));
    const ok = await clientAt(okEndpoint);
    const bad = await clientAt(badEndpoint);
    const sub = oidc.newUser();
    const delivered = await requestBackchannelLogout(app, { clientId: ok.client_id, sub, sid: 'sid-list' });
    const failed = await requestBackchannelLogout(app, { clientId: bad.client_id, sub, sid: 'sid-list' });
    await deliveryReaches(app, ok.client_id, delivered.id, 'delivered');
    await deliveryReaches(app, bad.client_id, failed.id, 'failed');

    expect((await deliveries(app, { client_id: bad.client_id, status: 'failed' })).map((d) => d.event_id)).toEqual([failed.id]);
    expect(await deliveries(app, { client_id: bad.client_id, status: 'delivered' })).toEqual([]);
    expect((await deliveries(app, { status: 'failed' })).map((d) => d.event_id)).toContain(failed.id);
    expect((await deliveries(app, { status: 'delivered' })).map((d) => d.event_id)).not.toContain(failed.id);
    expect(await deliveries(app, { limit: '1' })).toHaveLength(1);

    for (const query of ['status=lost', 'status=failed&status=delivered', 'limit=0', 'limit=1001', 'limit=ten']) {
      const res = await app.internal('GET', `/internal/backchannel-deliveries?${query}`);
      expect({ query, status: res.status, error: res.body['error'] }).toEqual({ query, status: 400, error: 'invalid_request' });
    }
  });

  it('writes no logout token to the log', () => {
    const tokens = rp.allTokens();
    expect(tokens.length).toBeGreaterThan(10);
    const log = app.logs.join('\n');
    for (const token of tokens) {
      expect(log).not.toContain(token);
      // Not even its signature alone.
      expect(log).not.toContain(token.split('.')[2]);
    }
    expect(log).not.toContain('logout_token=');
    expect(log).toMatch(/back-channel logout delivered/);
  });
});

/**
 * Deliveries have their own queue and run several at once: a client whose endpoint hangs holds
 * up neither the other clients' logout tokens nor the session.ended that asks for them.
 */
describe.each(cases())('back-channel logout beside a hanging client ($engine, $queue queue)', ({ engine, queue }) => {
  let oidc: Oidc;
  let rp: LogoutListener;

  beforeAll(async () => {
    rp = await startLogoutListener();
    oidc = await Oidc.start(engine, {
      TESSERA_OUTBOUND_ALLOW_PRIVATE: 'true',
      TESSERA_BACKCHANNEL_ATTEMPTS: '1',
      TESSERA_BACKCHANNEL_TIMEOUT_MS: '5000',
      ...(queue === 'bullmq' ? { REDIS_URL: testRedisUrl() as string } : {}),
    });
  });
  afterAll(async () => {
    await oidc?.close();
    await rp?.close();
  });

  it('delivers to the other clients while one endpoint has not answered yet', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    rp.route('/hangs', async (_r, res) => {
      await released;
      res.writeHead(200).end();
    });
    const hanging = await oidc.client({ backchannel_logout_uri: `${rp.url}/hangs` });
    const others = [await oidc.client({ backchannel_logout_uri: `${rp.url}/answers-1` }), await oidc.client({ backchannel_logout_uri: `${rp.url}/answers-2` })];
    const app = oidc.app;
    const endLoginSession = (sub: string) =>
      inTransaction(dataSourceOf(app), (tx) => app.running.app.get(Outbox).add(tx, 'session.ended', { sessionId: `ls-${sub}`, sub }));
    // One person signed in to the hanging client, another to the two others.
    const first = oidc.newUser();
    await oidc.codeFlow(hanging, { sub: first }, {}, undefined, oidc.browser());
    const second = oidc.newUser();
    const browser = oidc.browser();
    for (const client of others) await oidc.codeFlow(client, { sub: second }, {}, undefined, browser);

    // The hanging attempt must still be waiting when the others arrive, however long a loaded
    // machine takes to deliver them: its deadline (TESSERA_BACKCHANNEL_TIMEOUT_MS, at most 5 s)
    // is lifted on the running service for this test, so that only release() ends it.
    const settings = app.running.app.get<TokenServiceConfig>(TOKEN_SERVICE_CONFIG).backchannel;
    const configuredTimeout = settings.timeoutMs;
    settings.timeoutMs = 120_000;
    try {
      await endLoginSession(first);
      await eventually(() => expect(rp.received('/hangs')).toHaveLength(1));
      await endLoginSession(second);
      await eventually(() => expect([rp.received('/answers-1').length, rp.received('/answers-2').length]).toEqual([1, 1]));
      expect(await deliveries(app, { client_id: hanging.client_id })).toEqual([]); // its first attempt is still waiting
    } finally {
      release();
      settings.timeoutMs = configuredTimeout;
    }
    await eventually(async () => expect((await deliveries(app, { client_id: hanging.client_id })).map((d) => d.status)).toEqual(['delivered']));
  });
});

describe.each(testEngines())('back-channel logout without access to private addresses (%s)', (engine) => {
  let app: TestApp;
  let rp: LogoutListener;
  const internalSecret = randomSecret(32);

  beforeAll(async () => {
    rp = await startLogoutListener();
    app = await startTokenService({ engine, internalSecret, env: { TESSERA_BACKCHANNEL_RETRY_MS: '10', TESSERA_BACKCHANNEL_TIMEOUT_MS: String(TIMEOUT_MS) } });
  });
  afterAll(async () => {
    await app?.close();
    await rp?.close();
  });

  it('refuses an http backchannel_logout_uri, even on loopback, and a fragment', async () => {
    for (const uri of [`${rp.url}/logout`, 'http://rp.example.com/logout', 'https://rp.example.com/logout#frag', 'logout']) {
      const res = await app.internal('POST', '/internal/clients', { grant_types: ['client_credentials'], backchannel_logout_uri: uri });
      expect({ uri, status: res.status, error: res.body['error'] }).toEqual({ uri, status: 400, error: 'invalid_client_metadata' });
    }
  });

  it('refuses to deliver to a private address, without a retry, and shows why', async () => {
    for (const host of [`127.0.0.1:${rp.port}`, `localhost:${rp.port}`]) {
      const client = await app.client({ backchannel_logout_uri: `https://${host}/private` });
      const event = await requestBackchannelLogout(app, { clientId: client.client_id, sub: 'user-1', sid: 'sid-private' });
      const delivery = await deliveryReaches(app, client.client_id, event.id, 'failed');
      expect({ host, attempts: delivery.attempts, error: delivery.last_error }).toEqual({
        host,
        attempts: 1,
        error: expect.stringMatching(/private and special-purpose addresses are refused/),
      });
    }
    expect(rp.received('/private')).toEqual([]);
  });

  it('answers the admin API and the operator, not the other services', async () => {
    const res = await fetch(`${app.internalUrl}/internal/backchannel-deliveries`, {
      headers: { authorization: `Bearer ${internalCredential(internalSecret, 'auth-service')}` },
    });
    // The internal API's rule: a caller an endpoint does not name is refused like an unknown one.
    expect(res.status).toBe(401);
    const admin = await fetch(`${app.internalUrl}/internal/backchannel-deliveries`, {
      headers: { authorization: `Bearer ${internalCredential(internalSecret, 'admin-api')}` },
    });
    expect(admin.status).toBe(200);
    expect(Array.isArray(await admin.json())).toBe(true);
  });
});
