import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { holdTokenForTest } from '../../auth/session';
import { FakeServer } from '../../test/fake-server';
import { renderScreen } from '../../test/render';
import { accountRoutes } from './routes';

const profile = { sub: 'user-1', email: 'ada@example.com', email_verified: true, has_password: true, claims: {}, created_at: 1_700_000_000, updated_at: 1_700_000_000 };

beforeEach(() => holdTokenForTest('account', { accessToken: 'at' }));

describe('the account pages', () => {
  it('open inside the app frame with a side navigation marking the current page', async () => {
    const server = new FakeServer().on('GET /auth/account', { body: profile }).on('GET /auth/account/sessions', { body: [] }).install();
    const { router } = renderScreen({ url: '/account', routes: accountRoutes });
    expect(await screen.findByRole('heading', { level: 1, name: 'Profile' })).toBeTruthy();
    const nav = screen.getByRole('navigation', { name: 'Your account' });
    const links = Array.from(nav.querySelectorAll('a')).map((a) => [a.textContent, a.getAttribute('href')]);
    expect(links).toEqual([
      ['Profile', '/account'],
      ['Security', '/account/security'],
      ['Linked accounts', '/account/linked'],
      ['Sessions', '/account/sessions'],
      ['Connected apps', '/account/apps'],
      ['Delete account', '/account/delete'],
    ]);
    expect(screen.getByRole('link', { name: 'Profile' }).getAttribute('aria-current')).toBe('page');
    await waitFor(() => expect(server.sent('GET /auth/account')).toHaveLength(1));
    expect(server.sent('GET /auth/account')[0].headers.get('authorization')).toBe('Bearer at');

    await userEvent.click(screen.getByRole('link', { name: 'Sessions' }));
    const title = await screen.findByRole('heading', { level: 1, name: 'Sessions' });
    expect(router.state.location.pathname).toBe('/account/sessions');
    expect(screen.getByRole('link', { name: 'Sessions' }).getAttribute('aria-current')).toBe('page');
    expect(screen.getByRole('link', { name: 'Profile' }).getAttribute('aria-current')).toBeNull();
    // The new page's heading takes focus, so a screen reader announces it.
    await waitFor(() => expect(document.activeElement).toBe(title));
  });

  it('send a link coming back from a provider on to the linked accounts page', async () => {
    new FakeServer()
      .on('GET /auth/account', { body: profile })
      .on('GET /auth/account/links', { body: { links: [], available: [] } })
      .install();
    const { router } = renderScreen({ url: '/account?upstream_error=access_denied', routes: accountRoutes });
    expect(await screen.findByRole('heading', { level: 1, name: 'Linked accounts' })).toBeTruthy();
    expect(router.state.location.pathname).toBe('/account/linked');
    expect(screen.getByRole('alert').textContent).toContain('The sign-in at the provider was cancelled or refused.');
  });
});
