import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen, setCsrfCookie } from '../../../test/render';
import { navigateTo } from '../../../navigation/navigate-to';
import type { LoginView } from './login-api';
import LoginScreen from './LoginScreen';

jest.mock('../../../navigation/navigate-to', () => ({ navigateTo: jest.fn() }));
jest.mock('@simplewebauthn/browser', () => ({
  browserSupportsWebAuthn: jest.fn(() => false),
  browserSupportsWebAuthnAutofill: jest.fn(async () => false),
  startAuthentication: jest.fn(),
  WebAuthnAbortService: { cancelCeremony: jest.fn() },
}));

const navigate = navigateTo as jest.Mock;

const VIEW: LoginView = {
  login_challenge: 'ch-1',
  client: { client_id: 'notes-app', client_name: 'Notes' },
  requested_scope: ['openid'],
  // Someone signed in earlier: linking needs a sign-in now, so "continue as" is not offered.
  session: { sub: 'u1', email: 'ada@example.com' },
  can_continue: true,
  methods: [{ type: 'password' }],
  signup_enabled: false,
};
const LINK = { idp: { id: 'acme', name: 'Acme SSO' }, email: 'ada@example.com', expires_at: 1_900_000_000 };
const REDIRECT = 'https://id.example/oauth2/authorize?resume=5';

function server() {
  return new FakeServer()
    .on('GET /auth/login', { body: VIEW })
    .on('GET /auth/upstream/link', { body: LINK })
    .on('POST /auth/login/password', { body: { redirect_to: REDIRECT } });
}

async function signIn() {
  const user = userEvent.setup();
  renderScreen({ url: '/login?login_challenge=ch-1&link=required', path: '/login', element: <LoginScreen /> });
  expect(await screen.findByText('Link your Acme SSO account')).toBeTruthy();
  await user.type(screen.getByLabelText('Password'), 'correct horse battery');
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  return user;
}

beforeEach(() => {
  jest.clearAllMocks();
  setCsrfCookie();
});

describe('LoginScreen: linking an identity provider account (link=required)', () => {
  it('explains the link, prefills the address, and asks for a real sign-in', async () => {
    server().install();
    renderScreen({ url: '/login?login_challenge=ch-1&link=required', path: '/login', element: <LoginScreen /> });
    expect((await screen.findByText(/An account with the address ada@example.com already exists here/)).textContent).toContain('Acme SSO');
    expect((screen.getByLabelText('Email address') as HTMLInputElement).value).toBe('ada@example.com');
    expect(screen.queryByRole('button', { name: /Continue as/ })).toBeNull();
  });

  it('confirms the link after the sign-in, then goes back to the application', async () => {
    const fake = server().on('POST /auth/upstream/link/confirm', { body: { linked: { id: 'l1' } } }).install();
    const user = await signIn();
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('Link Acme SSO to this account?');
    expect(navigate).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Link Acme SSO' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledWith(REDIRECT));
    const [confirm] = fake.sent('POST /auth/upstream/link/confirm');
    expect(confirm.headers.get('x-csrf-token')).toBe('csrf-test');
  });

  it('shows why a confirmation was refused, and still lets the person go on', async () => {
    server()
      .on('POST /auth/upstream/link/confirm', { status: 403, body: { error: 'forbidden', error_description: 'You are signed in to another account than the one with the email address of this Acme SSO account.' } })
      .on('POST /auth/upstream/link/cancel', { status: 204 })
      .install();
    const user = await signIn();
    await user.click(await screen.findByRole('button', { name: 'Link Acme SSO' }));
    expect((await screen.findByRole('alert')).textContent).toContain('signed in to another account');
    expect(navigate).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Not now' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledWith(REDIRECT));
  });

  it('"Not now" forgets the pending link and goes on', async () => {
    const fake = server().on('POST /auth/upstream/link/cancel', { status: 204 }).install();
    const user = await signIn();
    await user.click(await screen.findByRole('button', { name: 'Not now' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledWith(REDIRECT));
    expect(fake.sent('POST /auth/upstream/link/cancel')).toHaveLength(1);
    expect(fake.sent('POST /auth/upstream/link/confirm')).toHaveLength(0);
  });

  it('declining before signing in cancels the link; then the earlier sign-in may go on', async () => {
    const fake = server().on('POST /auth/upstream/link/cancel', { status: 204 }).on('POST /auth/login/continue', { body: { redirect_to: REDIRECT } }).install();
    const user = userEvent.setup();
    renderScreen({ url: '/login?login_challenge=ch-1&link=required', path: '/login', element: <LoginScreen /> });
    await user.click(await screen.findByRole('button', { name: 'Don’t link, just sign in' }));
    await waitFor(() => expect(screen.queryByText('Link your Acme SSO account')).toBeNull());
    expect(fake.sent('POST /auth/upstream/link/cancel')).toHaveLength(1);
    await user.click(screen.getByRole('button', { name: 'Continue as ada@example.com' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledWith(REDIRECT));
    expect(fake.sent('POST /auth/upstream/link/confirm')).toHaveLength(0);
  });

  it('says when the pending link has expired', async () => {
    new FakeServer()
      .on('GET /auth/login', { body: VIEW })
      .on('GET /auth/upstream/link', { status: 404, body: { error: 'not_found', error_description: 'No account link is waiting in this browser.' } })
      .install();
    renderScreen({ url: '/login?login_challenge=ch-1&link=required', path: '/login', element: <LoginScreen /> });
    expect(await screen.findByText(/request to link your identity provider account has expired/)).toBeTruthy();
    // Not the sign-in's own expiry: it goes on as usual.
    expect(screen.getByRole('button', { name: 'Continue as ada@example.com' })).toBeTruthy();
  });
});
