import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen, setCsrfCookie } from '../../../test/render';
import { navigateTo } from '../../../navigation/navigate-to';
import type { LoginView } from './login-api';
import LoginScreen from './LoginScreen';

jest.mock('../../../navigation/navigate-to', () => ({ navigateTo: jest.fn() }));
jest.mock('@simplewebauthn/browser', () => ({
  browserSupportsWebAuthn: jest.fn(() => true),
  browserSupportsWebAuthnAutofill: jest.fn(async () => false),
  startAuthentication: jest.fn(),
  WebAuthnAbortService: { cancelCeremony: jest.fn() },
}));

const navigate = navigateTo as jest.Mock;
const webauthn = jest.requireMock('@simplewebauthn/browser') as { startAuthentication: jest.Mock };

const VIEW: LoginView = {
  login_challenge: 'ch-1',
  client: { client_id: 'notes-app', client_name: 'Notes' },
  requested_scope: ['openid'],
  session: null,
  can_continue: false,
  methods: [{ type: 'password' }],
  signup_enabled: false,
};

const description = (input: HTMLElement) =>
  (input.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');

/** Signs in with a password whose answer asks for a second factor among `factors`. */
async function toSecondFactor(factors: string[], server = new FakeServer()) {
  server.on('GET /auth/login', { body: VIEW }).on('POST /auth/login/password', { body: { next: 'second_factor', factors } }).install();
  const user = userEvent.setup();
  renderScreen({ url: '/login?login_challenge=ch-1', path: '/login', element: <LoginScreen /> });
  await user.type(await screen.findByLabelText('Email address'), 'ada@example.com');
  await user.type(screen.getByLabelText('Password'), 'correct horse battery');
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  await screen.findByRole('heading', { level: 1, name: 'Confirm it’s you' });
  return { server, user };
}

beforeEach(() => {
  jest.clearAllMocks();
  setCsrfCookie();
});

describe('LoginScreen: the second factor', () => {
  it('asks for the authenticator code first, with the focus on the heading, and posts it', async () => {
    const server = new FakeServer().on('POST /auth/login/mfa/totp', { body: { redirect_to: 'https://id.example/oauth2/authorize?resume=3' } });
    const { user } = await toSecondFactor(['recovery_code', 'totp'], server);
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1 }));
    const code = screen.getByLabelText('Code from your authenticator app');
    expect(code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(code.getAttribute('inputmode')).toBe('numeric');
    expect(screen.getByRole('button', { name: 'Use a recovery code' })).toBeTruthy();

    await user.type(code, '123 456');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledWith('https://id.example/oauth2/authorize?resume=3'));
    const [sent] = server.sent('POST /auth/login/mfa/totp');
    expect(sent.body).toEqual({ login_challenge: 'ch-1', code: '123456' });
    expect(sent.headers.get('x-csrf-token')).toBe('csrf-test');
  });

  it('checks the six digits before sending', async () => {
    const server = new FakeServer();
    const { user } = await toSecondFactor(['totp'], server);
    const code = screen.getByLabelText('Code from your authenticator app');
    await user.type(code, '12345');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(description(code)).toContain('Enter the 6 digits of the code.');
    expect(server.sent('POST /auth/login/mfa/totp')).toHaveLength(0);
  });

  it('says a code is wrong next to the field, with the tries left', async () => {
    const server = new FakeServer().on('POST /auth/login/mfa/totp', { status: 401, body: { error: 'invalid_credentials', error_description: 'The code is not correct.', attempts_remaining: 3 } });
    const { user } = await toSecondFactor(['totp'], server);
    const code = screen.getByLabelText('Code from your authenticator app') as HTMLInputElement;
    await user.type(code, '000000');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(description(code)).toContain('Tries left: 3.'));
    expect(code.value).toBe('');
    expect(document.activeElement).toBe(code);
  });

  it('goes back to the first step when the sign-in ended (too many wrong codes)', async () => {
    const server = new FakeServer().on('POST /auth/login/mfa/totp', { status: 401, body: { error: 'login_required', error_description: 'Too many wrong codes.' } });
    const { user } = await toSecondFactor(['totp'], server);
    await user.type(screen.getByLabelText('Code from your authenticator app'), '000000');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByText('Your sign-in has ended. Sign in again to continue.')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Sign in');
  });

  it('switches to a recovery code, focusing its field, and posts it to its route', async () => {
    const server = new FakeServer().on('POST /auth/login/mfa/recovery-code', { body: { redirect_to: 'https://id.example/next' } });
    const { user } = await toSecondFactor(['totp', 'recovery_code'], server);
    await user.click(screen.getByRole('button', { name: 'Use a recovery code' }));
    const code = screen.getByLabelText('Recovery code');
    expect(document.activeElement).toBe(code);
    expect(screen.queryByLabelText('Code from your authenticator app')).toBeNull();
    await user.type(code, 'abcde-fghij');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledWith('https://id.example/next'));
    expect(server.sent('POST /auth/login/mfa/recovery-code')[0].body).toEqual({ login_challenge: 'ch-1', code: 'abcde-fghij' });
  });

  it('sends an email code on request, then posts the code', async () => {
    const server = new FakeServer()
      .on('POST /auth/login/mfa/email-code/send', { body: { sent_to: 'a•••@example.com', expires_in: 600 } })
      .on('POST /auth/login/mfa/email-code', { body: { redirect_to: 'https://id.example/next' } });
    const { user } = await toSecondFactor(['email_code'], server);
    expect(server.sent('POST /auth/login/mfa/email-code/send')).toHaveLength(0);
    await user.click(screen.getByRole('button', { name: 'Send the code' }));
    expect((await screen.findByText(/We sent a code to a•••@example.com/)).textContent).toContain('10 minutes');
    expect(server.sent('POST /auth/login/mfa/email-code/send')[0].body).toEqual({ login_challenge: 'ch-1' });
    // Also said through the page's polite live region, which was there (empty) before.
    await waitFor(() => expect(document.querySelector('[data-announcer]')?.textContent).toBe('We sent a code to a•••@example.com. It is valid for 10 minutes.'));
    await user.type(screen.getByLabelText('Code from the email'), '654321');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledWith('https://id.example/next'));
    expect(server.sent('POST /auth/login/mfa/email-code')[0].body).toEqual({ login_challenge: 'ch-1', code: '654321' });
  });

  it('says when to ask for another email code', async () => {
    const server = new FakeServer().on('POST /auth/login/mfa/email-code/send', { status: 429, body: { error: 'too_many_attempts', error_description: 'A code was just sent.', retry_after: 25 } });
    const { user } = await toSecondFactor(['email_code'], server);
    await user.click(screen.getByRole('button', { name: 'Send the code' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Wait 25 seconds');
  });

  it('uses a passkey as the second factor', async () => {
    const options = { challenge: 'c2', allowCredentials: [{ id: 'k1', type: 'public-key' }] };
    const assertion = { id: 'k1', rawId: 'k1', response: {}, type: 'public-key', clientExtensionResults: {} };
    webauthn.startAuthentication.mockResolvedValue(assertion);
    const server = new FakeServer()
      .on('POST /auth/login/mfa/passkey/options', { body: options })
      .on('POST /auth/login/mfa/passkey', { body: { redirect_to: 'https://id.example/next' } });
    const { user } = await toSecondFactor(['passkey', 'totp'], server);
    await user.click(screen.getByRole('button', { name: 'Use a passkey or security key' }));
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Use a passkey' }));
    await user.click(screen.getByRole('button', { name: 'Use a passkey' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledWith('https://id.example/next'));
    expect(webauthn.startAuthentication).toHaveBeenCalledWith({ optionsJSON: options, useBrowserAutofill: false });
    expect(server.sent('POST /auth/login/mfa/passkey')[0].body).toEqual({ login_challenge: 'ch-1', response: assertion });
  });

  it('offers the factors the login view names when an identity provider sent the person back for one', async () => {
    new FakeServer().on('GET /auth/login', { body: { ...VIEW, second_factors: ['email_code', 'recovery_code'] } }).install();
    renderScreen({ url: '/login?login_challenge=ch-1&next=second_factor', path: '/login', element: <LoginScreen /> });
    expect(await screen.findByRole('button', { name: 'Send the code' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Use a recovery code' })).toBeTruthy();
    expect(screen.queryByLabelText('Code from your authenticator app')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Use a passkey or security key' })).toBeNull();
  });
});
