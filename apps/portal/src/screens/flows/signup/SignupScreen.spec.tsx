import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen, setCsrfCookie } from '../../../test/render';
import { navigateTo } from '../../../navigation/navigate-to';
import { CHECK_EVERY_MS } from './CheckYourMail';
import SignupScreen from './SignupScreen';

jest.mock('../../../navigation/navigate-to', () => ({ navigateTo: jest.fn() }));
const navigate = navigateTo as jest.Mock;

const OPTIONS = { enabled: true, min_password_length: 8, max_password_length: 128 };

const description = (input: HTMLElement) =>
  (input.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');

const render = (url = '/signup') => renderScreen({ url, path: '/signup', element: <SignupScreen /> });

async function fill(user: ReturnType<typeof userEvent.setup>, password = 'a long enough passphrase') {
  await user.type(await screen.findByLabelText(/Your name/), 'Ada Lovelace');
  await user.type(screen.getByLabelText('Email address'), 'ada@example.com');
  await user.type(screen.getByLabelText('New password'), password);
  await user.click(screen.getByRole('button', { name: 'Create account' }));
}

beforeEach(() => {
  jest.clearAllMocks();
  setCsrfCookie();
});

describe('SignupScreen', () => {
  it('has the right autocomplete attributes and states the password rules', async () => {
    new FakeServer().on('GET /auth/signup', { body: OPTIONS }).install();
    render();
    expect((await screen.findByLabelText(/Your name/)).getAttribute('autocomplete')).toBe('name');
    expect(screen.getByLabelText('Email address').getAttribute('autocomplete')).toBe('email');
    const password = screen.getByLabelText('New password');
    expect(password.getAttribute('autocomplete')).toBe('new-password');
    expect(description(password)).toContain('Between 8 and 128 characters');
    expect(screen.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/account');
  });

  it('signs up with the name and the challenge, then says to check the mail', async () => {
    const server = new FakeServer().on('GET /auth/signup', { body: OPTIONS }).on('POST /auth/signup', { status: 202, body: { next: 'verify_email' } }).install();
    const user = userEvent.setup();
    render('/signup?login_challenge=ch-1');
    await fill(user);
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('Check your email');
    expect(screen.getByText(/We sent a link to ada@example.com/)).toBeTruthy();
    const [sent] = server.sent('POST /auth/signup');
    expect(sent.body).toEqual({ email: 'ada@example.com', password: 'a long enough passphrase', claims: { name: 'Ada Lovelace' }, login_challenge: 'ch-1' });
    expect(sent.headers.get('x-csrf-token')).toBe('csrf-test');
  });

  it('refuses a short password before sending', async () => {
    const server = new FakeServer().on('GET /auth/signup', { body: OPTIONS }).install();
    const user = userEvent.setup();
    render();
    await fill(user, 'short');
    const password = screen.getByLabelText('New password');
    expect(description(password)).toContain('Use at least 8 characters.');
    expect(document.activeElement).toBe(password);
    expect(server.sent('POST /auth/signup')).toHaveLength(0);
  });

  it('shows weak_password next to the password field', async () => {
    new FakeServer()
      .on('GET /auth/signup', { body: OPTIONS })
      .on('POST /auth/signup', { status: 400, body: { error: 'weak_password', error_description: 'This password is one of the most commonly used ones; choose another.' } })
      .install();
    const user = userEvent.setup();
    render();
    await fill(user, 'password1234');
    const password = screen.getByLabelText('New password');
    await waitFor(() => expect(description(password)).toContain('too easy to guess'));
    expect(password.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(password);
  });

  it('shows a clear page when sign-up is off', async () => {
    new FakeServer().on('GET /auth/signup', { body: { ...OPTIONS, enabled: false } }).install();
    render('/signup?login_challenge=ch-1');
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('Sign-up is closed');
    expect(screen.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/login?login_challenge=ch-1');
    expect(screen.queryByLabelText('Email address')).toBeNull();
  });

  it('shows the same page when the service refuses with signup_disabled', async () => {
    new FakeServer()
      .on('GET /auth/signup', { body: OPTIONS })
      .on('POST /auth/signup', { status: 403, body: { error: 'signup_disabled', error_description: 'Sign-up is turned off here.' } })
      .install();
    const user = userEvent.setup();
    render();
    await fill(user);
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('Sign-up is closed');
  });

  it('goes on to the application once the address is confirmed', async () => {
    const server = new FakeServer()
      .on('GET /auth/signup', { body: OPTIONS })
      .on('POST /auth/signup', { status: 202, body: { next: 'verify_email' } })
      .on('POST /auth/signup/continue', { body: { next: 'verify_email' } }, { body: { redirect_to: 'https://id.example/oauth2/authorize?resume=6' } })
      .install();
    const user = userEvent.setup();
    render('/signup?login_challenge=ch-1');
    await fill(user);
    await user.click(await screen.findByRole('button', { name: 'I have confirmed my address' }));
    expect(await screen.findByText(/not confirmed yet/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'I have confirmed my address' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledWith('https://id.example/oauth2/authorize?resume=6'));
    expect(server.sent('POST /auth/signup/continue')[0].body).toEqual({ login_challenge: 'ch-1' });
  });

  it('checks by itself every few seconds while it waits', async () => {
    jest.useFakeTimers();
    try {
      const server = new FakeServer()
        .on('GET /auth/signup', { body: OPTIONS })
        .on('POST /auth/signup', { status: 202, body: { next: 'verify_email' } })
        .on('POST /auth/signup/continue', { body: { redirect_to: 'https://id.example/next' } })
        .install();
      const user = userEvent.setup({ advanceTimers: jest.advanceTimersByTime });
      render('/signup?login_challenge=ch-1');
      await fill(user);
      await screen.findByRole('heading', { level: 1, name: 'Check your email' });
      expect(server.sent('POST /auth/signup/continue')).toHaveLength(0);
      await act(async () => {
        jest.advanceTimersByTime(CHECK_EVERY_MS);
      });
      await waitFor(() => expect(navigate).toHaveBeenCalledWith('https://id.example/next'));
    } finally {
      jest.useRealTimers();
    }
  });

  it('without a challenge, waits for nothing and says to sign in afterwards', async () => {
    const server = new FakeServer().on('GET /auth/signup', { body: OPTIONS }).on('POST /auth/signup', { status: 202, body: { next: 'verify_email' } }).install();
    const user = userEvent.setup();
    render();
    await fill(user);
    expect(await screen.findByText('Once your address is confirmed, you can sign in.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'I have confirmed my address' })).toBeNull();
    expect(server.sent('POST /auth/signup')[0].body).not.toHaveProperty('login_challenge');
  });
});
