import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen, setCsrfCookie } from '../../../test/render';
import ResetPasswordScreen from './ResetPasswordScreen';

const render = (url = '/reset-password?token=reset-secret') => renderScreen({ url, path: '/reset-password', element: <ResetPasswordScreen /> });

const description = (input: HTMLElement) =>
  (input.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');

async function choose(user: ReturnType<typeof userEvent.setup>, password: string, confirm: string) {
  await user.type(screen.getByLabelText('New password'), password);
  await user.type(screen.getByLabelText('Type the new password again'), confirm);
  await user.click(screen.getByRole('button', { name: 'Change password' }));
}

beforeEach(() => setCsrfCookie());

describe('ResetPasswordScreen', () => {
  it('takes the token out of the address and uses new-password fields', async () => {
    new FakeServer().install();
    const { router } = render();
    await waitFor(() => expect(router.state.location.search).toBe(''));
    expect(screen.getByLabelText('New password').getAttribute('autocomplete')).toBe('new-password');
    expect(screen.getByLabelText('Type the new password again').getAttribute('autocomplete')).toBe('new-password');
  });

  it('refuses two different passwords next to the confirmation, and sends nothing', async () => {
    const server = new FakeServer().install();
    const user = userEvent.setup();
    render();
    await choose(user, 'a long enough passphrase', 'a long enough passphrasf');
    const confirm = screen.getByLabelText('Type the new password again');
    expect(description(confirm)).toContain('The two passwords are not the same.');
    expect(document.activeElement).toBe(confirm);
    expect(server.requests).toHaveLength(0);
  });

  it('changes the password with the token from the link, then says to sign in', async () => {
    const server = new FakeServer().on('POST /auth/recovery/reset', { body: { next: 'sign_in' } }).install();
    const user = userEvent.setup();
    render();
    await choose(user, 'a long enough passphrase', 'a long enough passphrase');
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('Password changed');
    expect(screen.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/account');
    const [sent] = server.sent('POST /auth/recovery/reset');
    expect(sent.body).toEqual({ token: 'reset-secret', new_password: 'a long enough passphrase' });
    expect(sent.headers.get('x-csrf-token')).toBe('csrf-test');
  });

  it('shows weak_password next to the new password', async () => {
    new FakeServer().on('POST /auth/recovery/reset', { status: 400, body: { error: 'weak_password', error_description: 'Too common.' } }).install();
    const user = userEvent.setup();
    render();
    await choose(user, 'password1234', 'password1234');
    await waitFor(() => expect(description(screen.getByLabelText('New password'))).toContain('too easy to guess'));
  });

  it('explains an expired link and offers a new one', async () => {
    new FakeServer().on('POST /auth/recovery/reset', { status: 400, body: { error: 'invalid_link', error_description: 'Expired.', reason: 'expired' } }).install();
    const user = userEvent.setup();
    render();
    await choose(user, 'a long enough passphrase', 'a long enough passphrase');
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('This link cannot be used');
    expect(screen.getByText('This link has expired. Ask for a new one.')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Ask for a new link' }).getAttribute('href')).toBe('/forgot-password');
  });

  it('says a link without its token is incomplete', () => {
    new FakeServer().install();
    render('/reset-password');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('This link cannot be used');
    expect(screen.queryByLabelText('New password')).toBeNull();
  });
});
