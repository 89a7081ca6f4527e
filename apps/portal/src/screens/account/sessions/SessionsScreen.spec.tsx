import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { holdTokenForTest } from '../../../auth/session';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen } from '../../../test/render';
import type { SessionView } from '../account-api';
import SessionsScreen from './SessionsScreen';

const NOW = Math.floor(Date.now() / 1000);
const session = (over: Partial<SessionView>): SessionView => ({
  id: 's',
  current: false,
  user_agent: 'x',
  ip: '203.0.113.7',
  amr: ['pwd'],
  auth_time: NOW - 86_400,
  created_at: NOW - 86_400,
  last_seen_at: NOW - 120,
  expires_at: NOW + 86_400,
  clients: [],
  ...over,
});
const sessions = [
  session({ id: 's-2', device: 'Safari on iOS', amr: ['hwk', 'user'], last_seen_at: NOW - 3 * 86_400, clients: [] }),
  session({
    id: 's-1',
    current: true,
    device: 'Firefox on Linux',
    amr: ['pwd', 'otp', 'mfa'],
    clients: [
      { client_id: 'photos', client_name: 'Photo Print', first_used_at: NOW - 3600, last_used_at: NOW - 60 },
      { client_id: 'tessera-portal', client_name: 'Tessera', first_used_at: NOW - 3600, last_used_at: NOW - 60 },
    ],
  }),
];
const open = () => renderScreen({ url: '/account/sessions', element: <SessionsScreen /> });

beforeEach(() => holdTokenForTest('account', { accessToken: 'at' }));

describe('SessionsScreen', () => {
  it('lists each browser: this one first and marked, how, where from, when, which apps', async () => {
    new FakeServer().on('GET /auth/account/sessions', { body: sessions }).install();
    open();
    const items = await screen.findAllByRole('listitem');
    expect(items).toHaveLength(2);
    const [current, other] = items;
    expect(within(current).getByText('This browser')).toBeTruthy();
    expect(current.textContent).toContain('Firefox on Linux');
    expect(current.textContent).toContain('password and one-time code');
    expect(current.textContent).toContain('Photo Print and Tessera');
    expect(current.textContent).toContain('203.0.113.7');
    expect(current.textContent).toContain('2 minutes ago');
    // This browser signs out with the header's button, not from this list.
    expect(within(current).queryByRole('button')).toBeNull();
    expect(other.textContent).toContain('passkey on a device');
    expect(other.textContent).toContain('3 days ago');
    expect(other.textContent).toContain('none yet');
  });

  it('ends one session, says so, and moves focus to the message (the item and its button are gone)', async () => {
    const fake = new FakeServer()
      .on('GET /auth/account/sessions', { body: sessions }, { body: [sessions[1]] })
      .on('DELETE /auth/account/sessions/s-2', { status: 204 })
      .install();
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Sign out Safari on iOS' }));
    await waitFor(() => expect(fake.sent('DELETE /auth/account/sessions/s-2')).toHaveLength(1));
    expect(fake.sent('DELETE /auth/account/sessions/s-2')[0].headers.get('authorization')).toBe('Bearer at');
    const notice = await screen.findByRole('status');
    expect(notice.textContent).toBe('Safari on iOS was signed out.');
    await waitFor(() => expect(screen.queryByText('Safari on iOS')).toBeNull());
    expect(fake.sent('GET /auth/account/sessions')).toHaveLength(2);
    expect(document.activeElement).toBe(notice);
  });

  it('signs out everywhere else and says how many', async () => {
    const fake = new FakeServer()
      .on('GET /auth/account/sessions', { body: sessions })
      .on('DELETE /auth/account/sessions', { body: { ended: 1 } })
      .install();
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Sign out everywhere else' }));
    const notice = await screen.findByRole('status');
    expect(notice.textContent).toContain('Other sessions signed out: 1.');
    expect(fake.sent('DELETE /auth/account/sessions')).toHaveLength(1);
    // The button goes away with the other sessions: focus is on the message.
    expect(document.activeElement).toBe(notice);
  });

  it('offers no "everywhere else" when this is the only browser', async () => {
    new FakeServer().on('GET /auth/account/sessions', { body: [sessions[1]] }).install();
    open();
    await screen.findByText('Firefox on Linux');
    expect(screen.queryByRole('button', { name: 'Sign out everywhere else' })).toBeNull();
  });
});
