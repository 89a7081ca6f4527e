import { FakeClock, locationOf, ScriptedLoginUi, TestBrowser } from '@tessera/test-kit';
import { startTokenService, type TestApp } from '../support/token-service-app';

const REDIRECT = 'https://app.example.com/callback';

describe('challenge lifetime', () => {
  const clock = new FakeClock(Date.UTC(2026, 10, 28, 12));
  let app: TestApp;
  let ui: ScriptedLoginUi;
  let clientId: string;

  beforeAll(async () => {
    app = await startTokenService({ clock: clock.now, env: { TESSERA_CHALLENGE_TTL: '300' } });
    ui = new ScriptedLoginUi(app);
    clientId = (await app.client({ grant_types: ['authorization_code'], redirect_uris: [REDIRECT], allowed_scopes: ['a'] })).client_id;
  });
  afterAll(() => app?.close());

  const start = async (browser: TestBrowser) =>
    locationOf(await browser.get(`${app.url}/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: REDIRECT, scope: 'a' })}`));

  it('refuses to read or accept a login challenge once it expired', async () => {
    const browser = new TestBrowser({ [app.issuer]: app.url });
    const login = await start(browser);
    clock.advance(301);
    expect((await ui.read(ui.challengeOf(login, 'login'))).status).toBe(404);
    expect((await ui.acceptLogin(browser, login, { sub: 'late', authTime: Math.floor(clock.now() / 1000) })).status).toBe(404);
  });

  it('refuses to resume an accepted challenge once it expired', async () => {
    const browser = new TestBrowser({ [app.issuer]: app.url });
    const login = await start(browser);
    const accepted = await ui.acceptLogin(browser, login, { sub: 'slow', authTime: Math.floor(clock.now() / 1000) });
    expect(accepted.status).toBe(200);
    clock.advance(301);
    const resumed = await browser.get(accepted.body['redirect_to'] as string);
    expect(resumed.status).toBe(400);
    expect(resumed.headers.get('location')).toBeNull();
  });
});

describe('challenge values in logs', () => {
  it('are redacted when a resume is refused', async () => {
    const app = await startTokenService();
    try {
      const secretChallenge = 'Z'.repeat(43);
      const res = await fetch(`${app.url}/oauth2/authorize/resume?challenge=${secretChallenge}`);
      expect(res.status).toBe(400);
      const logs = app.logs.join('');
      expect(logs).toContain('authorization refused');
      expect(logs).not.toContain(secretChallenge);
    } finally {
      await app.close();
    }
  });
});
