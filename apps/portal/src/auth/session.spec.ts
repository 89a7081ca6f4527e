import { FakeServer } from '../test/fake-server';
import { navigate } from './navigate';
import {
  accessToken,
  completeSignIn,
  forgetDiscoveryForTest,
  forgetTokens,
  heldToken,
  isRenewalStuck,
  renew,
  safeReturnTo,
  signIn,
  SignInError,
  subscribeRenewal,
} from './session';

jest.mock('./navigate', () => ({ navigate: jest.fn() }));
const navigated = navigate as jest.MockedFunction<typeof navigate>;

const ISSUER = window.location.origin; // jsdom's http://localhost
const discovery = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/oauth2/authorize`,
  token_endpoint: `${ISSUER}/oauth2/token`,
  jwks_uri: `${ISSUER}/.well-known/jwks.json`,
  response_types_supported: ['code'],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['ES256'],
  code_challenge_methods_supported: ['S256'],
  authorization_response_iss_parameter_supported: true,
};

/** An unsigned-looking ID token: oauth4webapi checks the claims of a code-flow ID token, not its signature (TLS). */
function idToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'ES256', typ: 'JWT' })}.${part(claims)}.${Buffer.from('signature').toString('base64url')}`;
}

/**
 * Lets signIn's promise chain reach the navigation (or gives up after `ms`, when none comes). The
 * chain (discovery, WebCrypto) takes milliseconds, but a loaded CI machine can hold it past the
 * second this used to wait; a wait that expects no navigation passes a shorter `ms`.
 */
