import { configure, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { navigate } from '../../auth/navigate';
import { forgetDiscoveryForTest, forgetTokens, heldToken, signIn } from '../../auth/session';
import { FakeServer } from '../../test/fake-server';
import { renderScreen } from '../../test/render';
import { CallbackScreen } from './CallbackScreen';

jest.mock('../../auth/navigate', () => ({ navigate: jest.fn() }));
const navigated = jest.mocked(navigate);

const ISSUER = window.location.origin;
const discovery = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/oauth2/authorize`,
  token_endpoint: `${ISSUER}/oauth2/token`,
  id_token_signing_alg_values_supported: ['ES256'],
  authorization_response_iss_parameter_supported: true,
};
const idToken = (claims: Record<string, unknown>) => {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'ES256', typ: 'JWT' })}.${part(claims)}.${Buffer.from('signature').toString('base64url')}`;
};
/**
 * Lets signIn's promise chain reach the navigation (or gives up after 10 s, when none comes). The
 * chain (discovery, WebCrypto) takes milliseconds, but a loaded CI machine can hold it past the
 * second this used to wait.
 */
async function settle() {
  const before = navigated.mock.calls.length;
  const until = performance.now() + 10_000;
  while (navigated.mock.calls.length === before && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
}
const authorizationUrl = (call = -1) => new URL(navigated.mock.calls.at(call)?.[0] as string);

/** A sign-in started for `returnTo`, the browser back at /callback with its code; returns the nonce to put in the ID token. */
async function backAtCallback(returnTo: string): Promise<string> {
  void signIn('account', { returnTo });
  await settle();
  const request = authorizationUrl();
  const callback = `/callback?code=c-${request.searchParams.get('state')}&state=${request.searchParams.get('state')}&iss=${encodeURIComponent(ISSUER)}`;
  window.history.replaceState(null, '', callback);
  return request.searchParams.get('nonce') as string;
}

const open = () =>
  renderScreen({
    url: window.location.pathname + window.location.search,
    routes: [
      { path: '/callback', element: <CallbackScreen /> },
      { path: '/account/apps', element: <p>Connected apps page</p> },
    ],
  });

beforeEach(() => {
  navigated.mockClear();
  forgetTokens();
  forgetDiscoveryForTest();
});
afterEach(() => {
  window.history.replaceState(null, '', '/');
  configure({ reactStrictMode: false });
});

describe('CallbackScreen', () => {
  it('redeems the code once under StrictMode (whose second effect run would find the state used) and goes where the person was going', async () => {
    const server = new FakeServer().on('GET /.well-known/openid-configuration', { body: discovery }).install();
    const nonce = await backAtCallback('/account/apps');
    const now = Math.floor(Date.now() / 1000);
    server.on('POST /oauth2/token', {
      body: { access_token: 'at', token_type: 'Bearer', expires_in: 600, id_token: idToken({ iss: ISSUER, aud: 'tessera-portal', sub: 'user-1', iat: now, exp: now + 600, nonce }) },
    });
    // As main.tsx renders the portal: StrictMode at the root runs each effect twice in development.
    configure({ reactStrictMode: true });
    const { router } = open();
    expect(await screen.findByText('Connected apps page')).toBeTruthy();
    expect(router.state.location.pathname).toBe('/account/apps');
    expect(server.sent('POST /oauth2/token')).toHaveLength(1);
    expect(heldToken('account')?.accessToken).toBe('at');
    expect(screen.queryByText('Sign-in did not complete')).toBeNull();
  });

  it('after a refused code, "Sign in again" goes back to where the person was going, not to this callback', async () => {
    const server = new FakeServer().on('GET /.well-known/openid-configuration', { body: discovery }).install();
    await backAtCallback('/account/apps');
    server.on('POST /oauth2/token', { status: 400, body: { error: 'invalid_grant', error_description: 'The code has expired.' } });
    open();
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign-in did not complete' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe('The sign-in could not be completed: The code has expired.');

    navigated.mockClear();
    await userEvent.click(screen.getByRole('button', { name: 'Sign in again' }));
    await waitFor(() => expect(navigated).toHaveBeenCalledTimes(1));
    const stored = JSON.parse(window.sessionStorage.getItem(`tessera.authorization.${authorizationUrl().searchParams.get('state')}`) as string);
    expect(stored.returnTo).toBe('/account/apps');
  });

  it('says so when "Sign in again" cannot reach the issuer, instead of waiting forever', async () => {
    const server = new FakeServer().on('GET /.well-known/openid-configuration', { body: discovery }).install();
    await backAtCallback('/account/apps');
    server.on('POST /oauth2/token', { status: 400, body: { error: 'invalid_grant', error_description: 'The code has expired.' } });
    open();
    await screen.findByRole('heading', { level: 1, name: 'Sign-in did not complete' });

    forgetDiscoveryForTest();
    const fail = () => Promise.reject(new TypeError('Failed to fetch'));
    window.fetch = fail as typeof fetch;
    globalThis.fetch = fail as typeof fetch;
    navigated.mockClear();
    const button = screen.getByRole('button', { name: 'Sign in again' });
    await userEvent.click(button);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Tessera could not be reached. Check your connection and try again.'));
    expect(screen.getByRole('button', { name: 'Sign in again' }).getAttribute('aria-busy')).toBeNull();
    expect(navigated).not.toHaveBeenCalled();
  });
});
