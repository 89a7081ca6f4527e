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

function view(overrides: Partial<LoginView> = {}): LoginView {
  return {
    login_challenge: 'ch-1',
    client: { client_id: 'notes-app', client_name: 'Notes', logo_uri: 'https://notes.example/logo.png' },
    requested_scope: ['openid'],
    session: null,
    can_continue: false,
    methods: [{ type: 'password' }, { type: 'passkey' }, { type: 'upstream', id: 'acme', name: 'Acme SSO', start_url: 'https://id.example/auth/upstream/acme/start' }],
    signup_enabled: true,
    ...overrides,
  };
}

function render(url = '/login?login_challenge=ch-1', locale?: 'en' | 'fr') {
  return renderScreen({ url, path: '/login', element: <LoginScreen />, locale });
}

/** The text of the elements that describe a field (its hint and its error). */
const description = (input: HTMLElement) =>
  (input.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');

beforeEach(() => {
  jest.clearAllMocks();
  setCsrfCookie();
});

describe('LoginScreen: the first step', () => {
  it.each(['http://notes.example/logo.png', 'javascript:alert(1)', 'data:image/png;base64,AAAA'])(
    'shows no client logo from %s (the Content-Security-Policy loads https images only)',
    async (logo_uri) => {
      new FakeServer().on('GET /auth/login', { body: view({ client: { client_id: 'notes-app', client_name: 'Notes', logo_uri } }) }).install();
      render();
      expect(await screen.findByText('to continue to Notes')).toBeTruthy();
      expect(document.querySelector('img')).toBeNull();
    },
  );

  it('shows the client, the methods, and the right autocomplete attributes', async () => {
    new FakeServer().on('GET /auth/login', { body: view({ login_hint: 'ada@example.com' }) }).install();
    render();
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('Sign in');
    expect(screen.getByText('to continue to Notes')).toBeTruthy();
    expect(document.querySelector('img.client-logo')?.getAttribute('src')).toBe('https://notes.example/logo.png');

    const email = screen.getByLabelText('Email address') as HTMLInputElement;
    expect(email.getAttribute('autocomplete')).toBe('username webauthn');
    expect(email.value).toBe('ada@example.com');
    expect(screen.getByLabelText('Password').getAttribute('autocomplete')).toBe('current-password');
    expect(screen.getByRole('checkbox', { name: 'Remember me on this device' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sign in with a passkey' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Sign in with Acme SSO' }).getAttribute('href')).toBe('https://id.example/auth/upstream/acme/start?login_challenge=ch-1');
    expect(screen.getByRole('link', { name: 'Create an account' }).getAttribute('href')).toBe('/signup?login_challenge=ch-1');
    expect(screen.getByRole('link', { name: 'Forgot your password?' }).getAttribute('href')).toBe('/forgot-password?login_challenge=ch-1');
  });

  it('offers no sign-up link when sign-up is closed, and no passkey button without WebAuthn', async () => {
    const webauthn = jest.requireMock('@simplewebauthn/browser') as { browserSupportsWebAuthn: jest.Mock };
    webauthn.browserSupportsWebAuthn.mockReturnValue(false);
    new FakeServer().on('GET /auth/login', { body: view({ signup_enabled: false }) }).install();
    render();
    await screen.findByLabelText('Password');
    expect(screen.queryByRole('link', { name: 'Create an account' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Sign in with a passkey' })).toBeNull();
    webauthn.browserSupportsWebAuthn.mockReturnValue(true);
  });

  it('posts the password with the CSRF header, then goes where the service says', async () => {
    const server = new FakeServer()
      .on('GET /auth/login', { body: view() })
      .on('POST /auth/login/password', { body: { redirect_to: 'https://id.example/oauth2/authorize?resume=1' } })
      .install();
    const user = userEvent.setup();
    render();
    await user.type(await screen.findByLabelText('Email address'), ' ada@example.com ');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('checkbox', { name: 'Remember me on this device' }));
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    await waitFor(() => expect(navigate).toHaveBeenCalledWith('https://id.example/oauth2/authorize?resume=1'));
    const [sent] = server.sent('POST /auth/login/password');
    expect(sent.body).toEqual({ login_challenge: 'ch-1', email: 'ada@example.com', password: 'correct horse battery', remember: true });
    expect(sent.headers.get('x-csrf-token')).toBe('csrf-test');
    // One method at a time: the background passkey request steps aside.
    const webauthn = jest.requireMock('@simplewebauthn/browser') as { WebAuthnAbortService: { cancelCeremony: jest.Mock } };
    expect(webauthn.WebAuthnAbortService.cancelCeremony).toHaveBeenCalled();
  });

  it('says what is missing next to each field and sends nothing', async () => {
    const server = new FakeServer().on('GET /auth/login', { body: view() }).install();
    const user = userEvent.setup();
    render();
    await user.click(await screen.findByRole('button', { name: 'Sign in' }));
    const email = screen.getByLabelText('Email address');
    expect(description(email)).toContain('Fill in this field.');
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(email);
    await user.type(email, 'not-an-address');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(description(email)).toContain('Enter an email address');
    expect(server.sent('POST /auth/login/password')).toHaveLength(0);
  });

  it('shows invalid credentials next to the password and puts the focus back there', async () => {
    new FakeServer()
      .on('GET /auth/login', { body: view() })
      .on('POST /auth/login/password', { status: 401, body: { error: 'invalid_credentials', error_description: 'The email address or password is not correct.' } })
      .install();
    const user = userEvent.setup();
    render();
    await user.type(await screen.findByLabelText('Email address'), 'ada@example.com');
    const password = screen.getByLabelText('Password') as HTMLInputElement;
    await user.type(password, 'wrong password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    await waitFor(() => expect(description(password)).toContain('The email address or password is not correct.'));
    expect(password.getAttribute('aria-invalid')).toBe('true');
    expect(password.value).toBe('');
    expect(document.activeElement).toBe(password);
    expect(navigate).not.toHaveBeenCalled();
  });

  it('says how long to wait after too many attempts', async () => {
    new FakeServer()
      .on('GET /auth/login', { body: view() })
      .on('POST /auth/login/password', { status: 429, body: { error: 'too_many_attempts', error_description: 'Too many failed sign-in attempts.', retry_after: 42 } })
      .install();
    const user = userEvent.setup();
    render();
    await user.type(await screen.findByLabelText('Email address'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'whatever1');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Wait 42 seconds');
  });

  it('explains an unverified address', async () => {
    new FakeServer()
      .on('GET /auth/login', { body: view() })
      .on('POST /auth/login/password', { status: 403, body: { error: 'forbidden', error_description: 'Confirm your email address first.', reason: 'email_not_verified' } })
      .install();
    const user = userEvent.setup();
    render();
    await user.type(await screen.findByLabelText('Email address'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'whatever1');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('we just sent you a new link');
  });

  it('shows the expired page when the challenge is gone', async () => {
    new FakeServer().on('GET /auth/login', { status: 404, body: { error: 'not_found', error_description: 'No such challenge.' } }).install();
    render();
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('This sign-in link has expired');
    expect(screen.getByText(/Go back to the application and start again/)).toBeTruthy();
    expect(screen.queryByLabelText('Password')).toBeNull();
  });

  it('shows the expired page for a value that is not a login challenge', async () => {
    new FakeServer().on('GET /auth/login', { status: 400, body: { error: 'invalid_request', error_description: 'This is not a login challenge.' } }).install();
    render();
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('This sign-in link has expired');
  });

  it('shows the expired page when the challenge dies during the sign-in', async () => {
    new FakeServer()
      .on('GET /auth/login', { body: view() })
      .on('POST /auth/login/password', { status: 404, body: { error: 'not_found', error_description: 'No such challenge.' } })
      .install();
    const user = userEvent.setup();
    render();
    await user.type(await screen.findByLabelText('Email address'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'whatever1');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('This sign-in link has expired');
  });

  it('tells the person to start from their application without a challenge, and asks nothing', async () => {
    const server = new FakeServer().install();
    render('/login');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Start from your application');
    expect(screen.getByRole('link', { name: 'Go to my account' }).getAttribute('href')).toBe('/account');
    expect(server.requests).toHaveLength(0);
  });

  it('keeps a server failure on the page with a retry', async () => {
    const server = new FakeServer().on('GET /auth/login', { status: 500, body: { error: 'server_error' } }, { body: view() }).install();
    const user = userEvent.setup();
    render();
    expect((await screen.findByRole('alert')).textContent).toContain('Tessera ran into a problem');
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByLabelText('Password')).toBeTruthy();
    expect(server.sent('GET /auth/login')).toHaveLength(2);
  });

  it('continues as the signed-in person in one click', async () => {
    const server = new FakeServer()
      .on('GET /auth/login', { body: view({ session: { sub: 'u1', email: 'ada@example.com', name: 'Ada Lovelace' }, can_continue: true }) })
      .on('POST /auth/login/continue', { body: { redirect_to: 'https://id.example/oauth2/authorize?resume=2' } })
      .install();
    const user = userEvent.setup();
    render();
    await user.click(await screen.findByRole('button', { name: 'Continue as Ada Lovelace' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledWith('https://id.example/oauth2/authorize?resume=2'));
    expect(server.sent('POST /auth/login/continue')[0].body).toEqual({ login_challenge: 'ch-1' });
    expect(screen.queryByLabelText('Password')).toBeNull();
  });

  it('offers another account instead, with the form and the focus on the email field', async () => {
    new FakeServer().on('GET /auth/login', { body: view({ session: { sub: 'u1', email: 'ada@example.com' }, can_continue: true }) }).install();
    const user = userEvent.setup();
    render();
    await user.click(await screen.findByRole('button', { name: 'Use another account' }));
    expect(screen.getByLabelText('Password')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByLabelText('Email address'));
    expect(screen.queryByRole('button', { name: /Continue as/ })).toBeNull();
  });

  it('asks for a new sign-in when continuing is refused', async () => {
    new FakeServer()
      .on('GET /auth/login', { body: view({ session: { sub: 'u1', email: 'ada@example.com' }, can_continue: true }) })
      .on('POST /auth/login/continue', { status: 401, body: { error: 'login_required', error_description: 'Sign in again.' } })
      .install();
    const user = userEvent.setup();
    render();
    await user.click(await screen.findByRole('button', { name: 'Continue as ada@example.com' }));
    expect(await screen.findByText('Your sign-in has ended. Sign in again to continue.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Continue as/ })).toBeNull();
    expect(screen.getByLabelText('Password')).toBeTruthy();
    expect((screen.getByLabelText('Email address') as HTMLInputElement).value).toBe('ada@example.com');
  });

  it('cancels: the service rejects the request and says where to go', async () => {
    const server = new FakeServer()
      .on('GET /auth/login', { body: view() })
      .on('POST /auth/login/reject', { body: { redirect_to: 'https://notes.example/cb?error=access_denied' } })
      .install();
    const user = userEvent.setup();
    render();
    await user.click(await screen.findByRole('button', { name: 'Cancel and go back' }));
    await waitFor(() => expect(navigate).toHaveBeenCalledWith('https://notes.example/cb?error=access_denied'));
    expect(server.sent('POST /auth/login/reject')[0].body).toEqual({ login_challenge: 'ch-1' });
  });

  it('explains an upstream failure', async () => {
    new FakeServer().on('GET /auth/login', { body: view() }).install();
    render('/login?login_challenge=ch-1&upstream_error=access_denied');
    expect((await screen.findByRole('alert')).textContent).toContain('was cancelled or refused');
  });

  it('speaks the language the application asked for (ui_locales)', async () => {
    new FakeServer().on('GET /auth/login', { body: view({ ui_locales: ['fr-CA', 'en'] }) }).install();
    render();
    await waitFor(() => expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Se connecter'));
    expect(screen.getByLabelText('Mot de passe')).toBeTruthy();
  });

  it('renders in French', async () => {
    new FakeServer().on('GET /auth/login', { body: view() }).install();
    render('/login?login_challenge=ch-1', 'fr');
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('Se connecter');
    expect(screen.getByText('pour continuer vers Notes')).toBeTruthy();
    expect(screen.getByLabelText('Adresse e-mail')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Se connecter avec Acme SSO' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Annuler et revenir' })).toBeTruthy();
  });
});
