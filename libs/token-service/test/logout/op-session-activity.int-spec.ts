import { inTransaction, Outbox } from '@tessera/events';
import { eventually, locationOf, testEngines } from '@tessera/test-kit';
import { dataSourceOf } from '../backchannel/backchannel-logout.fixture';
import { isInteraction, Oidc } from '../oidc/support';

interface SessionView {
  sid: string;
  expires_at: number;
  login_session_id: string;
  created_at: number;
  auth_time: number;
  clients: Array<{ client_id: string; client_name?: string; first_used_at: number; last_used_at: number }>;
}

/** GET /internal/op-sessions: which apps each of a user's sessions served, and when, for the account page. */
describe.each(testEngines())('OP session activity (%s)', (engine) => {
  let oidc: Oidc;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
  });
  afterAll(() => oidc?.close());

  const sessionsOf = async (sub: string) => {
    const res = await oidc.app.internal('GET', `/internal/op-sessions?sub=${encodeURIComponent(sub)}`);
    expect(res.status).toBe(200);
    return res.body as unknown as SessionView[];
  };

  it('lists a live session with each client it served, named, first and last use to the minute', async () => {
    const mail = await oidc.client({ client_name: 'Mail' });
    const calendar = await oidc.client({ client_name: 'Calendar' });
    const sub = oidc.newUser();
    const browser = oidc.browser();
    const start = oidc.now();
    await oidc.codeFlow(mail, { sub }, {}, undefined, browser);
    oidc.clock.advance(30);
    await oidc.codeFlow(calendar, { sub }, {}, undefined, browser);

    let [session] = await sessionsOf(sub);
    expect(session).toMatchObject({ login_session_id: `ls-${sub}`, created_at: start });
    expect(session.clients).toEqual([
      { client_id: mail.client_id, client_name: 'Mail', first_used_at: start, last_used_at: start },
      { client_id: calendar.client_id, client_name: 'Calendar', first_used_at: start + 30, last_used_at: start + 30 },
    ]);

    // Within the minute the row is not rewritten; a minute later it is.
    oidc.clock.advance(20);
    await oidc.codeFlow(mail, { sub }, {}, undefined, browser);
    [session] = await sessionsOf(sub);
    expect(session.clients[0].last_used_at).toBe(start);
    oidc.clock.advance(60);
    await oidc.codeFlow(mail, { sub }, {}, undefined, browser);
    [session] = await sessionsOf(sub);
    expect(session.clients[0]).toMatchObject({ first_used_at: start, last_used_at: start + 110 });
  });

  it('lists only sessions that have not ended, newest first, and nobody else\'s', async () => {
    const client = await oidc.client();
    const sub = oidc.newUser();
    const other = oidc.newUser();
    await oidc.codeFlow(client, { sub, loginSessionId: `ls-a-${sub}` });
    oidc.clock.advance(5);
    await oidc.codeFlow(client, { sub, loginSessionId: `ls-b-${sub}` });
    await oidc.codeFlow(client, { sub: other });
    expect((await sessionsOf(sub)).map((s) => s.login_session_id)).toEqual([`ls-b-${sub}`, `ls-a-${sub}`]);

    const app = oidc.app;
    await inTransaction(dataSourceOf(app), (tx) => app.running.app.get(Outbox).add(tx, 'session.ended', { sessionId: `ls-b-${sub}`, sub }));
    await eventually(async () => expect((await sessionsOf(sub)).map((s) => s.login_session_id)).toEqual([`ls-a-${sub}`]));
    expect(await sessionsOf('nobody')).toEqual([]);
  });

  it('refuses a request without one sub', async () => {
    for (const query of ['', '?sub=', `?sub=${'x'.repeat(256)}`]) {
      const res = await oidc.app.internal('GET', `/internal/op-sessions${query}`);
      expect({ query, status: res.status, error: res.body['error'] }).toEqual({ query, status: 400, error: 'invalid_request' });
    }
  });

  it('ends an OP session no later than the login session it stands on (session_expires_at)', async () => {
    const client = await oidc.client();
    const sub = oidc.newUser();
    const browser = oidc.browser();
    const start = await oidc.authorize(browser, client);
    const accepted = await oidc.acceptLoginRaw(browser, locationOf(start), {
      sub,
      login_session_id: `ls-${sub}`,
      amr: ['pwd'],
      auth_time: oidc.now(),
      remember: true,
      session_expires_at: oidc.now() + 600,
    });
    expect(accepted.status).toBe(200);
    const resumed = await browser.get(accepted.body['redirect_to'] as string);
    expect(resumed.headers.getSetCookie().find((c) => c.startsWith('tessera_session='))).toMatch(/Max-Age=600\b/);
    const [session] = await sessionsOf(sub);
    expect(session.expires_at).toBe(oidc.now() + 600);

    oidc.clock.advance(601);
    expect(isInteraction(await oidc.authorize(browser, client), 'login')).toBe(true);
  });

  it('refuses a session_expires_at that is not a future epoch second', async () => {
    const client = await oidc.client();
    for (const value of ['soon', oidc.now(), 1.5]) {
      const browser = oidc.browser();
      const start = await oidc.authorize(browser, client);
      const res = await oidc.acceptLoginRaw(browser, locationOf(start), { sub: 'u', login_session_id: 'ls-u', amr: ['pwd'], auth_time: oidc.now(), session_expires_at: value });
      expect({ value, status: res.status, error: res.body['error'] }).toEqual({ value, status: 400, error: 'invalid_request' });
    }
  });
});
