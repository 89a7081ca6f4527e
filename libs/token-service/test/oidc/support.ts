import { createHash, randomBytes } from 'node:crypto';
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyResult,
} from 'jose';
import type { DatabaseEngine } from '@tessera/runtime';
import { FakeClock, locationOf, ScriptedLoginUi, TestBrowser } from '@tessera/test-kit';
import { InMemoryUserClaims, startTokenService, type TestApp } from '../support/token-service-app';

/** An https redirect URI (implicit clients may register nothing else). */
export const REDIRECT = 'https://rp.example.com/cb';

/** A JSON body as the tests read it. */
export type Json = Record<string, unknown>;

export interface OidcClient {
  client_id: string;
  client_secret: string;
  basic: string;
  redirect: string;
}

export interface LoginOptions {
  sub: string;
  amr?: string[];
  acr?: string;
  /** Epoch seconds; default: the fake clock's now. */
  authTime?: number;
  remember?: boolean;
  /** The authentication service's login session; default `ls-<sub>`. */
  loginSessionId?: string;
}

/** Where an authorization response landed: the redirect URI and its parameters (query or fragment). */
export interface Callback {
  target: string;
  mode: 'query' | 'fragment';
  params: Record<string, string>;
}

/** A complete profile as the authentication service would answer it. */
export const profileOf = (sub: string): Record<string, unknown> => ({
  name: `Ada ${sub}`,
  given_name: 'Ada',
  family_name: 'Lovelace',
  preferred_username: sub,
  locale: 'en-GB',
  updated_at: 1_700_000_000,
  email: `${sub}@example.com`,
  email_verified: true,
  address: { street_address: '12 St James Square', locality: 'London', country: 'GB' },
  phone_number: '+44 20 7946 0000',
  phone_number_verified: false,
});

/** The left-most half of the SHA-256 of `value`, base64url (OIDC Core §3.1.3.6 at_hash, §3.3.2.11 c_hash). */
export const leftHalfSha256 = (value: string) =>
  createHash('sha256').update(value, 'ascii').digest().subarray(0, 16).toString('base64url');

/** Every callback parameter, whether it came in the query or the fragment. */
export function callbackOf(res: Response): Callback {
  const url = new URL(locationOf(res));
  const mode = url.hash ? 'fragment' : 'query';
  const params = Object.fromEntries(
    new URLSearchParams(mode === 'fragment' ? url.hash.slice(1) : url.search),
  );
  return { target: `${url.origin}${url.pathname}`, mode, params };
}

/** The hidden inputs of a form_post page. */
export function formPostParams(html: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    params[m[1]] = decodeEntities(m[2]);
  return params;
}

const decodeEntities = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/**
 * The token service with a fake clock and an in-memory user directory, and the steps of an
 * OpenID Connect authentication as a browser, the login/consent UI and a client take them.
 */
export class Oidc {
  readonly ui: ScriptedLoginUi;

  private constructor(
    readonly app: TestApp,
    readonly clock: FakeClock,
    readonly users: InMemoryUserClaims,
  ) {
    this.ui = new ScriptedLoginUi(app);
  }

  /** Boots the service; the fake clock starts at the real time (whole seconds). */
  static async start(engine: DatabaseEngine, env: Record<string, string> = {}): Promise<Oidc> {
    const clock = new FakeClock(Math.floor(Date.now() / 1000) * 1000);
    const users = new InMemoryUserClaims();
    const app = await startTokenService({ engine, clock: clock.now, userClaims: users, env });
    return new Oidc(app, clock, users);
  }

  close() {
    return this.app.close();
  }

