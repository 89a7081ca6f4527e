import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { holdTokenForTest } from '../../../auth/session';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen } from '../../../test/render';
import { navigateTo } from '../../../navigation/navigate-to';
import LinkedScreen from './LinkedScreen';

jest.mock('../../../navigation/navigate-to', () => ({ navigateTo: jest.fn() }));

const profile = { sub: 'user-1', email: 'ada@example.com', email_verified: true, has_password: true, claims: {}, created_at: 1, updated_at: 1 };
const links = {
  links: [{ id: 'l-1', idp: { id: 'google', name: 'Google', enabled: true }, email: 'ada@gmail.example', created_at: 1_700_000_000, last_used_at: null }],
  available: [{ id: 'corp', name: 'Corp SSO' }],
};
const open = (url = '/account/linked') => renderScreen({ url, path: '/account/linked', element: <LinkedScreen /> });

beforeEach(() => {
  holdTokenForTest('account', { accessToken: 'at' });
  jest.mocked(navigateTo).mockReset();
});

describe('LinkedScreen', () => {
  it('lists the linked accounts and the providers that can be linked', async () => {
    new FakeServer().on('GET /auth/account/links', { body: links }).install();
    open();
    const linked = await screen.findByRole('region', { name: 'Your linked accounts' });
    expect(linked.textContent).toContain('Google');
    expect(linked.textContent).toContain('ada@gmail.example');
    expect(within(screen.getByRole('region', { name: 'Link another account' })).getByRole('button', { name: 'Link Corp SSO' })).toBeTruthy();
  });

  it('links a provider by sending the browser where the API says', async () => {
    const fake = new FakeServer()
      .on('GET /auth/account/links', { body: links })
      .on('POST /auth/account/links/corp', { body: { redirect_to: 'https://sso.corp.example/authorize?x=1' } })
      .install();
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Link Corp SSO' }));
    await waitFor(() => expect(navigateTo).toHaveBeenCalledWith('https://sso.corp.example/authorize?x=1'));
    expect(fake.sent('POST /auth/account/links/corp')[0].body).toEqual({});
    expect(fake.sent('POST /auth/account/links/corp')[0].headers.get('authorization')).toBe('Bearer at');
  });

  it('never follows a non-web address from the API (javascript:), and says something went wrong', async () => {
    const real = jest.requireActual<typeof import('../../../navigation/navigate-to')>('../../../navigation/navigate-to');
    jest.mocked(navigateTo).mockImplementation(real.navigateTo);
    new FakeServer()
      .on('GET /auth/account/links', { body: links })
      .on('POST /auth/account/links/corp', { body: { redirect_to: 'javascript:alert(document.domain)' } })
      .install();
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Link Corp SSO' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Tessera ran into a problem on its side. Try again in a moment.');
    expect(window.location.protocol).toBe('http:');
  });

  it('unlinks after confirming, with the current password when asked', async () => {
    const fake = new FakeServer()
      .on('GET /auth/account', { body: profile })
      .on('GET /auth/account/links', { body: links })
      .on('DELETE /auth/account/links/l-1', { status: 403, body: { error: 'reauthentication_required', max_age: 300 } }, { status: 204 })
      .install();
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Unlink Google' }));
    await userEvent.click(within(screen.getByRole('group', { name: 'Unlink Google' })).getByRole('button', { name: 'Unlink Google' }));
    const prompt = await screen.findByRole('group', { name: 'Confirm it’s you' });
    await userEvent.type(await within(prompt).findByLabelText('Current password'), 'pw');
    fake.on('GET /auth/account/links', { body: { links: [], available: links.available } });
    await userEvent.click(within(prompt).getByRole('button', { name: 'Confirm and continue' }));
    expect(await screen.findByText('No account is linked yet.')).toBeTruthy();
    expect(fake.sent('DELETE /auth/account/links/l-1').map((r) => r.body)).toEqual([{}, { current_password: 'pw' }]);
    // The item, the prompt and their buttons are gone: focus is on the message that says what happened.
    const notice = screen.getByRole('status');
    expect(notice.textContent).toBe('Your Google account was unlinked.');
    expect(document.activeElement).toBe(notice);
  });

  it('says the account was linked, by the provider’s name', async () => {
    new FakeServer().on('GET /auth/account/links', { body: links }).install();
    open('/account/linked?linked=google');
    expect(await screen.findByText('Your Google account was linked.')).toBeTruthy();
  });

  it('explains a failure at the provider', async () => {
    new FakeServer().on('GET /auth/account/links', { body: links }).install();
    open('/account/linked?upstream_error=conflict');
    expect((await screen.findByRole('alert')).textContent).toContain('linked to another account already');
  });
});
