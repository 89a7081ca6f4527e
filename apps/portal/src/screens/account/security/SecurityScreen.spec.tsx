import { startRegistration } from '@simplewebauthn/browser';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { holdTokenForTest } from '../../../auth/session';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen } from '../../../test/render';
import SecurityScreen from './SecurityScreen';

jest.mock('@simplewebauthn/browser', () => ({ startRegistration: jest.fn(), browserSupportsWebAuthn: () => true }));

const NOW = Math.floor(Date.now() / 1000);
const profile = { sub: 'user-1', email: 'ada@example.com', email_verified: true, has_password: true, claims: {}, created_at: 1_700_000_000, updated_at: 1_700_000_000 };
const mfa = (over: Record<string, unknown> = {}) => ({
  mfa_required: false,
  totp: { enrolled: false, enrolled_at: null, setup_pending: false },
  recovery_codes: { remaining: 0, generated_at: null },
  email_code: { available: true },
  ...over,
});
const passkey = { id: 'pk-1', name: 'MacBook', credential_id: 'c1', device_type: 'multiDevice', backed_up: true, transports: ['internal'], aaguid: null, created_at: 1_700_000_000, last_used_at: NOW - 3 * 3600 };
const reauthRequired = { status: 403, body: { error: 'reauthentication_required', error_description: 'Confirm it is you.', max_age: 300 } };

function server() {
  return new FakeServer().on('GET /auth/account', { body: profile }).on('GET /auth/account/mfa', { body: mfa() }).on('GET /auth/account/passkeys', { body: [passkey] });
}
const open = () => renderScreen({ url: '/account/security', element: <SecurityScreen /> });
const section = (name: string) => screen.getByRole('region', { name });

beforeEach(() => {
  holdTokenForTest('account', { accessToken: 'at' });
  jest.mocked(startRegistration).mockReset();
});

