import { screen, within } from '@testing-library/react';
import { holdTokenForTest } from '../../auth/session';
import { FakeServer } from '../../test/fake-server';
import { renderScreen } from '../../test/render';
import { adminRoutes } from './routes';

const ADMIN = ['openid', 'admin:read', 'admin:write'];

function open(url: string, server: FakeServer, scope: string[] = ADMIN) {
  holdTokenForTest('admin', { accessToken: 'at', scope });
  server.install();
  return renderScreen({ url, routes: adminRoutes });
}

describe('the admin console shell', () => {
  it('shows a person without the admin scopes that they have no access, and calls no admin API', async () => {
    const server = new FakeServer();
    open('/admin/clients', server, ['openid']);
    expect(await screen.findByRole('heading', { level: 1, name: 'Admin console' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toContain('Your account does not have access to the admin console.');
    expect(screen.queryByRole('navigation', { name: 'Admin sections' })).toBeNull();
    expect(server.requests.filter((r) => r.path.startsWith('/admin/api'))).toHaveLength(0);
  });

  it('opens on the clients page, with the sections in a side navigation', async () => {
    const server = new FakeServer().on('GET /admin/api/clients', { body: { items: [] } });
    const { router } = open('/admin', server);
    expect(await screen.findByRole('heading', { level: 1, name: 'Clients' })).toBeTruthy();
    expect(router.state.location.pathname).toBe('/admin/clients');
    const nav = screen.getByRole('navigation', { name: 'Admin sections' });
    const links = within(nav).getAllByRole('link');
    expect(links.map((l) => l.textContent)).toEqual(['Clients', 'Users', 'Identity providers', 'Signing keys', 'Audit log', 'Deliveries']);
    expect(within(nav).getByRole('link', { name: 'Clients' }).getAttribute('aria-current')).toBe('page');
    expect(server.sent('GET /admin/api/clients')[0]?.headers.get('authorization')).toBe('Bearer at');
  });

  it('tells a read-only administrator so, and offers no write action', async () => {
    const server = new FakeServer().on('GET /admin/api/clients', { body: { items: [] } });
    open('/admin/clients', server, ['openid', 'admin:read']);
    expect(await screen.findByText('No clients yet')).toBeTruthy();
    expect(screen.getByText('You have read-only access: changes are not available.')).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'New client' })).toBeNull();
  });

  it('says so when the API no longer counts the holder as an administrator', async () => {
    const server = new FakeServer().on('GET /admin/api/clients', {
      status: 403,
      body: { type: 'urn:tessera:problem:insufficient_role', title: 'Forbidden', status: 403, detail: 'This account does not hold the admin role (any more).' },
    });
    open('/admin/clients', server);
    expect((await screen.findByRole('alert')).textContent).toBe('Your account does not have access to the admin console.');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
