import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { holdTokenForTest } from '../../../auth/session';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen } from '../../../test/render';
import { adminRoutes } from '../routes';

const client = (id: string, extra: Record<string, unknown> = {}) => ({
  client_id: id,
  client_name: `App ${id}`,
  client_id_issued_at: 1_767_225_600,
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['authorization_code'],
  disabled: false,
  ...extra,
});

function open(url: string, server: FakeServer) {
  holdTokenForTest('admin', { accessToken: 'at', scope: ['openid', 'admin:read', 'admin:write'] });
  server.install();
  return renderScreen({ url, routes: adminRoutes });
}

describe('the clients list', () => {
  it('marks the clients Tessera uses itself as Built-in', async () => {
    const server = new FakeServer().on('GET /admin/api/clients', {
      body: { items: [client('billing', { built_in: false }), client('tessera-portal', { token_endpoint_auth_method: 'none', first_party: true, built_in: true })] },
    });
    open('/admin/clients', server);
    const rows = within(await screen.findByRole('table')).getAllByRole('row').slice(1);
    expect(rows[0]?.textContent).not.toContain('Built-in');
    expect(rows[1]?.textContent).toContain('Built-in');
  });

  it('lists clients with their type and status, and loads the next page with the cursor', async () => {
    const server = new FakeServer().on(
      'GET /admin/api/clients',
      { body: { items: [client('a'), client('spa', { token_endpoint_auth_method: 'none', disabled: true, first_party: true })], next_cursor: 'c1' } },
      { body: { items: [client('z')] } },
    );
    open('/admin/clients', server);
    const table = await screen.findByRole('table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]?.textContent).toContain('Confidential');
    expect(rows[0]?.textContent).toContain('Enabled');
    expect(rows[1]?.textContent).toContain('Public');
    expect(rows[1]?.textContent).toContain('First party');
    expect(rows[1]?.textContent).toContain('Disabled');
    expect(within(table).getByRole('link', { name: 'App spa' }).getAttribute('href')).toBe('/admin/clients/spa');
    expect(screen.getByRole('status').textContent).toBe('Showing 2; there are more.');

    await userEvent.setup().click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByRole('link', { name: 'App z' })).toBeTruthy();
    const [first, second] = server.sent('GET /admin/api/clients');
    expect(first?.query.has('cursor')).toBe(false);
    expect(first?.headers.get('authorization')).toBe('Bearer at');
    expect(second?.query.get('cursor')).toBe('c1');
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(screen.getByRole('status').textContent).toBe('Showing 3.');
  });

  it('searches by id or name on submit, keeping the search in the address', async () => {
    const server = new FakeServer().on('GET /admin/api/clients', (r) => ({ body: { items: r.query.get('q') ? [] : [client('a')] } }));
    const { router } = open('/admin/clients', server);
    const user = userEvent.setup();
    await screen.findByRole('link', { name: 'App a' });
    await user.type(screen.getByRole('searchbox', { name: 'Search clients' }), 'billing{Enter}');
    expect(await screen.findByText('No client matches "billing"')).toBeTruthy();
    expect(server.sent('GET /admin/api/clients').at(-1)?.query.get('q')).toBe('billing');
    expect(router.state.location.search).toBe('?q=billing');
  });

  it('says when there are no clients yet, and links to creating one', async () => {
    const server = new FakeServer().on('GET /admin/api/clients', { body: { items: [] } });
    open('/admin/clients', server);
    expect(await screen.findByText('No clients yet')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'New client' }).getAttribute('href')).toBe('/admin/clients/new');
  });

  it('shows a failure with a retry, never the raw answer', async () => {
    const server = new FakeServer().on(
      'GET /admin/api/clients',
      { status: 503, body: { type: 'urn:tessera:problem:temporarily_unavailable', status: 503, detail: 'The token-service cannot be reached; try again shortly.' } },
      { body: { items: [client('a')] } },
    );
    open('/admin/clients', server);
    expect((await screen.findByRole('alert')).textContent).toBe('A Tessera service is not answering right now. Try again shortly.');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('link', { name: 'App a' })).toBeTruthy();
  });
});
