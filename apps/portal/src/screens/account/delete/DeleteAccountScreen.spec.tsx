import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { heldToken, holdTokenForTest } from '../../../auth/session';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen } from '../../../test/render';
import { navigateTo } from '../../../navigation/navigate-to';
import DeleteAccountScreen from './DeleteAccountScreen';

jest.mock('../../../navigation/navigate-to', () => ({ navigateTo: jest.fn() }));

const profile = { sub: 'user-1', email: 'ada@example.com', email_verified: true, has_password: true, claims: {}, created_at: 1, updated_at: 1 };
const open = () => renderScreen({ url: '/account/delete', element: <DeleteAccountScreen /> });

beforeEach(() => {
  holdTokenForTest('account', { accessToken: 'at' });
  jest.mocked(navigateTo).mockReset();
});

describe('DeleteAccountScreen', () => {
  it('deletes nothing until the email address is typed', async () => {
    const fake = new FakeServer().on('GET /auth/account', { body: profile }).install();
    open();
    const input = await screen.findByLabelText('To confirm, type your email address (ada@example.com)');
    await userEvent.type(input, 'someone@example.com');
    await userEvent.click(screen.getByRole('button', { name: 'Delete my account' }));
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(fake.sent('DELETE /auth/account')).toHaveLength(0);
  });

  it('deletes the account, forgets the tokens and leaves for /signed-out', async () => {
    const fake = new FakeServer().on('GET /auth/account', { body: profile }).on('DELETE /auth/account', { status: 204 }).install();
    open();
    await userEvent.type(await screen.findByLabelText(/To confirm, type your email address/), 'Ada@Example.com');
    await userEvent.click(screen.getByRole('button', { name: 'Delete my account' }));
    await waitFor(() => expect(navigateTo).toHaveBeenCalledWith('/signed-out'));
    expect(fake.sent('DELETE /auth/account')[0].headers.get('authorization')).toBe('Bearer at');
    expect(fake.sent('DELETE /auth/account')[0].body).toEqual({});
    expect(heldToken('account')).toBeUndefined();
  });

  it('asks "confirm it’s you" when the sign-in is not recent, then sends the password', async () => {
    const fake = new FakeServer()
      .on('GET /auth/account', { body: profile })
      .on('DELETE /auth/account', { status: 403, body: { error: 'reauthentication_required', max_age: 300 } }, { status: 204 })
      .install();
    open();
    await userEvent.type(await screen.findByLabelText(/To confirm, type your email address/), 'ada@example.com');
    await userEvent.click(screen.getByRole('button', { name: 'Delete my account' }));
    const prompt = await screen.findByRole('group', { name: 'Confirm it’s you' });
    expect(screen.queryByRole('button', { name: 'Delete my account' })).toBeNull();
    await userEvent.click(within(prompt).getByRole('button', { name: 'Confirm and continue' }));
    expect(within(prompt).getByText('Fill in this field.')).toBeTruthy();
    await userEvent.type(within(prompt).getByLabelText('Current password'), 'pw');
    await userEvent.click(within(prompt).getByRole('button', { name: 'Confirm and continue' }));
    await waitFor(() => expect(navigateTo).toHaveBeenCalledWith('/signed-out'));
    expect(fake.sent('DELETE /auth/account').map((r) => r.body)).toEqual([{}, { current_password: 'pw' }]);
  });

  it('offers only a new sign-in to an account without a password', async () => {
    new FakeServer()
      .on('GET /auth/account', { body: { ...profile, has_password: false } })
      .on('DELETE /auth/account', { status: 403, body: { error: 'reauthentication_required', max_age: 300 } })
      .install();
    open();
    await userEvent.type(await screen.findByLabelText(/To confirm, type your email address/), 'ada@example.com');
    await userEvent.click(screen.getByRole('button', { name: 'Delete my account' }));
    const prompt = await screen.findByRole('group', { name: 'Confirm it’s you' });
    expect(within(prompt).queryByLabelText('Current password')).toBeNull();
    expect(within(prompt).getByRole('button', { name: 'Sign in again' })).toBeTruthy();
  });
});
