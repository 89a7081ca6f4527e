import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { holdTokenForTest } from '../../../auth/session';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen } from '../../../test/render';
import { adminRoutes } from '../routes';

const ADA = {
  sub: 'u-ada',
  email: 'ada@example.com',
  email_verified: true,
  status: 'active',
  roles: [],
  has_password: true,
  claims: { name: 'Ada Lovelace', address: { locality: 'London', country: 'UK' } },
  created_at: 1_767_225_600,
  updated_at: 1_767_225_600,
};

const SESSION = {
  id: 's1',
  device: 'Firefox on Linux',
  user_agent: 'Mozilla/5.0',
  ip: '203.0.113.7',
  amr: ['pwd', 'otp'],
  auth_time: 1_767_225_600,
  created_at: 1_767_225_600,
  last_seen_at: 1_767_229_200,
  expires_at: 1_769_817_600,
  clients: [{ client_id: 'billing', client_name: 'Billing', first_used_at: 1_767_225_600, last_used_at: 1_767_229_200 }],
};

/** The user and their sessions answered, unless the test answers them itself. */
function open(server: FakeServer, scope = ['openid', 'admin:read', 'admin:write'], user: Record<string, unknown> = ADA, sessions: unknown[][] = [[SESSION]]) {
  holdTokenForTest('admin', { accessToken: 'at', scope });
  server.on('GET /admin/api/users/u-ada', { body: user });
  server.on('GET /admin/api/users/u-ada/sessions', ...sessions.map((body) => ({ body })));
  server.install();
  return renderScreen({ url: '/admin/users/u-ada', routes: adminRoutes });
}

describe('a user\'s page', () => {
  it('shows the profile, claims as text, and the sessions', async () => {
    open(new FakeServer());
    expect(await screen.findByRole('heading', { level: 1, name: 'ada@example.com' })).toBeTruthy();
    const profile = screen.getByRole('region', { name: 'Profile' });
    expect(profile.textContent).toContain('u-ada');
    expect(profile.textContent).toContain('Ada Lovelace');
    expect(profile.textContent).toContain('locality: London, country: UK');
    const sessions = screen.getByRole('region', { name: 'Sessions' });
    expect(await within(sessions).findByText('Firefox on Linux')).toBeTruthy();
    expect(sessions.textContent).toContain('203.0.113.7');
    expect(sessions.textContent).toContain('password, one-time code');
    expect(sessions.textContent).toContain('Billing');
  });

  it('locks the account after a confirmation', async () => {
    const server = new FakeServer().on('PATCH /admin/api/users/u-ada', { body: { ...ADA, status: 'locked' } });
    open(server);
    const ui = userEvent.setup();
    await ui.click(await screen.findByRole('button', { name: 'Lock account' }));
    expect(server.sent('PATCH /admin/api/users/u-ada')).toHaveLength(0);
    await ui.click(within(screen.getByRole('group')).getByRole('button', { name: 'Lock account' }));
    expect(await screen.findByRole('button', { name: 'Unlock account' })).toBeTruthy();
    expect(server.sent('PATCH /admin/api/users/u-ada')[0]?.body).toEqual({ status: 'locked' });
    expect(screen.getByText('The account is locked: the person cannot sign in until it is unlocked.')).toBeTruthy();
  });

  it('reactivates a disabled account at once', async () => {
    const server = new FakeServer().on('PATCH /admin/api/users/u-ada', { body: ADA });
    open(server, undefined, { ...ADA, status: 'disabled' });
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Reactivate account' }));
    expect(await screen.findByRole('button', { name: 'Lock account' })).toBeTruthy();
    expect(server.sent('PATCH /admin/api/users/u-ada')[0]?.body).toEqual({ status: 'active' });
  });

  it('grants the admin role after a confirmation', async () => {
    const server = new FakeServer().on('PATCH /admin/api/users/u-ada', { body: { ...ADA, roles: ['admin'] } });
    open(server);
    const ui = userEvent.setup();
    await ui.click(await screen.findByRole('button', { name: 'Make administrator' }));
    await ui.click(within(screen.getByRole('group')).getByRole('button', { name: 'Make administrator' }));
    expect(await screen.findByRole('button', { name: 'Remove administrator role' })).toBeTruthy();
    expect(server.sent('PATCH /admin/api/users/u-ada')[0]?.body).toEqual({ roles: ['admin'] });
  });

  it('resets MFA and ends every session after confirmations, saying what was done', async () => {
    const server = new FakeServer()
      .on('POST /admin/api/users/u-ada/mfa/reset', { body: { removed: ['totp', 'recovery_code'] } })
      .on('DELETE /admin/api/users/u-ada/sessions', { body: { ended: 2 } });
    open(server, undefined, ADA, [[SESSION], []]);
    const ui = userEvent.setup();
    await ui.click(await screen.findByRole('button', { name: 'Reset two-step verification' }));
    await ui.click(within(screen.getByRole('group')).getByRole('button', { name: 'Reset two-step verification' }));
    expect(await screen.findByText('Removed: authenticator app, recovery codes.')).toBeTruthy();
    expect(server.sent('POST /admin/api/users/u-ada/mfa/reset')).toHaveLength(1);

    await ui.click(screen.getByRole('button', { name: 'End all sessions' }));
    await ui.click(within(screen.getByRole('group')).getByRole('button', { name: 'End all sessions' }));
    expect(await screen.findByText('Sessions ended: 2.')).toBeTruthy();
    expect(server.sent('DELETE /admin/api/users/u-ada/sessions')[0]?.headers.get('authorization')).toBe('Bearer at');
    expect(await screen.findByText('No active sessions')).toBeTruthy();
  });

  it('shows a read-only administrator the account without its actions', async () => {
    open(new FakeServer(), ['openid', 'admin:read']);
    await screen.findByRole('heading', { level: 1, name: 'ada@example.com' });
    expect(screen.getByRole('region', { name: 'Roles' }).textContent).toContain('No roles');
    for (const name of ['Lock account', 'Disable account', 'Make administrator', 'Reset two-step verification', 'End all sessions']) {
      expect(screen.queryByRole('button', { name })).toBeNull();
    }
  });
});