describe('SecurityScreen: password', () => {
  it('sends the current and the new password, with the right autocomplete', async () => {
    const fake = server().on('POST /auth/account/password', { status: 204 }).install();
    open();
    const current = await screen.findByLabelText('Current password');
    expect(current.getAttribute('autocomplete')).toBe('current-password');
    expect(screen.getByLabelText('New password').getAttribute('autocomplete')).toBe('new-password');
    expect(screen.getByLabelText('Confirm the new password').getAttribute('autocomplete')).toBe('new-password');
    await userEvent.type(current, 'old password');
    await userEvent.type(screen.getByLabelText('New password'), 'a much better one');
    await userEvent.type(screen.getByLabelText('Confirm the new password'), 'a much better one');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect((await within(section('Password')).findByRole('status')).textContent).toContain('Your password was changed.');
    expect(fake.sent('POST /auth/account/password')[0].body).toEqual({ new_password: 'a much better one', current_password: 'old password' });
    expect(fake.sent('POST /auth/account/password')[0].headers.get('authorization')).toBe('Bearer at');
  });

  it('refuses two different passwords before sending, and a weak one from the server next to its field', async () => {
    const fake = server().on('POST /auth/account/password', { status: 400, body: { error: 'weak_password', error_description: 'This password is too common.' } }).install();
    open();
    await userEvent.type(await screen.findByLabelText('Current password'), 'old password');
    await userEvent.type(screen.getByLabelText('New password'), 'password1');
    await userEvent.type(screen.getByLabelText('Confirm the new password'), 'password2');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect(screen.getByText('The two passwords are not the same.')).toBeTruthy();
    expect(fake.sent('POST /auth/account/password')).toHaveLength(0);

    await userEvent.clear(screen.getByLabelText('Confirm the new password'));
    await userEvent.type(screen.getByLabelText('Confirm the new password'), 'password1');
    await userEvent.click(screen.getByRole('button', { name: 'Change password' }));
    await waitFor(() => expect(screen.getByLabelText('New password').getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('This password is too common.')).toBeTruthy();
  });
});

describe('SecurityScreen: authenticator app', () => {
  it('enrols: shows the QR code and the secret, then confirms with the first code', async () => {
    const fake = server()
      .on('POST /auth/account/mfa/totp', { body: { secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/x', qr_code: 'data:image/png;base64,AAAA' } })
      .on(
        'POST /auth/account/mfa/totp/confirm',
        { status: 400, body: { error: 'invalid_request', error_description: 'The code is not correct: check the time on your device and enter the current code.' } },
        { body: { enrolled: true } },
      )
      .install();
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Set up an authenticator app' }));
    const qr = await screen.findByRole('img', { name: 'QR code to scan with your authenticator app' });
    expect(qr.getAttribute('src')).toBe('data:image/png;base64,AAAA');
    expect(screen.getByText('JBSWY3DPEHPK3PXP')).toBeTruthy();
    expect(fake.sent('POST /auth/account/mfa/totp')[0].body).toEqual({});

    const code = screen.getByLabelText('Code from the app');
    expect(code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(code.getAttribute('inputmode')).toBe('numeric');
    await userEvent.type(code, '000000');
    await userEvent.click(screen.getByRole('button', { name: 'Turn on' }));
    await waitFor(() => expect(code.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText(/The code is not correct/)).toBeTruthy();

    fake.on('GET /auth/account/mfa', { body: mfa({ totp: { enrolled: true, enrolled_at: NOW, setup_pending: false } }) });
    await userEvent.clear(code);
    await userEvent.type(code, '123 456');
    await userEvent.click(screen.getByRole('button', { name: 'Turn on' }));
    expect((await screen.findByRole('status')).textContent).toContain('Your authenticator app is set up.');
    expect(fake.sent('POST /auth/account/mfa/totp/confirm').map((r) => r.body)).toEqual([{ code: '000000' }, { code: '123456' }]);
    expect(await screen.findByRole('button', { name: 'Remove the authenticator app' })).toBeTruthy();
    expect(screen.queryByRole('img', { name: /QR code/ })).toBeNull();
  });

  it('removes it after a confirmation step and "confirm it’s you"', async () => {
    const fake = server()
      .on('GET /auth/account/mfa', { body: mfa({ totp: { enrolled: true, enrolled_at: 1_700_000_000, setup_pending: false } }) })
      .on('DELETE /auth/account/mfa/totp', reauthRequired, { status: 204 })
      .install();
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Remove the authenticator app' }));
    expect(fake.sent('DELETE /auth/account/mfa/totp')).toHaveLength(0);
    const confirm = screen.getByRole('group', { name: 'Remove the authenticator app' });
    expect(document.activeElement).toBe(confirm);
    await userEvent.click(within(confirm).getByRole('button', { name: 'Remove the authenticator app' }));
    const prompt = await screen.findByRole('group', { name: 'Confirm it’s you' });
    await userEvent.type(within(prompt).getByLabelText('Current password'), 'secret');
    fake.on('GET /auth/account/mfa', { body: mfa() });
    await userEvent.click(within(prompt).getByRole('button', { name: 'Confirm and continue' }));
    const notice = await screen.findByRole('status');
    expect(notice.textContent).toContain('The authenticator app was removed.');
    expect(fake.sent('DELETE /auth/account/mfa/totp').map((r) => r.body)).toEqual([{}, { current_password: 'secret' }]);
    // The prompt and the remove button are gone: focus is on the message, not lost to the body.
    expect(await screen.findByRole('button', { name: 'Set up an authenticator app' })).toBeTruthy();
    expect(document.activeElement).toBe(notice);
  });
});

describe('SecurityScreen: recovery codes', () => {
  it('shows a new set once, with a warning, and forgets it when saved', async () => {
    const codes = ['aaaa-bbbb', 'cccc-dddd', 'eeee-ffff'];
    const fake = server().on('POST /auth/account/mfa/recovery-codes', { body: { codes } }).install();
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Create recovery codes' }));
    const list = await screen.findByRole('list', { name: 'Your new recovery codes' });
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual(codes);
    expect(within(section('Recovery codes')).getByText('Save these codes now')).toBeTruthy();
    expect(within(section('Recovery codes')).getByText(/They will not be shown again/)).toBeTruthy();
    expect(fake.sent('POST /auth/account/mfa/recovery-codes')[0].body).toEqual({});

    await userEvent.click(screen.getByRole('button', { name: 'I have saved them' }));
    expect(screen.queryByText('aaaa-bbbb')).toBeNull();
    expect(screen.queryByRole('list', { name: 'Your new recovery codes' })).toBeNull();
    // The button used is gone with the codes: focus goes to the section's heading.
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 2, name: 'Recovery codes' }));
  });

  it('asks before replacing an existing set', async () => {
    const fake = server()
      .on('GET /auth/account/mfa', { body: mfa({ recovery_codes: { remaining: 7, generated_at: 1_700_000_000 } }) })
      .on('POST /auth/account/mfa/recovery-codes', { body: { codes: ['x'] } })
      .install();
    open();
    expect(await screen.findByText(/7 of 10 codes left/)).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Create a new set' }));
    expect(screen.getByText(/current recovery codes will stop working/)).toBeTruthy();
    expect(fake.sent('POST /auth/account/mfa/recovery-codes')).toHaveLength(0);
    await userEvent.click(within(screen.getByRole('group', { name: 'Create a new set' })).getByRole('button', { name: 'Create a new set' }));
    expect(await screen.findByRole('list', { name: 'Your new recovery codes' })).toBeTruthy();
  });
});

describe('SecurityScreen: passkeys', () => {
  it('lists them with their dates', async () => {
    server().install();
    open();
    const list = await screen.findByRole('list', { name: 'Your passkeys' });
    expect(list.textContent).toContain('MacBook');
    expect(list.textContent).toContain('Synced');
    expect(list.textContent).toContain('3 hours ago');
  });

  it('adds one: options, the browser ceremony, then the registration with its name', async () => {
    const options = { challenge: 'c', rp: { id: 'id.example', name: 'id.example' }, user: { id: 'u', name: 'ada', displayName: 'Ada' }, pubKeyCredParams: [] };
    const response = { id: 'new', rawId: 'new', type: 'public-key', response: { clientDataJSON: 'x', attestationObject: 'y' }, clientExtensionResults: {} };
    jest.mocked(startRegistration).mockResolvedValue(response as never);
    const fake = server()
      .on('POST /auth/account/passkeys/options', { body: options })
      .on('POST /auth/account/passkeys', { status: 201, body: { ...passkey, id: 'pk-2', name: 'Work laptop' } })
      .install();
    open();
    await userEvent.type(await screen.findByLabelText('Name of the new passkey'), 'Work laptop');
    await userEvent.click(screen.getByRole('button', { name: 'Add a passkey' }));
    expect((await screen.findByRole('status')).textContent).toContain('The passkey “Work laptop” was added.');
    expect(startRegistration).toHaveBeenCalledWith({ optionsJSON: options });
    expect(fake.sent('POST /auth/account/passkeys/options')[0].body).toEqual({});
    expect(fake.sent('POST /auth/account/passkeys')[0].body).toEqual({ name: 'Work laptop', response });
    await waitFor(() => expect(fake.sent('GET /auth/account/passkeys')).toHaveLength(2));
  });

  it('says the ceremony was cancelled, without registering anything', async () => {
    jest.mocked(startRegistration).mockRejectedValue(Object.assign(new Error('The operation either timed out or was not allowed.'), { name: 'NotAllowedError' }));
    const fake = server().on('POST /auth/account/passkeys/options', { body: { challenge: 'c' } }).install();
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Add a passkey' }));
    expect((await screen.findByRole('alert')).textContent).toContain('the request was cancelled or timed out');
    expect(fake.sent('POST /auth/account/passkeys')).toHaveLength(0);
  });

  it('renames one', async () => {
    const fake = server().on('PATCH /auth/account/passkeys/pk-1', { body: { ...passkey, name: 'Old Mac' } }).install();
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Rename MacBook' }));
    const input = screen.getByLabelText('New name for MacBook');
    await userEvent.clear(input);
    await userEvent.type(input, 'Old Mac');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(fake.sent('PATCH /auth/account/passkeys/pk-1')).toHaveLength(1));
    expect(fake.sent('PATCH /auth/account/passkeys/pk-1')[0].body).toEqual({ name: 'Old Mac' });
    // The form is gone: focus is back on the button that opened it.
    await waitFor(() => expect(screen.queryByLabelText('New name for MacBook')).toBeNull());
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Rename MacBook' }));
  });

  it('removes one after confirming, says so, and moves focus to the message (the item is gone)', async () => {
    const fake = server()
      .on('GET /auth/account/passkeys', { body: [passkey] }, { body: [] })
      .on('DELETE /auth/account/passkeys/pk-1', { status: 204 })
      .install();
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Remove MacBook' }));
    await userEvent.click(within(screen.getByRole('group', { name: 'Remove MacBook' })).getByRole('button', { name: 'Remove MacBook' }));
    const notice = await within(section('Passkeys')).findByRole('status');
    expect(notice.textContent).toBe('The passkey “MacBook” was removed.');
    expect(await screen.findByText('You have no passkeys yet.')).toBeTruthy();
    expect(document.activeElement).toBe(notice);
    expect(fake.sent('DELETE /auth/account/passkeys/pk-1')).toHaveLength(1);
  });

  it('removes one after confirming, and shows why the server refused the last way in', async () => {
    const fake = server()
      .on('DELETE /auth/account/passkeys/pk-1', {
        status: 409,
        body: { error: 'last_sign_in_method', error_description: 'This is your last way to sign in; add another one (a password, a passkey or a linked account) first.' },
      })
      .install();
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Remove MacBook' }));
    expect(screen.getByText('You will no longer be able to sign in with “MacBook”.')).toBeTruthy();
    await userEvent.click(within(screen.getByRole('group', { name: 'Remove MacBook' })).getByRole('button', { name: 'Remove MacBook' }));
    expect((await screen.findByRole('alert')).textContent).toContain('This is your last way to sign in');
    expect(fake.sent('DELETE /auth/account/passkeys/pk-1')[0].body).toEqual({});
  });
});
