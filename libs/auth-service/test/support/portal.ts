import { createHash, randomBytes } from 'node:crypto';
import { locationOf, type TestBrowser } from '@tessera/test-kit';
import type { PlatformApp } from './platform-app';

export const REDIRECT_URI = 'https://app.example.com/cb';

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * Plays the portal's part in a browser: starts an authorization request, calls the flow APIs
 * under /auth/* with the CSRF header, and follows `redirect_to` until the client gets its code.
 */
export class Portal {
  readonly verifier = randomBytes(32).toString('base64url');

  constructor(
    readonly app: PlatformApp,
    readonly browser: TestBrowser,
  ) {}

  /** GET /oauth2/authorize; returns where the token service sent the browser. */
  async authorize(clientId: string, params: Record<string, string> = {}): Promise<string> {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email',
      state: 'st4te',
      nonce: 'n0nce',
      code_challenge: createHash('sha256').update(this.verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...params,
    });
    return locationOf(await this.browser.get(`${this.app.issuer}/oauth2/authorize?${query}`));
  }

  /** Follows a redirect_to (or any issuer URL) one hop. */
  async follow(url: string): Promise<string> {
    return locationOf(await this.browser.get(url));
  }

  async csrf(): Promise<string> {
    const res = await this.get('/auth/csrf');
    return res.body['csrf_token'] as string;
  }

  async get<T = Record<string, unknown>>(path: string): Promise<JsonResponse<T>> {
    const res = await this.browser.get(`${this.app.issuer}${path}`);
    return { status: res.status, body: (await res.json()) as T, headers: res.headers };
  }

  /** A state-changing call as the portal makes it: JSON, with the CSRF header. */
  async post<T = Record<string, unknown>>(path: string, body: unknown, headers: Record<string, string> = {}, method = 'POST'): Promise<JsonResponse<T>> {
    const csrf = this.browser.cookie('tessera_csrf') ?? (await this.csrf());
    const res = await this.browser.request(`${this.app.issuer}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, ...headers },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
  }

  /** The challenge value of a /login or /consent URL. */
  static challengeOf(url: string, kind: 'login' | 'consent'): string {
    const value = new URL(url).searchParams.get(`${kind}_challenge`);
    if (!value) throw new Error(`${url} is not a ${kind} page`);
    return value;
  }

  /** Password login on a login page URL; returns the flow API's answer. */
  loginWithPassword(loginUrl: string, email: string, password: string, remember = false) {
    return this.post<{ redirect_to?: string; next?: string; factors?: string[]; error?: string }>('/auth/login/password', {
      login_challenge: Portal.challengeOf(loginUrl, 'login'),
      email,
      password,
      remember,
    });
  }

  /** Accepts every requested scope on a consent page URL. */
  async consentAll(consentUrl: string, remember = true) {
    const challenge = Portal.challengeOf(consentUrl, 'consent');
    const view = await this.get(`/auth/consent?consent_challenge=${encodeURIComponent(challenge)}`);
    return this.post<{ redirect_to?: string }>('/auth/consent/accept', { consent_challenge: challenge, grant_scope: view.body['requested_scope'], remember });
  }

  /** From a redirect_to, follows the token service (and consent when asked) to the client's callback. */
  async toCallback(redirectTo: string): Promise<URL> {
    let url = await this.follow(redirectTo);
    if (url.includes('/consent?')) {
      const consent = await this.consentAll(url);
      if (!consent.body.redirect_to) throw new Error(`consent failed: ${JSON.stringify(consent.body)}`);
      url = await this.follow(consent.body.redirect_to);
    }
    if (!url.startsWith(REDIRECT_URI)) throw new Error(`expected the client's callback, got ${url}`);
    return new URL(url);
  }

  /** Redeems a code at the token endpoint (public client, PKCE). */
  async redeem(clientId: string, code: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.app.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: clientId, code_verifier: this.verifier }),
    });
    return (await res.json()) as Record<string, unknown>;
  }
}

/** The claims of a JWT, unverified (the test checks values, the RP libraries check signatures). */
export const claimsOf = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString());

/**
 * Signs a user in through the whole flow as the portal does (a first-party public client with
 * the `account` scope) and returns the portal, its access token, and a helper for account calls.
 */
export async function signInToAccount(app: PlatformApp, user: { email: string; password: string }, browser = app.browser()) {
  const { client_id } = await app.client({ scope: 'openid profile email account', first_party: true });
  const portal = new Portal(app, browser);
  const login = await portal.loginWithPassword(await portal.authorize(client_id, { scope: 'openid account' }), user.email, user.password);
  if (!login.body.redirect_to) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  const callback = await portal.toCallback(login.body.redirect_to);
  const tokens = await portal.redeem(client_id, callback.searchParams.get('code') as string);
  const accessToken = tokens['access_token'] as string;
  const account = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<JsonResponse<T>> => {
    const res = await portal.browser.request(`${app.issuer}/auth/account${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
  };
  return { portal, clientId: client_id, accessToken, tokens, account };
}