  now(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  browser(): TestBrowser {
    return new TestBrowser({ [this.app.issuer]: this.app.url });
  }

  /** A user of its own for each test (remembered grants never leak between tests), in the directory. */
  newUser(claims?: Record<string, unknown>): string {
    const sub = `user-${randomBytes(5).toString('hex')}`;
    this.users.users.set(sub, claims ?? profileOf(sub));
    return sub;
  }

  /** Registers a managed client (code flow with openid and the standard scopes unless told otherwise). */
  async client(metadata: Record<string, unknown> = {}): Promise<OidcClient> {
    const redirect = ((metadata['redirect_uris'] as string[] | undefined) ?? [REDIRECT])[0];
    const registered = await this.app.client({
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [REDIRECT],
      allowed_scopes: ['openid', 'profile', 'email', 'address', 'phone', 'offline_access', 'orders:read'],
      ...metadata,
    });
    return { ...registered, redirect };
  }

  authorizeUrl(client: OidcClient, params: Record<string, string> = {}): string {
    const query = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: client.redirect,
      response_type: 'code',
      scope: 'openid',
      state: 'st-1',
      nonce: 'n-0S6_WzA2Mj',
      ...params,
    });
    for (const [k, v] of [...query]) if (v === '') query.delete(k);
    return `${this.app.url}/oauth2/authorize?${query}`;
  }

  authorize(
    browser: TestBrowser,
    client: OidcClient,
    params: Record<string, string> = {},
  ): Promise<Response> {
    return browser.get(this.authorizeUrl(client, params));
  }

  /** Accepts a login challenge as the auth-service does (acr and amr as given), then resumes. */
  async login(browser: TestBrowser, loginUrl: string, login: LoginOptions): Promise<Response> {
    const accepted = await this.acceptLogin(browser, loginUrl, login);
    if (accepted.status !== 200) throw new Error(`login accept failed: ${JSON.stringify(accepted.body)}`);
    return browser.get(accepted.body['redirect_to'] as string);
  }

  acceptLogin(browser: TestBrowser, loginUrl: string, login: LoginOptions) {
    return this.acceptLoginRaw(browser, loginUrl, {
      sub: login.sub,
      login_session_id: login.loginSessionId ?? `ls-${login.sub}`,
      amr: login.amr ?? ['pwd'],
      ...(login.acr !== undefined ? { acr: login.acr } : {}),
      auth_time: login.authTime ?? this.now(),
      remember: login.remember ?? true,
    });
  }

  /** Posts any accept body (with the browser's verifier) to a login challenge. */
  async acceptLoginRaw(browser: TestBrowser, loginUrl: string, body: Json) {
    const challenge = this.ui.challengeOf(loginUrl, 'login');
    const info = await this.ui.read(challenge);
    return this.app.internal('POST', `/internal/challenges/${encodeURIComponent(challenge)}/accept`, {
      verifier: browser.cookie(info.body['binding_cookie'] as string),
      ...body,
    });
  }

  /** Accepts a consent challenge (by default granting every requested scope), then resumes. */
  async consent(
    browser: TestBrowser,
    consentUrl: string,
    grantScope?: string[],
    remember = true,
  ): Promise<Response> {
    const info = await this.ui.read(this.ui.challengeOf(consentUrl, 'consent'));
    const scopes = grantScope ?? (info.body['requested_scope'] as string[]);
    const accepted = await this.ui.acceptConsent(browser, consentUrl, { grantScope: scopes, remember });
    if (accepted.status !== 200) throw new Error(`consent accept failed: ${JSON.stringify(accepted.body)}`);
    return browser.get(accepted.body['redirect_to'] as string);
  }

  /**
   * The whole authentication: authorize, login when asked, consent when asked (granting
   * `grantScope`, default all requested). Returns the response that goes back to the client.
   */
  async signIn(
    browser: TestBrowser,
    client: OidcClient,
    params: Record<string, string>,
    login: LoginOptions,
    grantScope?: string[],
  ): Promise<Response> {
    let res = await this.authorize(browser, client, params);
    if (isInteraction(res, 'login')) res = await this.login(browser, locationOf(res), login);
    if (isInteraction(res, 'consent')) res = await this.consent(browser, locationOf(res), grantScope);
    return res;
  }

  /** signIn for the code flow, then the token request: the token response. */
  async codeFlow(
    client: OidcClient,
    login: LoginOptions,
    params: Record<string, string> = {},
    grantScope?: string[],
    browser = this.browser(),
  ): Promise<Json & { access_token: string; id_token?: string; refresh_token?: string }> {
    const res = await this.signIn(browser, client, params, login, grantScope);
    const { params: callback } = callbackOf(res);
    if (!callback['code']) throw new Error(`no code: ${JSON.stringify(callback)}`);
    return this.redeem(client, callback['code']);
  }

  async redeem(
    client: OidcClient,
    code: string,
  ): Promise<Json & { access_token: string; id_token?: string; refresh_token?: string }> {
    const res = await this.app.form(
      '/oauth2/token',
      { grant_type: 'authorization_code', code, redirect_uri: client.redirect },
      { authorization: client.basic },
    );
    const body = (await res.json()) as Json & { access_token: string; id_token?: string };
    if (res.status !== 200) throw new Error(`token request failed: ${JSON.stringify(body)}`);
    return body;
  }

  async jwks() {
    const res = await fetch(`${this.app.url}/oauth2/jwks`);
    return createLocalJWKSet((await res.json()) as { keys: [] });
  }

  /** Verifies a JWT the way a relying party does: our JWKS, our issuer, its audience, at the fake clock's time. */
  async verify(jwt: string, audience: string): Promise<JWTVerifyResult & { payload: JWTPayload & Json }> {
    return (await jwtVerify(jwt, await this.jwks(), {
      issuer: this.app.issuer,
      audience,
      currentDate: new Date(this.clock.now()),
    })) as JWTVerifyResult & {
      payload: JWTPayload & Json;
    };
  }

  async idToken(jwt: string | undefined, client: OidcClient): Promise<JWTPayload & Json> {
    if (!jwt) throw new Error('no id_token');
    return (await this.verify(jwt, client.client_id)).payload;
  }

  userinfo(
    token: string | undefined,
    init: { method?: string; body?: string; headers?: Record<string, string>; query?: string } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
      ...init.headers,
    };
    if (init.body !== undefined) headers['content-type'] ??= 'application/x-www-form-urlencoded';
    return fetch(`${this.app.url}/oauth2/userinfo${init.query ? `?${init.query}` : ''}`, {
      method: init.method ?? 'GET',
      headers,
      body: init.body,
    });
  }
}

export function isInteraction(res: Response, kind: 'login' | 'consent'): boolean {
  const location = res.headers.get('location');
  return res.status === 303 && location !== null && location.includes(`${kind}_challenge=`);
}

export const headerAlg = (jwt: string) => decodeProtectedHeader(jwt).alg;
