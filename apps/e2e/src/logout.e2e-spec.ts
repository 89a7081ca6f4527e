import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import type { DatabaseEngine } from '@tessera/runtime';
import { eventually, locationOf, TestBrowser } from '@tessera/test-kit';
import { e2eEngines } from './support/engines';
import { startPlatform, type RunningPlatform } from './support/platform';

const REDIRECT = 'http://127.0.0.1:9/callback';
const SIGNED_OUT = 'http://127.0.0.1:9/signed-out';
const insecure = { execute: [oidc.allowInsecureRequests] };

/** A client's back-channel logout endpoint: records each logout token; can fail its first answers. */
class LogoutListener {
  readonly tokens: string[] = [];
  private answered = 0;
  private server!: Server;
  url = '';
  constructor(private readonly failFirst = 0) {}

  async start() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        this.answered++;
        if (this.answered <= this.failFirst) {
          res.writeHead(500).end();
          return;
        }
        const token = new URLSearchParams(body).get('logout_token');
        if (token) this.tokens.push(token);
        res.writeHead(200, { 'cache-control': 'no-store' }).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/backchannel-logout`;
    return this;
  }

  stop() {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe.each(e2eEngines())('logout across clients with openid-client (%s)', (engine: DatabaseEngine) => {
  let platform: RunningPlatform;
  let jwks: ReturnType<typeof jose.createRemoteJWKSet>;
  const listeners = { a: new LogoutListener(), b: new LogoutListener(3) };
  const configs: Record<'a' | 'b', oidc.Configuration> = {} as never;
  const user = { email: 'grace@example.com', password: 'a ship in harbour is safe' };

  async function flowPost(browser: TestBrowser, path: string, body: unknown) {
    let csrf = browser.cookie('tessera_csrf');
    if (!csrf) csrf = ((await (await browser.get(`${platform.issuer}/auth/csrf`)).json()) as { csrf_token: string }).csrf_token;
    const res = await browser.request(`${platform.issuer}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body) });
    return (await res.json()) as Record<string, unknown>;
  }

  /** A code flow for one client in this browser: a password login when asked, consent when asked. */
  async function codeFlow(browser: TestBrowser, which: 'a' | 'b', extra: Record<string, string> = {}) {
    const config = configs[which];
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, ...extra });
    let next = locationOf(await browser.get(url.href));
    if (next.includes('/login?')) {
      const login = await flowPost(browser, '/auth/login/password', { login_challenge: new URL(next).searchParams.get('login_challenge'), ...user });
      next = locationOf(await browser.get(login['redirect_to'] as string));
    }
    if (next.includes('/consent?')) {
      const challenge = new URL(next).searchParams.get('consent_challenge') as string;
      const accepted = await flowPost(browser, '/auth/consent/accept', { consent_challenge: challenge, grant_scope: ['openid'], remember: true });
      next = locationOf(await browser.get(accepted['redirect_to'] as string));
    }
    const callback = new URL(next);
    if (callback.searchParams.has('error')) return { error: callback.searchParams.get('error') };
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    return { tokens };
  }

  beforeAll(async () => {
    await listeners.a.start();
    await listeners.b.start();
    platform = await startPlatform({ engine, env: { TESSERA_OUTBOUND_ALLOW_PRIVATE: 'true', TESSERA_BACKCHANNEL_RETRY_MS: '50' } });
    expect((await platform.internal('POST', '/internal/users', { ...user, email_verified: true })).status).toBe(201);
    for (const which of ['a', 'b'] as const) {
      const created = await platform.internal<{ client_id: string }>('POST', '/internal/clients', {
        client_name: `App ${which}`,
        redirect_uris: [REDIRECT],
        post_logout_redirect_uris: [SIGNED_OUT],
        backchannel_logout_uri: listeners[which].url,
        backchannel_logout_session_required: true,
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'none',
        allowed_scopes: ['openid'],
      });
      expect(created.status).toBe(201);
      configs[which] = await oidc.discovery(new URL(platform.issuer), created.body.client_id, { token_endpoint_auth_method: 'none' }, oidc.None(), insecure);
    }
    jwks = jose.createRemoteJWKSet(new URL(`${platform.issuer}/oauth2/jwks`));
  });
  afterAll(async () => {
    await platform?.stop();
    await listeners.a.stop();
    await listeners.b.stop();
  });

  it('signs in to two clients, logs out from one (RP-initiated), and both receive valid logout tokens; then prompt=none answers login_required', async () => {
    const browser = new TestBrowser();
    const a = await codeFlow(browser, 'a');
    const b = await codeFlow(browser, 'b');
    const idTokenA = a.tokens?.id_token as string;
    const sid = a.tokens?.claims()?.['sid'];
    expect(sid).toBeTruthy();
    expect(b.tokens?.claims()?.['sid']).toBe(sid);

    // An unregistered post_logout_redirect_uri is never followed, and logs nobody out.
    const foreign = oidc.buildEndSessionUrl(configs.a, { id_token_hint: idTokenA, post_logout_redirect_uri: 'https://evil.example/', state: 'x' });
    const refused = await browser.get(foreign.href);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('location')).toBeNull();

    const logout = oidc.buildEndSessionUrl(configs.a, { id_token_hint: idTokenA, post_logout_redirect_uri: SIGNED_OUT, state: 'bye-1' });
    const res = await browser.get(logout.href);
    expect(res.status).toBe(303);
    const back = new URL(locationOf(res));
    expect(`${back.origin}${back.pathname}`).toBe(SIGNED_OUT);
    expect(back.searchParams.get('state')).toBe('bye-1');

    // Client B's listener fails three times, then succeeds: it still gets its token.
    await eventually(() => expect([listeners.a.tokens.length, listeners.b.tokens.length]).toEqual([1, 1]), { timeoutMs: 15_000, intervalMs: 50 });
    for (const which of ['a', 'b'] as const) {
      const token = listeners[which].tokens[0] as string;
      const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, { issuer: platform.issuer, audience: configs[which].clientMetadata().client_id, typ: 'logout+jwt' });
      expect(protectedHeader.typ).toBe('logout+jwt');
      expect(payload).toMatchObject({ sid, events: { 'http://schemas.openid.net/event/backchannel-logout': {} } });
      expect(payload).not.toHaveProperty('nonce');
      expect(payload.jti).toBeTruthy();
    }
    // Each delivery's outcome is recorded where the admin API can show it.
    await eventually(async () => {
      const deliveries = await platform.internal<Array<{ status: string; attempts: number; client_id: string }>>('GET', '/internal/backchannel-deliveries');
      const byClient = Object.fromEntries(deliveries.body.map((d) => [d.client_id, d]));
      expect(byClient[configs.a.clientMetadata().client_id]).toMatchObject({ status: 'delivered', attempts: 1 });
      expect(byClient[configs.b.clientMetadata().client_id]).toMatchObject({ status: 'delivered', attempts: 4 });
    });

    for (const which of ['a', 'b'] as const) {
      expect(await codeFlow(browser, which, { prompt: 'none' })).toEqual({ error: 'login_required' });
    }
  });
});
