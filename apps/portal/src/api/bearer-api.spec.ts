import { waitFor } from '@testing-library/react';
import { navigate } from '../auth/navigate';
import { forgetTokens, holdTokenForTest, isRenewalStuck } from '../auth/session';
import { FakeServer } from '../test/fake-server';
import { bearerApi } from './bearer-api';
import { ApiError } from './api-error';

jest.mock('../auth/navigate', () => ({ navigate: jest.fn() }));

describe('bearerApi', () => {
  const renewed = jest.fn(() => new Promise<never>(() => undefined));
  const api = bearerApi('account', '/auth/account', renewed);

  beforeEach(() => {
    renewed.mockClear();
    holdTokenForTest('account', { accessToken: 'at-1' });
  });

  it('sends the held token as a bearer token and returns the JSON answer', async () => {
    const server = new FakeServer().on('GET /auth/account/sessions', { body: { sessions: [] } }).install();
    await expect(api.get('/sessions', { page: 2, empty: '' })).resolves.toEqual({ sessions: [] });
    const [request] = server.sent('GET /auth/account/sessions');
    expect(request?.headers.get('authorization')).toBe('Bearer at-1');
    expect(request?.query.toString()).toBe('page=2');
  });

  it('gets a new token when the token itself is refused (a Bearer challenge)', async () => {
    new FakeServer()
      .on('GET /auth/account', { status: 401, body: { error: 'invalid_token' }, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } })
      .install();
    void api.get('');
    // Waited for, not given 10 ms: the refusal reaches renew() through several awaits (fetch, body,
    // headers), which a loaded machine can spread over more than one turn of the event loop.
    await waitFor(() => expect(renewed).toHaveBeenCalledTimes(1));
  });

  it('leaves a 401 about something else (a wrong current password) to the screen', async () => {
    new FakeServer().on('POST /auth/account/password', { status: 401, body: { error: 'invalid_credentials', error_description: 'The password is not correct.' } }).install();
    const error = await api.send('POST', '/password', { current_password: 'x', new_password: 'y' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('invalid_credentials');
    expect(renewed).not.toHaveBeenCalled();
  });
});

describe('bearerApi renewing a refused token', () => {
  const refused = { status: 401, body: { error: 'invalid_token' }, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } };
  const discovery = { issuer: window.location.origin, authorization_endpoint: `${window.location.origin}/oauth2/authorize`, token_endpoint: `${window.location.origin}/oauth2/token` };
  beforeEach(() => {
    forgetTokens();
    jest.mocked(navigate).mockClear();
  });

  it('does not loop: a token obtained seconds ago and refused again stops with an error, not another redirect', async () => {
    new FakeServer().on('GET /auth/account', refused).on('GET /.well-known/openid-configuration', { body: discovery }).install();
    holdTokenForTest('account', { accessToken: 'at-fresh', obtainedAt: Date.now() - 5_000 });
    const error = await bearerApi('account', '/auth/account')
      .get('')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'renewal_failed' });
    expect(navigate).not.toHaveBeenCalled();
    expect(isRenewalStuck('account')).toBe(true);
  });

  it('renews by a redirect when the refused token is older', async () => {
    new FakeServer().on('GET /auth/account', refused).on('GET /.well-known/openid-configuration', { body: discovery }).install();
    holdTokenForTest('account', { accessToken: 'at-old', obtainedAt: Date.now() - 120_000 });
    void bearerApi('account', '/auth/account').get('');
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    expect(new URL(jest.mocked(navigate).mock.calls[0][0]).searchParams.get('prompt')).toBe('none');
    expect(isRenewalStuck('account')).toBe(false);
  });
});
