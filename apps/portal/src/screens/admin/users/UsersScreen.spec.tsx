import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { holdTokenForTest } from '../../../auth/session';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen } from '../../../test/render';
import { adminRoutes } from '../routes';

const user = (sub: string, extra: Record<string, unknown> = {}) => ({
  sub,
  email: `${sub}@example.com`,
  email_verified: true,
  status: 'active',
  roles: [],
  has_password: true,
  claims: {},
  created_at: 1_767_225_600,
  updated_at: 1_767_225_600,
  ...extra,
});

function open(url: string, server: FakeServer) {
  holdTokenForTest('admin', { accessToken: 'at', scope: ['openid', 'admin:read', 'admin:write'] });
  server.install();
  return renderScreen({ url, routes: adminRoutes });
}

describe('the users list', () => {
  it('lists users with status and roles, and pages with the cursor', async () => {
    const server = new FakeServer().on(
      'GET /admin/api/users',
      { body: { items: [user('ada', { roles: ['admin'] }), user('bob', { status: 'locked', email_verified: false })], next_cursor: 'n1' } },
      { body: { items: [user('cy')] } },
    );
    open('/admin/users', server);
    const rows = within(await screen.findByRole('table')).getAllByRole('row').slice(1);
    expect(rows[0]?.textContent).toContain('Administrator');
    expect(rows[1]?.textContent).toContain('Locked');
    expect(rows[1]?.textContent).toContain('(not verified)');
    expect(screen.getByRole('link', { name: 'ada@example.com' }).getAttribute('href')).toBe('/admin/users/ada');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByRole('link', { name: 'cy@example.com' })).toBeTruthy();
    expect(server.sent('GET /admin/api/users')[1]?.query.get('cursor')).toBe('n1');
  });

  it('searches by email prefix and filters by status', async () => {
    const server = new FakeServer().on('GET /admin/api/users', (r) => ({ body: { items: r.query.get('status') === 'disabled' ? [] : [user('ada')] } }));
    const { router } = open('/admin/users', server);
    const ui = userEvent.setup();
    await screen.findByRole('link', { name: 'ada@example.com' });
    await ui.type(screen.getByRole('searchbox', { name: 'Search users' }), 'ada@{Enter}');
    await screen.findByRole('link', { name: 'ada@example.com' });
    await ui.selectOptions(screen.getByRole('combobox', { name: 'Status' }), 'disabled');
    expect(await screen.findByText('No user matches this search')).toBeTruthy();
    const last = server.sent('GET /admin/api/users').at(-1);
    expect(last?.query.get('q')).toBe('ada@');
    expect(last?.query.get('status')).toBe('disabled');
    expect(router.state.location.search).toBe('?q=ada%40&status=disabled');
  });

  it('says when there are no users', async () => {
    open('/admin/users', new FakeServer().on('GET /admin/api/users', { body: { items: [] } }));
    expect(await screen.findByText('No users yet')).toBeTruthy();
  });
});
