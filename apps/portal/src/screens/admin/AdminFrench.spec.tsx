import { screen, within } from '@testing-library/react';
import { holdTokenForTest } from '../../auth/session';
import { FakeServer } from '../../test/fake-server';
import { renderScreen } from '../../test/render';
import { adminRoutes } from './routes';

describe('the admin console in French', () => {
  it('shows the clients page in French, with French dates', async () => {
    holdTokenForTest('admin', { accessToken: 'at', scope: ['openid', 'admin:read', 'admin:write'] });
    new FakeServer()
      .on('GET /admin/api/clients', {
        body: {
          items: [{ client_id: 'spa', client_name: 'Appli', client_id_issued_at: 1_767_225_600, token_endpoint_auth_method: 'none', disabled: true }],
          next_cursor: 'c1',
        },
      })
      .install();
    renderScreen({ url: '/admin/clients', routes: adminRoutes, locale: 'fr' });
    expect(await screen.findByRole('heading', { level: 1, name: 'Clients' })).toBeTruthy();
    expect(screen.getByRole('navigation', { name: 'Sections d’administration' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Nouveau client' })).toBeTruthy();
    expect(screen.getByRole('searchbox', { name: 'Rechercher des clients' })).toBeTruthy();
    const row = within(await screen.findByRole('table')).getAllByRole('row')[1] as HTMLElement;
    expect(row.textContent).toContain('Public');
    expect(row.textContent).toContain('Désactivé');
    expect(within(row).getByText((_, el) => el?.tagName === 'TIME').textContent).toBe(
      new Intl.DateTimeFormat('fr', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(1_767_225_600_000)),
    );
    expect(screen.getByRole('button', { name: 'Afficher plus' })).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('1 affiché(s) ; il y en a d’autres.');
  });

  it('tells a non-administrator in French', async () => {
    holdTokenForTest('admin', { accessToken: 'at', scope: ['openid'] });
    new FakeServer().install();
    renderScreen({ url: '/admin/users', routes: adminRoutes, locale: 'fr' });
    expect(await screen.findByRole('heading', { level: 1, name: 'Console d’administration' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe('Votre compte n’a pas accès à la console d’administration.');
  });
});
