import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { holdTokenForTest, signIn } from '../../../auth/session';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen } from '../../../test/render';
import ProfileScreen from './ProfileScreen';

jest.mock('../../../auth/session', () => ({ ...jest.requireActual('../../../auth/session'), signIn: jest.fn(() => new Promise(() => undefined)) }));

const profile = {
  sub: 'user-1',
  email: 'ada@example.com',
  email_verified: true,
  has_password: true,
  claims: { name: 'Ada Lovelace', website: 'https://ada.example', address: { formatted: 'x', locality: 'London' }, employee_id: 'E1' },
  created_at: 1_700_000_000,
  updated_at: 1_700_000_000,
};
const open = (url = '/account') => renderScreen({ url, path: '/account', element: <ProfileScreen /> });
const field = (name: string) => screen.getByLabelText(name) as HTMLInputElement;

beforeEach(() => {
  holdTokenForTest('account', { accessToken: 'at' });
  jest.mocked(signIn).mockClear();
});

describe('ProfileScreen', () => {
  it('shows the editable claims with the right autocomplete, and sends only what changed', async () => {
    const server = new FakeServer()
      .on('GET /auth/account', { body: profile })
      .on('PATCH /auth/account', { body: { sub: 'user-1', claims: { name: 'Ada King', address: { formatted: 'x', locality: 'Paris' }, employee_id: 'E1' }, updated_at: 1_700_000_100 } })
      .install();
    open();
    expect((await screen.findByLabelText('Full name') as HTMLInputElement).value).toBe('Ada Lovelace');
    expect(field('Full name').getAttribute('autocomplete')).toBe('name');
    expect(field('First name').getAttribute('autocomplete')).toBe('given-name');
    expect(field('Phone number').getAttribute('autocomplete')).toBe('tel');
    expect(field('Postal code').getAttribute('autocomplete')).toBe('postal-code');
    expect(field('City').value).toBe('London');
    expect(server.sent('GET /auth/account')[0].headers.get('authorization')).toBe('Bearer at');

    await userEvent.clear(field('Full name'));
    await userEvent.type(field('Full name'), 'Ada King');
    await userEvent.clear(field('Website'));
    await userEvent.clear(field('City'));
    await userEvent.type(field('City'), 'Paris');
    await userEvent.click(screen.getByRole('button', { name: 'Save profile' }));

    expect((await screen.findByRole('status')).textContent).toContain('Your profile was saved.');
    const [patch] = server.sent('PATCH /auth/account');
    // Emptied claims go as null; the address is one claim, its hidden parts kept.
    expect(patch.body).toEqual({ claims: { name: 'Ada King', website: null, address: { formatted: 'x', locality: 'Paris' } } });
    expect(patch.headers.get('authorization')).toBe('Bearer at');
  });

  it('checks the fields it can before sending, next to each field', async () => {
    const server = new FakeServer().on('GET /auth/account', { body: profile }).install();
    open();
    await userEvent.clear(await screen.findByLabelText('Website'));
    await userEvent.type(field('Website'), 'ftp://ada.example');
    await userEvent.type(field('Date of birth'), '12/10/1815');
    await userEvent.click(screen.getByRole('button', { name: 'Save profile' }));
    expect(field('Website').getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(field('Website').getAttribute('aria-describedby') as string)?.textContent).toBe(
      'Enter a web address starting with https:// or http://.',
    );
    expect(field('Date of birth').getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(field('Date of birth'));
    expect(server.sent('PATCH /auth/account')).toHaveLength(0);
  });

  it('puts the server’s refusal of one claim next to its field', async () => {
    new FakeServer()
      .on('GET /auth/account', { body: profile })
      .on('PATCH /auth/account', { status: 400, body: { error: 'invalid_request', error_description: '"locale" must be a BCP 47 language tag.' } })
      .install();
    open();
    await userEvent.type(await screen.findByLabelText('Time zone'), 'Europe/Paris');
    await userEvent.click(screen.getByRole('button', { name: 'Save profile' }));
    await waitFor(() => expect(field('Language').getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('"locale" must be a BCP 47 language tag.')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says so when nothing changed instead of sending an empty change', async () => {
    const server = new FakeServer().on('GET /auth/account', { body: profile }).install();
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Save profile' }));
    expect((await screen.findByRole('status')).textContent).toContain('Nothing has changed');
    expect(server.sent('PATCH /auth/account')).toHaveLength(0);
  });

  it('changes the email after "confirm it’s you" with the current password', async () => {
    const server = new FakeServer()
      .on('GET /auth/account', { body: profile })
      .on(
        'POST /auth/account/email',
        { status: 403, body: { error: 'reauthentication_required', error_description: 'Confirm it is you.', max_age: 300 } },
        { status: 202, body: { next: 'verify_email' } },
      )
      .install();
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Change email address' }));
    const input = field('New email address');
    expect(input.getAttribute('autocomplete')).toBe('email');
    expect(input.getAttribute('type')).toBe('email');
    await userEvent.type(input, 'ada@lovelace.example');
    await userEvent.click(screen.getByRole('button', { name: 'Send the confirmation link' }));

    const prompt = await screen.findByRole('group', { name: 'Confirm it’s you' });
    expect(prompt.textContent).toContain('a sign-in from the last 5 minutes');
    expect(document.activeElement).toBe(within(prompt).getByRole('heading'));
    const password = within(prompt).getByLabelText('Current password');
    expect(password.getAttribute('autocomplete')).toBe('current-password');
    await userEvent.type(password, 'correct horse');
    await userEvent.click(within(prompt).getByRole('button', { name: 'Confirm and continue' }));

    expect((await screen.findByRole('status')).textContent).toContain('We sent a link to ada@lovelace.example');
    expect(server.sent('POST /auth/account/email').map((r) => r.body)).toEqual([
      { new_email: 'ada@lovelace.example' },
      { new_email: 'ada@lovelace.example', current_password: 'correct horse' },
    ]);
    expect(screen.queryByRole('group', { name: 'Confirm it’s you' })).toBeNull();
  });

  it('offers a fresh sign-in instead, coming back to this page', async () => {
    new FakeServer()
      .on('GET /auth/account', { body: profile })
      .on('POST /auth/account/email', { status: 403, body: { error: 'reauthentication_required', max_age: 120 } })
      .install();
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Change email address' }));
    await userEvent.type(field('New email address'), 'ada@lovelace.example');
    await userEvent.click(screen.getByRole('button', { name: 'Send the confirmation link' }));
    const prompt = await screen.findByRole('group', { name: 'Confirm it’s you' });
    expect(prompt.textContent).toContain('the last 2 minutes');
    await userEvent.click(within(prompt).getByRole('button', { name: 'Sign in again' }));
    expect(signIn).toHaveBeenCalledWith('account', { maxAge: 120, returnTo: '/account' });
  });

  it('refuses an address that is not one, next to the field', async () => {
    const server = new FakeServer().on('GET /auth/account', { body: profile }).install();
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Change email address' }));
    await userEvent.type(field('New email address'), 'ada');
    await userEvent.click(screen.getByRole('button', { name: 'Send the confirmation link' }));
    expect(field('New email address').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Enter an email address, like name@example.com.')).toBeTruthy();
    expect(server.sent('POST /auth/account/email')).toHaveLength(0);
  });

  it('offers a new confirmation link for an unverified address', async () => {
    const server = new FakeServer()
      .on('GET /auth/account', { body: { ...profile, email_verified: false } })
      .on('POST /auth/account/email/verification', { status: 202, body: { next: 'verify_email' } })
      .install();
    open();
    expect(await screen.findByText('Not verified')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Send a new confirmation link' }));
    expect((await screen.findByRole('status')).textContent).toContain('We sent a new confirmation link to ada@example.com.');
    expect(server.sent('POST /auth/account/email/verification')).toHaveLength(1);
  });

  it('shows a failed load as an error, not a stack trace', async () => {
    new FakeServer().on('GET /auth/account', { status: 500, body: { error: 'server_error', error_description: 'boom' } }).install();
    open();
    expect((await screen.findByRole('alert')).textContent).toBe('Tessera ran into a problem on its side. Try again in a moment.');
  });
});
