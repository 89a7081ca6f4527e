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
const webauthn = jest.requireMock('@simplewebauthn/browser') as {
  browserSupportsWebAuthnAutofill: jest.Mock;
  startAuthentication: jest.Mock;
  WebAuthnAbortService: { cancelCeremony: jest.Mock };
};

const VIEW: LoginView = {
  login_challenge: 'ch-1',
  client: { client_id: 'notes-app', client_name: 'Notes' },
  requested_scope: ['openid'],
  session: null,
  can_continue: false,
  methods: [{ type: 'password' }, { type: 'passkey' }],
  signup_enabled: false,
};
const OPTIONS = { challenge: 'webauthn-challenge', rpId: 'id.example', userVerification: 'required' };
const ASSERTION = { id: 'cred', rawId: 'cred', response: { userHandle: 'u' }, type: 'public-key', clientExtensionResults: {} };

const render = () => renderScreen({ url: '/login?login_challenge=ch-1', path: '/login', element: <LoginScreen /> });

beforeEach(() => {
  jest.clearAllMocks();
  webauthn.browserSupportsWebAuthnAutofill.mockResolvedValue(false);
  setCsrfCookie();
});

describe('LoginScreen: passkeys', () => {
  it('signs in with the passkey button: options, the browser ceremony, then the assertion with "remember"', async () => {
    webauthn.startAuthentication.mockResolvedValue(ASSERTION);
    const server = new FakeServer()
      .on('GET /auth/login', { body: VIEW })
      .on('POST /auth/login/passkey/options', { body: OPTIONS })
      .on('POST /auth/login/passkey', { body: { redirect_to: 'https://id.example/oauth2/authorize?resume=4' } })
      .install();
    const user = userEvent.setup();
    render();
    await user.click(await screen.findByRole('checkbox', { name: 'Remember me on this device' }));
    await user.click(screen.getByRole('button', { name: 'Sign in with a passkey' }));

    await waitFor(() => expect(navigate).toHaveBeenCalledWith('https://id.example/oauth2/authorize?resume=4'));
    expect(server.sent('POST /auth/login/passkey/options')[0].body).toEqual({ login_challenge: 'ch-1' });
    expect(webauthn.startAuthentication).toHaveBeenCalledWith({ optionsJSON: OPTIONS, useBrowserAutofill: false });
    const [sent] = server.sent('POST /auth/login/passkey');
    expect(sent.body).toEqual({ login_challenge: 'ch-1', response: ASSERTION, remember: true });
    expect(sent.headers.get('x-csrf-token')).toBe('csrf-test');
  });

  it('says so when the person closes the browser dialog, and sends nothing', async () => {
    webauthn.startAuthentication.mockRejectedValue(Object.assign(new Error('The operation either timed out or was not allowed.'), { name: 'NotAllowedError' }));
    const server = new FakeServer().on('GET /auth/login', { body: VIEW }).on('POST /auth/login/passkey/options', { body: OPTIONS }).install();
    const user = userEvent.setup();
    render();
    await user.click(await screen.findByRole('button', { name: 'Sign in with a passkey' }));
    expect((await screen.findByRole('alert')).textContent).toContain('cancelled or timed out');
    expect(server.sent('POST /auth/login/passkey')).toHaveLength(0);
  });

  it('says when the service does not know the passkey', async () => {
    webauthn.startAuthentication.mockResolvedValue(ASSERTION);
    new FakeServer()
      .on('GET /auth/login', { body: VIEW })
      .on('POST /auth/login/passkey/options', { body: OPTIONS })
      .on('POST /auth/login/passkey', { status: 401, body: { error: 'invalid_credentials', error_description: 'The passkey was not accepted.' } })
      .install();
    const user = userEvent.setup();
    render();
    await user.click(await screen.findByRole('button', { name: 'Sign in with a passkey' }));
    expect((await screen.findByRole('alert')).textContent).toContain('This passkey is not recognised');
    expect(navigate).not.toHaveBeenCalled();
  });

  it('offers passkeys in the email field’s autofill when the browser can, and aborts on leaving', async () => {
    webauthn.browserSupportsWebAuthnAutofill.mockResolvedValue(true);
    webauthn.startAuthentication.mockReturnValue(new Promise(() => undefined));
    const server = new FakeServer().on('GET /auth/login', { body: VIEW }).on('POST /auth/login/passkey/options', { body: OPTIONS }).install();
    const { unmount } = render();
    await waitFor(() => expect(webauthn.startAuthentication).toHaveBeenCalledWith({ optionsJSON: OPTIONS, useBrowserAutofill: true }));
    expect(server.sent('POST /auth/login/passkey/options')).toHaveLength(1);
    // The autofill request needs its input on the page when it starts.
    expect(document.querySelector('input[autocomplete="username webauthn"]')).not.toBeNull();
    webauthn.WebAuthnAbortService.cancelCeremony.mockClear();
    unmount();
    expect(webauthn.WebAuthnAbortService.cancelCeremony).toHaveBeenCalled();
  });

  it('completes a sign-in chosen from the autofill suggestions', async () => {
    webauthn.browserSupportsWebAuthnAutofill.mockResolvedValue(true);
    webauthn.startAuthentication.mockResolvedValue(ASSERTION);
    const server = new FakeServer()
      .on('GET /auth/login', { body: VIEW })
      .on('POST /auth/login/passkey/options', { body: OPTIONS })
      .on('POST /auth/login/passkey', { body: { redirect_to: 'https://id.example/next' } })
      .install();
    render();
    await waitFor(() => expect(navigate).toHaveBeenCalledWith('https://id.example/next'));
    expect(server.sent('POST /auth/login/passkey')[0].body).toEqual({ login_challenge: 'ch-1', response: ASSERTION, remember: false });
  });

  it('starts no autofill request where the browser cannot do it', async () => {
    const server = new FakeServer().on('GET /auth/login', { body: VIEW }).install();
    render();
    await screen.findByLabelText('Password');
    await waitFor(() => expect(webauthn.browserSupportsWebAuthnAutofill).toHaveBeenCalled());
    expect(server.sent('POST /auth/login/passkey/options')).toHaveLength(0);
    expect(webauthn.startAuthentication).not.toHaveBeenCalled();
  });
});