async function settle(ms = 10_000) {
  const before = navigated.mock.calls.length;
  const until = performance.now() + ms;
  while (navigated.mock.calls.length === before && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
}
const lastAuthorizationUrl = () => new URL(navigated.mock.calls.at(-1)?.[0] as string);

beforeEach(() => {
  navigated.mockClear();
  forgetTokens();
});
afterEach(() => jest.restoreAllMocks());

/** Starts a sign-in and answers its callback's token request with `tokenReply` (an ID token with the right nonce by default). */
async function signInAndCallBack(server: FakeServer, returnTo: string, tokenReply?: (nonce: string) => { status?: number; body: unknown }) {
  void signIn('account', { returnTo });
  await settle();
  const request = lastAuthorizationUrl();
  const nonce = request.searchParams.get('nonce') as string;
  const now = Math.floor(Date.now() / 1000);
  server.on(
    'POST /oauth2/token',
    tokenReply?.(nonce) ?? {
      body: { access_token: 'at', token_type: 'Bearer', expires_in: 600, id_token: idToken({ iss: ISSUER, aud: 'tessera-portal', sub: 'user-1', iat: now, exp: now + 600, nonce }) },
    },
  );
  return completeSignIn(new URL(`${ISSUER}/callback?code=c-1&state=${request.searchParams.get('state')}&iss=${encodeURIComponent(ISSUER)}`));
}

describe('signing in as the portal (authorization code + PKCE, tokens in memory)', () => {
  it('sends the page to the authorization endpoint with PKCE S256, state and nonce, remembering only the verifier and where to return', async () => {
    new FakeServer().on('GET /.well-known/openid-configuration', { body: discovery }).install();
    void signIn('account', { returnTo: '/account/apps' });
    await settle();
    const url = lastAuthorizationUrl();
    expect(url.origin + url.pathname).toBe(`${ISSUER}/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'tessera-portal',
      redirect_uri: `${ISSUER}/callback`,
      response_type: 'code',
      scope: 'openid profile email account',
      code_challenge_method: 'S256',
    });
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('prompt')).toBeNull();
    const stored = JSON.parse(window.sessionStorage.getItem(`tessera.authorization.${url.searchParams.get('state')}`) as string);
    expect(stored).toMatchObject({ purpose: 'account', returnTo: '/account/apps', nonce: url.searchParams.get('nonce') });
    expect(Object.keys(stored).sort()).toEqual(['nonce', 'purpose', 'returnTo', 'startedAt', 'verifier']);
  });

  it('asks for the admin token for the admin API only, as its resource', async () => {
    new FakeServer().on('GET /.well-known/openid-configuration', { body: discovery }).install();
    void signIn('admin');
    await settle();
    expect(lastAuthorizationUrl().searchParams.get('scope')).toBe('openid email admin:read admin:write');
    expect(lastAuthorizationUrl().searchParams.get('resource')).toBe(`${ISSUER}/admin/api`);
  });

  it('redeems the code with the verifier, checks state, iss and nonce, holds the tokens in memory only, and renews silently (prompt=none) once it held one', async () => {
    const server = new FakeServer().on('GET /.well-known/openid-configuration', { body: discovery }).install();
    void signIn('account', { returnTo: '/account/sessions' });
    await settle();
    const request = lastAuthorizationUrl();
    const state = request.searchParams.get('state') as string;
    const now = Math.floor(Date.now() / 1000);
    server.on('POST /oauth2/token', {
      body: {
        access_token: 'at-secret',
        token_type: 'Bearer',
        expires_in: 600,
        scope: 'openid profile email account',
        id_token: idToken({ iss: ISSUER, aud: 'tessera-portal', sub: 'user-1', iat: now, exp: now + 600, nonce: request.searchParams.get('nonce'), email: 'a@example.com' }),
      },
    });

    const done = await completeSignIn(new URL(`${ISSUER}/callback?code=c-1&state=${state}&iss=${encodeURIComponent(ISSUER)}`));
    expect(done).toEqual({ purpose: 'account', returnTo: '/account/sessions' });
    const [tokenRequest] = server.sent('POST /oauth2/token');
    const form = new URLSearchParams(tokenRequest?.body as string);
    expect(form.get('code_verifier')).toMatch(/^[\w-]{43}$/);
    expect(form.get('client_id')).toBe('tessera-portal');
    await expect(accessToken('account')).resolves.toBe('at-secret');
    expect(JSON.stringify({ ...window.sessionStorage })).not.toContain('at-secret');
    expect(JSON.stringify({ ...window.localStorage })).not.toContain('at-secret');
    expect(document.cookie).not.toContain('at-secret');

    // A minute later (a token obtained moments ago and refused is the renewal guard's case, below).
    const later = Date.now() + 60_000;
    jest.spyOn(Date, 'now').mockReturnValue(later);
    void renew('account');
    await settle();
    expect(heldToken('account')).toBeUndefined();
    expect(lastAuthorizationUrl().searchParams.get('prompt')).toBe('none');
  });

  it('refuses a response that no sign-in in this tab started (state), and one from another issuer', async () => {
    new FakeServer().on('GET /.well-known/openid-configuration', { body: discovery }).install();
    await expect(completeSignIn(new URL(`${ISSUER}/callback?code=c&state=forged&iss=${encodeURIComponent(ISSUER)}`))).rejects.toBeInstanceOf(SignInError);
    void signIn('account');
    await settle();
    const state = lastAuthorizationUrl().searchParams.get('state') as string;
    await expect(completeSignIn(new URL(`${ISSUER}/callback?code=c&state=${state}&iss=${encodeURIComponent('https://evil.example')}`))).rejects.toThrow();
  });

  it('turns a failed silent renewal (login_required) into a real sign-in', async () => {
    new FakeServer().on('GET /.well-known/openid-configuration', { body: discovery }).install();
    void signIn('account', { prompt: 'none', returnTo: '/account' });
    await settle();
    const state = lastAuthorizationUrl().searchParams.get('state') as string;
    void completeSignIn(new URL(`${ISSUER}/callback?error=login_required&state=${state}&iss=${encodeURIComponent(ISSUER)}`));
    await settle();
    expect(navigated).toHaveBeenCalledTimes(2);
    expect(lastAuthorizationUrl().searchParams.get('prompt')).toBeNull();
  });
});

describe('safeReturnTo', () => {
  it.each(['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)'])('never returns to %s', (value) => {
    expect(safeReturnTo(value)).toBe('/account');
  });
  it.each(['/callback', '/callback?code=c&state=s', '/callback#x', '/CALLBACK?code=c', '/callback/'])('never returns to the single-use callback %s', (value) => {
    expect(safeReturnTo(value)).toBe('/account');
  });
  it('keeps a path on this origin', () => {
    expect(safeReturnTo('/admin/clients?q=x#top')).toBe('/admin/clients?q=x#top');
    expect(safeReturnTo('/callbacks-explained')).toBe('/callbacks-explained');
  });
});

describe('a sign-in that fails after the state check', () => {
  it('keeps where the person was going when the token endpoint refuses the code', async () => {
    const server = new FakeServer().on('GET /.well-known/openid-configuration', { body: discovery }).install();
    const failure = await signInAndCallBack(server, '/account/sessions', () => ({ status: 400, body: { error: 'invalid_grant', error_description: 'The code was already used.' } })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SignInError);
    expect(failure).toMatchObject({ code: 'invalid_grant', description: 'The code was already used.', purpose: 'account', returnTo: '/account/sessions' });
  });

  it('keeps where the person was going when the ID token fails its checks (another nonce)', async () => {
    const server = new FakeServer().on('GET /.well-known/openid-configuration', { body: discovery }).install();
    const now = Math.floor(Date.now() / 1000);
    const failure = await signInAndCallBack(server, '/account/apps', () => ({
      body: { access_token: 'at', token_type: 'Bearer', expires_in: 600, id_token: idToken({ iss: ISSUER, aud: 'tessera-portal', sub: 'user-1', iat: now, exp: now + 600, nonce: 'another' }) },
    })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SignInError);
    expect(failure).toMatchObject({ purpose: 'account', returnTo: '/account/apps' });
  });

  it('never returns to the callback itself: a sign-in started from /callback comes back to /account', async () => {
    new FakeServer().on('GET /.well-known/openid-configuration', { body: discovery }).install();
    window.history.replaceState(null, '', '/callback?code=c-1&state=s-1');
    try {
      void signIn('account');
      await settle();
    } finally {
      window.history.replaceState(null, '', '/');
    }
    const stored = JSON.parse(window.sessionStorage.getItem(`tessera.authorization.${lastAuthorizationUrl().searchParams.get('state')}`) as string);
    expect(stored.returnTo).toBe('/account');
  });
});

describe('a sign-in that cannot leave the page', () => {
  beforeEach(() => forgetDiscoveryForTest());

  it('rejects with network_error when the issuer cannot be reached, instead of never settling', async () => {
    const unreachable = () => Promise.reject(new TypeError('Failed to fetch'));
    window.fetch = unreachable as typeof fetch;
    globalThis.fetch = unreachable as typeof fetch;
    await expect(signIn('account', { returnTo: '/account/apps' })).rejects.toMatchObject({ code: 'network_error', purpose: 'account', returnTo: '/account/apps' });
    expect(navigated).not.toHaveBeenCalled();
  });

  it('rejects with wrong_host, naming the issuer, when the page was opened at another host name', async () => {
    new FakeServer().on('GET /.well-known/openid-configuration', { body: { ...discovery, issuer: 'https://id.example' } }).install();
    await expect(signIn('account')).rejects.toMatchObject({ code: 'wrong_host', issuer: 'https://id.example' });
    expect(navigated).not.toHaveBeenCalled();
  });
});

describe('old sign-in records', () => {
  it('are dropped when a sign-in starts: older than 10 minutes, or without a date', async () => {
    new FakeServer().on('GET /.well-known/openid-configuration', { body: discovery }).install();
    const record = (startedAt?: number) => JSON.stringify({ purpose: 'account', verifier: 'v', nonce: 'n', returnTo: '/account', startedAt });
    window.sessionStorage.setItem('tessera.authorization.old', record(Date.now() - 11 * 60_000));
    window.sessionStorage.setItem('tessera.authorization.undated', record());
    window.sessionStorage.setItem('tessera.authorization.broken', '{');
    window.sessionStorage.setItem('tessera.authorization.recent', record(Date.now() - 60_000));
    window.sessionStorage.setItem('tessera.other', 'kept');
    void signIn('account');
    await settle();
    const state = lastAuthorizationUrl().searchParams.get('state');
    const keys = Object.keys({ ...window.sessionStorage }).sort();
    expect(keys).toEqual(['tessera.authorization.recent', `tessera.authorization.${state}`, 'tessera.other'].sort());
  });
});

describe('the renewal guard', () => {
  it('stops instead of redirecting again when a token obtained moments ago needs renewing, and says so to subscribers', async () => {
    const server = new FakeServer().on('GET /.well-known/openid-configuration', { body: discovery }).install();
    await signInAndCallBack(server, '/account');
    navigated.mockClear();
    const listener = jest.fn();
    const unsubscribe = subscribeRenewal(listener);
    await expect(renew('account')).rejects.toMatchObject({ code: 'renewal_failed', purpose: 'account' });
    unsubscribe();
    await settle(1000);
    expect(navigated).not.toHaveBeenCalled();
    expect(isRenewalStuck('account')).toBe(true);
    expect(isRenewalStuck('admin')).toBe(false);
    expect(listener).toHaveBeenCalled();
    // An expired token found right after the sign-in (a clock far off) is the same loop.
    await expect(accessToken('account')).rejects.toMatchObject({ code: 'renewal_failed' });
    expect(navigated).not.toHaveBeenCalled();
  });

  it('renews as usual once the token is older than 30 seconds', async () => {
    const server = new FakeServer().on('GET /.well-known/openid-configuration', { body: discovery }).install();
    await signInAndCallBack(server, '/account');
    navigated.mockClear();
    const later = Date.now() + 31_000;
    jest.spyOn(Date, 'now').mockReturnValue(later);
    void renew('account');
    await settle();
    expect(navigated).toHaveBeenCalledTimes(1);
    expect(isRenewalStuck('account')).toBe(false);
  });
});
