import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { holdTokenForTest } from '../../../auth/session';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen } from '../../../test/render';
import { adminRoutes } from '../routes';

const CLIENT = {
  client_id: 'billing',
  client_name: 'Billing',
  client_id_issued_at: 1_767_225_600,
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: ['https://billing.example/callback'],
  allowed_scopes: [
    { scope: 'openid', required: true },
    { scope: 'invoices', required: false },
  ],
  access_token_format: 'reference',
  access_token_ttl: 300,
  refresh_tokens: true,
  refresh_token_ttl: 2_592_000,
  require_pkce: true,
  mfa_policy: 'optional',
  first_party: false,
  disabled: false,
};

function open(server: FakeServer, scope = ['openid', 'admin:read', 'admin:write']) {
  holdTokenForTest('admin', { accessToken: 'at', scope });
  server.on('GET /admin/api/clients/billing', { body: CLIENT }).install();
  return renderScreen({ url: '/admin/clients/billing', routes: adminRoutes });
}

describe('a client\'s page', () => {
  it('shows the client\'s settings', async () => {
    open(new FakeServer());
    expect(await screen.findByRole('heading', { level: 1, name: 'Billing' })).toBeTruthy();
    const settings = screen.getByRole('region', { name: 'Settings' });
    expect(settings.textContent).toContain('Client secret (HTTP Basic)');
    expect(settings.textContent).toContain('Authorization code, Refresh token');
    expect(settings.textContent).toContain('https://billing.example/callback');
    expect(settings.textContent).toContain('openid (required)');
    expect(settings.textContent).toContain('300 seconds');
    expect(within(settings).getByText('Enabled')).toBeTruthy();
  });

  it('rotates the secret after a confirmation and shows the new one once', async () => {
    const server = new FakeServer()
      .on('POST /admin/api/clients/billing/secret', { body: { ...CLIENT, client_secret: 'new-secret-1' } })
      .on('GET /admin/api/clients', { body: { items: [CLIENT] } });
    const { router } = open(server);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Rotate secret' }));
    const question = screen.getByRole('group', { name: 'Rotate the secret of "Billing"? The current secret stops working now.' });
    expect(document.activeElement).toBe(question);
    expect(server.sent('POST /admin/api/clients/billing/secret')).toHaveLength(0);

    await user.click(within(question).getByRole('button', { name: 'Rotate now' }));
    expect((await screen.findByText('new-secret-1')).closest('.secret')).toBeTruthy();
    expect(screen.getByText('Copy the secret now')).toBeTruthy();
    expect(server.sent('POST /admin/api/clients/billing/secret')[0]?.headers.get('authorization')).toBe('Bearer at');

    // Not kept anywhere: leaving the page and coming back shows no secret.
    await act(() => router.navigate('/admin/clients'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Clients' })).toBeTruthy();
    await act(() => router.navigate('/admin/clients/billing'));
    expect(await screen.findByRole('button', { name: 'Rotate secret' })).toBeTruthy();
    expect(screen.queryByText('new-secret-1')).toBeNull();
  });

  it('cancels a confirmation with Escape and puts focus back on its button', async () => {
    const server = new FakeServer();
    open(server);
    const user = userEvent.setup();
    const trigger = await screen.findByRole('button', { name: 'Delete client' });
    await user.click(trigger);
    expect(screen.getByRole('group', { name: 'Delete "Billing"? This cannot be undone.' })).toBeTruthy();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('group', { name: /Delete "Billing"/ })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Delete client' }));
    expect(server.sent('DELETE /admin/api/clients/billing')).toHaveLength(0);
  });

  it('revokes access everywhere after a confirmation, optionally disabling, and follows the revocation', async () => {
    const pending = { id: 'r-1', client_id: 'billing', disable_client: true, status: 'pending', requested_by: 'user:u1', requested_at: '2026-03-01T10:00:00.000Z' };
    const server = new FakeServer()
      .on('POST /admin/api/clients/billing/revocations', { status: 202, body: pending })
      .on('GET /admin/api/revocations/r-1', { body: pending }, { body: { ...pending, status: 'completed', completed_at: '2026-03-01T10:00:05.000Z', grants: 4, sessions: 2 } });
    open(server);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Revoke access everywhere' }));
    const question = screen.getByRole('group', { name: 'Revoke all access of "Billing" for every user? This cannot be undone.' });
    expect(server.sent('POST /admin/api/clients/billing/revocations')).toHaveLength(0);
    await user.click(within(question).getByRole('checkbox', { name: 'Also disable the client' }));
    await user.click(within(question).getByRole('button', { name: 'Revoke access' }));

    expect(await screen.findByText('Revocation in progress')).toBeTruthy();
    expect(server.sent('POST /admin/api/clients/billing/revocations')[0]?.body).toEqual({ disable_client: true });
    await user.click(screen.getByRole('button', { name: 'Check again' }));
    expect(await screen.findByText('Access revoked')).toBeTruthy();
    expect(screen.getByText('Grants ended: 4. Sessions ended: 2.')).toBeTruthy();
  });

  it('disables the client after a confirmation', async () => {
    const server = new FakeServer().on('POST /admin/api/clients/billing/disable', { body: { ...CLIENT, disabled: true } });
    open(server);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Disable client' }));
    await user.click(within(screen.getByRole('group')).getByRole('button', { name: 'Disable client' }));
    expect(await screen.findByRole('button', { name: 'Enable client' })).toBeTruthy();
    expect(server.sent('POST /admin/api/clients/billing/disable')).toHaveLength(1);
    expect(within(screen.getByRole('region', { name: 'Settings' })).getByText('Disabled')).toBeTruthy();
  });

  it('edits the settings with a PATCH of the form\'s fields', async () => {
    const server = new FakeServer().on('PATCH /admin/api/clients/billing', (r) => ({ body: { ...CLIENT, ...(r.body as object) } }));
    open(server);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit' }));
    const name = screen.getByRole('textbox', { name: 'Name' });
    expect((name as HTMLInputElement).value).toBe('Billing');
    expect((screen.getByRole('textbox', { name: 'Required scopes' }) as HTMLInputElement).value).toBe('openid');
    await user.clear(name);
    await user.type(name, 'Billing portal');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Changes saved.')).toBeTruthy();
    const body = server.sent('PATCH /admin/api/clients/billing')[0]?.body as Record<string, unknown>;
    expect(body['client_name']).toBe('Billing portal');
    expect(body['allowed_scopes']).toEqual([
      { scope: 'openid', required: true },
      { scope: 'invoices', required: false },
    ]);
    // Emptied optional fields reset to their defaults; the response types stay as registered.
    expect(body['backchannel_logout_uri']).toBeNull();
    expect('response_types' in body).toBe(false);
    expect(await screen.findByRole('heading', { level: 1, name: 'Billing portal' })).toBeTruthy();
  });

  it('deletes the client after a confirmation and goes back to the list', async () => {
    const server = new FakeServer().on('DELETE /admin/api/clients/billing', { status: 204 }).on('GET /admin/api/clients', { body: { items: [] } });
    const { router } = open(server);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete client' }));
    await user.click(within(screen.getByRole('group')).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('Client "Billing" was deleted.')).toBeTruthy();
    expect(router.state.location.pathname).toBe('/admin/clients');
    expect(server.sent('DELETE /admin/api/clients/billing')).toHaveLength(1);
  });

  it('shows a read-only administrator no write action', async () => {
    open(new FakeServer(), ['openid', 'admin:read']);
    await screen.findByRole('heading', { level: 1, name: 'Billing' });
    for (const name of ['Edit', 'Rotate secret', 'Disable client', 'Revoke access everywhere', 'Delete client']) {
      expect(screen.queryByRole('button', { name })).toBeNull();
    }
  });

  it('says when the client does not exist', async () => {
    holdTokenForTest('admin', { accessToken: 'at', scope: ['openid', 'admin:read', 'admin:write'] });
    new FakeServer().on('GET /admin/api/clients/gone', { status: 404, body: { type: 'urn:tessera:problem:not_found', status: 404, detail: 'No such client.' } }).install();
    renderScreen({ url: '/admin/clients/gone', routes: adminRoutes });
    expect((await screen.findByRole('alert')).textContent).toBe('No such client.');
  });
});
