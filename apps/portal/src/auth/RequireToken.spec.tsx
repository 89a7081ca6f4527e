import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useEffect } from 'react';
import { accountApi } from '../api/bearer-api';
import { FakeServer } from '../test/fake-server';
import { renderScreen } from '../test/render';
import { navigate } from './navigate';
import { RequireToken } from './RequireToken';
import { forgetDiscoveryForTest, forgetTokens, holdTokenForTest } from './session';

jest.mock('./navigate', () => ({ navigate: jest.fn() }));

const ISSUER = window.location.origin;
const discovery = { issuer: ISSUER, authorization_endpoint: `${ISSUER}/oauth2/authorize`, token_endpoint: `${ISSUER}/oauth2/token` };
const unreachable = () => {
  const fail = () => Promise.reject(new TypeError('Failed to fetch'));
  window.fetch = fail as typeof fetch;
  globalThis.fetch = fail as typeof fetch;
};
const open = (children = <p>The account pages</p>) => renderScreen({ url: '/account/apps', path: '/account/apps', element: <RequireToken purpose="account">{children}</RequireToken> });

beforeEach(() => {
  forgetTokens();
  forgetDiscoveryForTest();
  jest.mocked(navigate).mockClear();
});

describe('RequireToken', () => {
  it('says the sign-in could not start when the issuer is unreachable, and tries again on request', async () => {
    unreachable();
    open();
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign-in did not complete' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe('Tessera could not be reached. Check your connection and try again.');
    expect(screen.queryByText('Taking you to sign in…')).toBeNull();
    expect(navigate).not.toHaveBeenCalled();

    new FakeServer().on('GET /.well-known/openid-configuration', { body: discovery }).install();
    await userEvent.click(screen.getByRole('button', { name: 'Sign in again' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    const url = new URL(jest.mocked(navigate).mock.calls[0][0]);
    expect(url.pathname).toBe('/oauth2/authorize');
    expect(screen.queryByText('The account pages')).toBeNull();
  });

  it('names the right address when the page was opened at another host name than the issuer', async () => {
    new FakeServer().on('GET /.well-known/openid-configuration', { body: { ...discovery, issuer: 'https://id.example' } }).install();
    open();
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign-in did not complete' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe(`This page was opened at ${ISSUER}, which is not Tessera’s own address. Open Tessera at https://id.example and sign in there.`);
  });

  it('shows the page once a token is held', () => {
    holdTokenForTest('account', { accessToken: 'at' });
    open();
    expect(screen.getByText('The account pages')).toBeTruthy();
  });

  it('stops an endless renewal: a token refused again just after it was obtained shows "could not be renewed" and a fresh sign-in', async () => {
    new FakeServer()
      .on('GET /.well-known/openid-configuration', { body: discovery })
      .on('GET /auth/account', { status: 401, body: { error: 'invalid_token' }, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } })
      .install();
    holdTokenForTest('account', { accessToken: 'at', obtainedAt: Date.now() - 2_000 });
    function CallsTheApi() {
      useEffect(() => void accountApi.get('').catch(() => undefined), []);
      return <p>The account pages</p>;
    }
    open(<CallsTheApi />);
    expect(await screen.findByRole('heading', { level: 1, name: 'Your session could not be renewed' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toContain('refused again straight away');
    expect(screen.queryByText('The account pages')).toBeNull();
    expect(navigate).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole('button', { name: 'Sign in again' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    expect(new URL(jest.mocked(navigate).mock.calls[0][0]).searchParams.get('prompt')).toBe('login');
  });
});
