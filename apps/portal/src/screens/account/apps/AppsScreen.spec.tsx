import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { holdTokenForTest } from '../../../auth/session';
import { FakeServer } from '../../../test/fake-server';
import { Announcer } from '../../../components/Announcer';
import { renderScreen } from '../../../test/render';
import type { ConnectedApp } from '../account-api';
import AppsScreen from './AppsScreen';

const NOW = Math.floor(Date.now() / 1000);
const app: ConnectedApp = {
  id: 'g-1',
  client_id: 'photos',
  client_name: 'Photo Print',
  logo_uri: 'https://photos.example/logo.png',
  scopes: ['openid', 'email', 'photos:read'],
  remembered: true,
  granted_at: 1_699_963_200, // 2023-11-14 at noon UTC: the same day in any time zone the tests run in
  last_used_at: NOW - 2 * 3600,
};
const open = (locale: 'en' | 'fr' = 'en') => renderScreen({ url: '/account/apps', element: <AppsScreen />, locale });

beforeEach(() => holdTokenForTest('account', { accessToken: 'at' }));

describe('AppsScreen', () => {
  it('lists each connected app: logo, name, what it can do in words, when', async () => {
    const fake = new FakeServer().on('GET /auth/account/apps', { body: [app] }).install();
    open();
    const item = (await screen.findAllByRole('listitem'))[0].closest('.list > li') as HTMLElement;
    expect(item.textContent).toContain('Photo Print');
    expect((item.querySelector('img') as HTMLImageElement).getAttribute('alt')).toBe('');
    expect(item.textContent).toContain('See your email address and whether it is verified');
    expect(item.textContent).toContain('photos:read');
    expect(item.textContent).toContain('2 hours ago');
    expect(fake.sent('GET /auth/account/apps')[0].headers.get('authorization')).toBe('Bearer at');
  });

  it('revokes access only after the confirmation, which says the tokens stop working at once', async () => {
    const fake = new FakeServer().on('GET /auth/account/apps', { body: [app] }, { body: [] }).on('DELETE /auth/account/apps/g-1', { status: 204 }).install();
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke access for Photo Print' }));
    const confirm = screen.getByRole('group', { name: 'Revoke access for Photo Print' });
    expect(confirm.textContent).toContain('its tokens stop working now');
    expect(fake.sent('DELETE /auth/account/apps/g-1')).toHaveLength(0);

    expect(document.activeElement).toBe(confirm);
    await userEvent.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('group', { name: 'Revoke access for Photo Print' })).toBeNull();
    // Focus goes back to the button that opened the step.
    const trigger = screen.getByRole('button', { name: 'Revoke access for Photo Print' });
    expect(document.activeElement).toBe(trigger);
    expect(trigger.getAttribute('aria-expanded')).toBe('false');

    // Escape closes it too, from the keyboard.
    await userEvent.keyboard('{Enter}');
    expect(screen.getByRole('group', { name: 'Revoke access for Photo Print' })).toBeTruthy();
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('group', { name: 'Revoke access for Photo Print' })).toBeNull();
    expect(document.activeElement).toBe(trigger);
    expect(fake.sent('DELETE /auth/account/apps/g-1')).toHaveLength(0);

    await userEvent.click(trigger);
    await userEvent.click(within(screen.getByRole('group', { name: 'Revoke access for Photo Print' })).getByRole('button', { name: 'Revoke access for Photo Print' }));
    expect((await screen.findByRole('status')).textContent).toContain('Photo Print no longer has access to your account.');
    expect(fake.sent('DELETE /auth/account/apps/g-1')).toHaveLength(1);
    expect(fake.sent('DELETE /auth/account/apps/g-1')[0].headers.get('authorization')).toBe('Bearer at');
    expect(await screen.findByText('No connected apps')).toBeTruthy();
  });

  it('ties the confirmation’s explanation to it, and after revoking moves focus to the message, which is also announced', async () => {
    new FakeServer().on('GET /auth/account/apps', { body: [app] }, { body: [] }).on('DELETE /auth/account/apps/g-1', { status: 204 }).install();
    renderScreen({
      url: '/account/apps',
      element: (
        <>
          <AppsScreen />
          <Announcer />
        </>
      ),
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke access for Photo Print' }));
    const confirm = screen.getByRole('group', { name: 'Revoke access for Photo Print' });
    const described = document.getElementById(confirm.getAttribute('aria-describedby') ?? '');
    expect(described?.textContent).toContain('its tokens stop working now');

    await userEvent.click(within(confirm).getByRole('button', { name: 'Revoke access for Photo Print' }));
    const notice = await screen.findByRole('status');
    expect(notice.textContent).toBe('Photo Print no longer has access to your account.');
    expect(await screen.findByText('No connected apps')).toBeTruthy();
    // The item (and the focused button in it) is gone: focus is on the message, not the body.
    expect(document.activeElement).toBe(notice);
    await waitFor(() => expect(document.querySelector('[data-announcer]')?.textContent).toBe('Photo Print no longer has access to your account.'));
  });

  it('shows an error when the revocation fails, keeping the app', async () => {
    new FakeServer()
      .on('GET /auth/account/apps', { body: [app] })
      .on('DELETE /auth/account/apps/g-1', { status: 404, body: { error: 'not_found', error_description: 'No such connected app.' } })
      .install();
    open();
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke access for Photo Print' }));
    await userEvent.click(within(screen.getByRole('group', { name: 'Revoke access for Photo Print' })).getByRole('button', { name: 'Revoke access for Photo Print' }));
    expect((await screen.findByRole('alert')).textContent).toBe('No such connected app.');
  });

  it('does not list the portal itself (revoking it would only sign the person out here)', async () => {
    new FakeServer().on('GET /auth/account/apps', { body: [{ ...app, id: 'g-portal', client_id: 'tessera-portal', client_name: 'Tessera portal' }] }).install();
    open();
    expect(await screen.findByText('No connected apps')).toBeTruthy();
    expect(screen.queryByText('Tessera portal')).toBeNull();
  });

  it('has an empty state', async () => {
    new FakeServer().on('GET /auth/account/apps', { body: [] }).install();
    open();
    expect(await screen.findByText('No connected apps')).toBeTruthy();
    expect(screen.getByText(/When you allow an application/)).toBeTruthy();
  });

  it('speaks French, dates included', async () => {
    new FakeServer().on('GET /auth/account/apps', { body: [app] }).install();
    open('fr');
    expect(await screen.findByRole('heading', { level: 1, name: 'Applications connectées' })).toBeTruthy();
    expect(await screen.findByText('Voir votre adresse e-mail et savoir si elle est vérifiée')).toBeTruthy();
    expect(screen.getByText(/Autorisée le 14 novembre 2023/)).toBeTruthy();
    expect(screen.getByText('il y a 2 heures')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Retirer l’accès à Photo Print' })).toBeTruthy();
  });
});
