import { createHash, randomBytes } from 'node:crypto';
import { locationOf, ScriptedLoginUi, TestBrowser, testEngines } from '@tessera/test-kit';
import { startTokenService, type TestApp } from '../support/token-service-app';
import { dataSourceOf } from '../revocation/access-revocation.fixture';
import { MasterKeyring } from '@tessera/runtime';
import { CLOCK } from '../../src/clock';
import { TOKEN_SERVICE_CONFIG } from '../../src/config/token-service-config';
import { bindingCookieName, ChallengesService, MAX_CHALLENGE_LENGTH, MAX_LOGIN_BYTES, MAX_REQUEST_BYTES } from '../../src/interaction/challenges.service';
import { ReplayCache } from '../../src/ports/replay-cache';
import { ServiceSecretStore } from '../../src/ports/service-secret.store';

const REDIRECT = 'https://app.example.com/callback';

/**
 * Challenges travel sealed (interaction/challenge-seal.ts): nothing is stored for a pending step,
 * and each one's single use is the one row it leaves. These are the rules that design must keep.
 */
describe.each(testEngines())('sealed challenges (%s)', (engine) => {
  let app: TestApp;
  let ui: ScriptedLoginUi;
  let clientId: string;

  beforeAll(async () => {
    app = await startTokenService({ engine });
    ui = new ScriptedLoginUi(app);
    clientId = (await app.client({ grant_types: ['authorization_code'], redirect_uris: [REDIRECT], allowed_scopes: ['orders:read'] })).client_id;
  });
  afterAll(() => app?.close());

  const newBrowser = () => new TestBrowser({ [app.issuer]: app.url });
  const authorizeUrl = (params: Record<string, string> = {}) =>
    `${app.url}/oauth2/authorize?${new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'orders:read',
      state: 'xyz',
      code_challenge: createHash('sha256').update(randomBytes(32)).digest('base64url'),
      code_challenge_method: 'S256',
      ...params,
    })}`;
  const usedChallenges = async () =>
    Number(((await dataSourceOf(app).query(`SELECT COUNT(*) AS n FROM "replay_cache" WHERE "key" LIKE 'challenge:%'`)) as Array<{ n: string | number }>)[0].n);
  const newUser = () => `user-${randomBytes(4).toString('hex')}`;

  it('writes nothing for a challenge until its answer comes back, then the one row of its single use', async () => {
    const browser = newBrowser();
    const before = await usedChallenges();
    const login = locationOf(await browser.get(authorizeUrl()));
    const accepted = await ui.acceptLogin(browser, login, { sub: newUser() });
    expect(accepted.status).toBe(200);
    expect(await usedChallenges()).toBe(before);

    const consent = locationOf(await browser.get(accepted.body['redirect_to'] as string));
    expect(consent).toMatch(/\/consent\?consent_challenge=/);
    expect(await usedChallenges()).toBe(before + 1);
    const granted = await ui.acceptConsent(browser, consent, { grantScope: ['orders:read'] });
    expect(new URL(locationOf(await browser.get(granted.body['redirect_to'] as string))).searchParams.get('code')).toMatch(/^tsr_ac_/);
    expect(await usedChallenges()).toBe(before + 2);
  });

  it('refuses to read or answer a challenge once it was used', async () => {
    const browser = newBrowser();
    const login = locationOf(await browser.get(authorizeUrl()));
    const accepted = await ui.acceptLogin(browser, login, { sub: newUser() });
    expect((await browser.get(accepted.body['redirect_to'] as string)).status).toBe(303);

    const read = await ui.read(ui.challengeOf(login, 'login'));
    expect(read.status).toBe(404);
    expect(read.body['error_description']).toContain('already answered');
    expect((await ui.acceptLogin(browser, login, { sub: newUser() })).status).toBe(404);
  });

  it('completes a challenge answered twice (a double submit) once: the second answer is refused', async () => {
    const browser = newBrowser();
    const login = locationOf(await browser.get(authorizeUrl()));
    const verifier = browser.cookie(bindingCookieName(ui.challengeOf(login, 'login'))) as string;
    const first = await ui.acceptLogin(browser, login, { sub: newUser() });
    const second = await ui.acceptLogin(browser, login, { sub: newUser() });
    expect(first.body['redirect_to']).not.toBe(second.body['redirect_to']);

    expect(locationOf(await browser.get(first.body['redirect_to'] as string))).toMatch(/\/consent\?consent_challenge=/);
    // The first resume cleared the binding cookie: the other answer has nothing to resume with.
    const late = await browser.get(second.body['redirect_to'] as string);
    expect(late.status).toBe(400);
    expect(late.headers.get('location')).toBeNull();
    // Even with the cookie back, the other user's answer is never applied: the sign-in starts over.
    const replaying = newBrowser();
    replaying.setCookie(bindingCookieName(ui.challengeOf(login, 'login')), verifier);
    expect(locationOf(await replaying.get(second.body['redirect_to'] as string))).toMatch(/\/login\?login_challenge=/);
  });

  it('refuses a challenge brought back as if it were its answer', async () => {
    const browser = newBrowser();
    const login = locationOf(await browser.get(authorizeUrl()));
    const challenge = ui.challengeOf(login, 'login');
    const res = await browser.get(`${app.url}/oauth2/authorize/resume?challenge=${challenge}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('not finished yet');
  });

  it('refuses an altered answer, and an altered challenge, as unknown', async () => {
    const browser = newBrowser();
    const login = locationOf(await browser.get(authorizeUrl()));
    const challenge = ui.challengeOf(login, 'login');
    const accepted = await ui.acceptLogin(browser, login, { sub: newUser() });
    const answer = new URL(accepted.body['redirect_to'] as string).searchParams.get('challenge') as string;
    const alter = (value: string) => value.slice(0, 60) + (value[60] === 'A' ? 'B' : 'A') + value.slice(61);

    const resumed = await browser.get(`${app.url}/oauth2/authorize/resume?challenge=${alter(answer)}`);
    expect(resumed.status).toBe(400);
    expect(resumed.headers.get('location')).toBeNull();
    expect(await resumed.text()).toContain('Unknown or expired challenge');
    expect((await ui.read(alter(challenge))).status).toBe(404);
    // The genuine answer still works: a forgery attempt does not burn it.
    expect((await browser.get(accepted.body['redirect_to'] as string)).status).toBe(303);
  });

  it('keeps what the UI is shown out of the browser: the challenge holds the request sealed', async () => {
    const browser = newBrowser();
    const login = locationOf(await browser.get(authorizeUrl({ state: 'state-seen-only-by-the-client', login_hint: 'ada@example.com' })));
    const challenge = ui.challengeOf(login, 'login');
    expect(Buffer.from(challenge, 'base64url').toString('latin1')).not.toContain('ada@example.com');
    expect((await ui.read(challenge)).body).toMatchObject({ kind: 'login', login_hint: 'ada@example.com', requested_scope: ['orders:read'] });
  });

  it('bounds what a login answer carries (it travels in URLs): login_session_id, amr, and its size as JSON', async () => {
    const browser = newBrowser();
    const login = locationOf(await browser.get(authorizeUrl()));
    const challenge = ui.challengeOf(login, 'login');
    const verifier = browser.cookie((await ui.read(challenge)).body['binding_cookie'] as string);
    const accept = (extra: Record<string, unknown>) =>
      app.internal('POST', `/internal/challenges/${challenge}/accept`, { verifier, sub: newUser(), login_session_id: 'ls', amr: ['pwd'], auth_time: Math.floor(Date.now() / 1000), ...extra });
    expect((await accept({ login_session_id: 'l'.repeat(256) })).status).toBe(400);
    expect((await accept({ amr: Array.from({ length: 17 }, (_, i) => `m${i}`) })).status).toBe(400);
    expect((await accept({ amr: ['x'.repeat(65)] })).status).toBe(400);
    // Within every character bound, but 1.5 KB once escaped as JSON.
    const escaped = await accept({ sub: '\u0001'.repeat(255) });
    expect(escaped.status).toBe(400);
    expect(escaped.body['error_description']).toContain('too large');
    expect((await accept({ sub: 's'.repeat(255), login_session_id: 'l'.repeat(255), amr: ['pwd', 'otp'] })).status).toBe(200);
  });

  it('refuses an authorization request too large to carry, with invalid_request at the client, signed in or not', async () => {
    const expectRefused = (res: Response) => {
      expect(res.status).toBe(303);
      const back = new URL(locationOf(res));
      expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
      expect(back.searchParams.get('error')).toBe('invalid_request');
      expect(back.searchParams.get('error_description')).toContain('too large');
    };
    const browser = newBrowser();
    expectRefused(await browser.get(authorizeUrl({ state: 's'.repeat(MAX_CHALLENGE_LENGTH) })));
    expectRefused(await browser.get(authorizeUrl({ state: 's'.repeat(MAX_REQUEST_BYTES) })));
    // Signed in, where the consent challenge is the first one made.
    const login = locationOf(await browser.get(authorizeUrl()));
    const accepted = await ui.acceptLogin(browser, login, { sub: newUser() });
    expect(locationOf(await browser.get(accepted.body['redirect_to'] as string))).toMatch(/\/consent\?consent_challenge=/);
    expectRefused(await browser.get(authorizeUrl({ state: 's'.repeat(MAX_REQUEST_BYTES) })));
  });

  it('carries the largest request through every step: a login over an OP session with the largest login result, then consent', async () => {
    const browser = newBrowser();
    const first = locationOf(await browser.get(authorizeUrl()));
    const signedIn = await ui.acceptLogin(browser, first, { sub: newUser() });
    await browser.get(signedIn.body['redirect_to'] as string);
    // Just under MAX_REQUEST_BYTES as stored, asking to sign in again (the challenge then carries the
    // current user too) and for consent; the login result just under MAX_LOGIN_BYTES.
    const probe = (state: string) => Buffer.byteLength(JSON.stringify({ state })) - 2;
    const state = 't'.repeat(MAX_REQUEST_BYTES - 600 - probe(''));
    const login = locationOf(await browser.get(authorizeUrl({ state, prompt: 'login consent', scope: 'orders:read' })));
    const challenge = ui.challengeOf(login, 'login');
    expect((await ui.read(challenge)).body['subject']).toBeDefined();
    const verifier = browser.cookie((await ui.read(challenge)).body['binding_cookie'] as string);
    const big = { sub: `u${'s'.repeat(250)}`, login_session_id: 'l'.repeat(255), amr: ['pwd', 'otp', 'hwk', 'user', 'mfa', 'x'.repeat(60)] };
    expect(Buffer.byteLength(JSON.stringify({ ...big, loginSessionId: big.login_session_id, acr: 'urn:tessera:acr:mfa', authTime: 1_800_000_000, remember: true }))).toBeGreaterThan(MAX_LOGIN_BYTES - 200);
    const accepted = await app.internal('POST', `/internal/challenges/${challenge}/accept`, { verifier, ...big, auth_time: Math.floor(Date.now() / 1000), remember: true });
    expect(accepted.status).toBe(200);
    const consent = locationOf(await browser.get(accepted.body['redirect_to'] as string));
    expect(consent).toMatch(/\/consent\?consent_challenge=/);
    const granted = await ui.acceptConsent(browser, consent, { grantScope: ['orders:read'] });
    expect(granted.status).toBe(200);
    for (const value of [challenge, ui.challengeOf(consent, 'consent'), accepted.body['redirect_to'] as string, granted.body['redirect_to'] as string]) {
      expect(value.length).toBeLessThan(8 * 1024);
    }
    const done = new URL(locationOf(await browser.get(granted.body['redirect_to'] as string)));
    expect(done.searchParams.get('state')).toBe(state);
    expect(done.searchParams.get('code')).toMatch(/^tsr_ac_/);
  });
});

/**
 * A second replica: a ChallengesService of its own on the same database, which has seen nothing
 * the first one sealed (so every value is decrypted, not found in a cache) and must find the
 * sealing key the first one made. (Two whole token services cannot share this test process: the
 * in-process queue takes one consumer per queue.)
 */
describe.each(testEngines())('sealed challenges across replicas (%s)', (engine) => {
  let app: TestApp;
  let replica: ChallengesService;

  beforeAll(async () => {
    app = await startTokenService({ engine });
    const get = <T>(token: unknown) => app.running.app.get<T>(token as never);
    replica = new ChallengesService(get(ReplayCache), get(ServiceSecretStore), get(MasterKeyring), get(TOKEN_SERVICE_CONFIG), get(CLOCK));
    await replica.onModuleInit();
  });
  afterAll(() => app?.close());

  it('reads and answers on a replica that never saw the challenge, and resumes where the answer was not made', async () => {
    const clientId = (await app.client({ grant_types: ['authorization_code'], redirect_uris: [REDIRECT], allowed_scopes: ['orders:read'] })).client_id;
    const browser = new TestBrowser({ [app.issuer]: app.url });
    const ui = new ScriptedLoginUi(app);
    const start = await browser.get(
      `${app.url}/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: REDIRECT, scope: 'orders:read', state: 'across', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cQ', code_challenge_method: 'S256' })}`,
    );
    const challenge = ui.challengeOf(locationOf(start), 'login');
    const pending = await replica.pending(challenge);
    expect(pending).toMatchObject({ kind: 'login', clientId, request: { scope: ['orders:read'], state: 'across', redirectUri: REDIRECT } });
    const answer = replica.accept(pending, browser.cookie(pending.bindingCookie), {
      kind: 'login',
      login: { sub: `user-${randomBytes(4).toString('hex')}`, loginSessionId: 'ls-across', amr: ['pwd'], authTime: Math.floor(Date.now() / 1000), remember: false },
    });
    const consent = locationOf(await browser.get(`${app.url}/oauth2/authorize/resume?challenge=${answer}`));
    expect(consent).toMatch(/\/consent\?consent_challenge=/);
    // The consent challenge the first replica made opens on the second one too.
    expect(await replica.pending(ui.challengeOf(consent, 'consent'))).toMatchObject({ kind: 'consent', login: { sid: expect.any(String) } });
    // Used on one replica is used on all: the single use is in the database.
    await expect(replica.pending(challenge)).rejects.toThrow('already answered');
  });

  it('refuses what a replica holding another sealing key made', async () => {
    // Its service secrets keep whatever it proposes: a sealing key of its own.
    const stranger = new ChallengesService(
      app.running.app.get(ReplayCache),
      { getOrInsert: async (_name: string, candidate: string) => candidate, replace: async () => undefined } as unknown as ServiceSecretStore,
      app.running.app.get(MasterKeyring),
      app.running.app.get<never>(TOKEN_SERVICE_CONFIG as never),
      app.running.app.get<never>(CLOCK as never),
    );
    await stranger.onModuleInit();
    const issued = stranger.create('login', { clientId: 'app', redirectUri: REDIRECT, scope: ['orders:read'], resource: [], prompt: [] } as never);
    await expect(replica.pending(issued.challenge)).rejects.toThrow('Unknown or expired challenge');
  });
});
