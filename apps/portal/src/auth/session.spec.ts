import { FakeServer } from '../test/fake-server';
import { navigate } from './navigate';
import { accessToken, completeSignIn, heldToken, renew, safeReturnTo, signIn, SignInError } from './session';

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

/** Lets signIn's promise chain reach the navigation. */
const settle = () => new Promise((r) => setTimeout(r, 20));
const lastAuthorizationUrl = () => new URL(navigated.mock.calls.at(-1)?.[0] as string);

beforeEach(() => navigated.mockClear());

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
    expect(Object.keys(stored).sort()).toEqual(['nonce', 'purpose', 'returnTo', 'verifier']);
  });

  it('asks for the admin token for the admin API only, as its resource', async () => {
    new FakeServer().on('GET /.well-known/openid-configuration', { body: discovery }).install();
    void signIn('admin');
    await settle();
    expect(lastAuthorizationUrl().searchParams.get('scope')).toBe('openid admin:read admin:write');
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
  it('keeps a path on this origin', () => {
    expect(safeReturnTo('/admin/clients?q=x#top')).toBe('/admin/clients?q=x#top');
  });
});
