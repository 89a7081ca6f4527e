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

const PORTAL = {
  client_id: 'tessera-portal',
  client_name: 'Tessera portal',
  client_id_issued_at: 1_767_225_600,
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code'],
  response_types: ['code'],
  redirect_uris: ['https://id.example.com/callback'],
  post_logout_redirect_uris: ['https://id.example.com/signed-out'],
  allowed_scopes: [
    { scope: 'openid', required: true },
    { scope: 'account', required: false },
  ],
  access_token_format: 'reference',
  access_token_ttl: 3600,
  refresh_tokens: false,
  refresh_token_ttl: 2_592_000,
  require_pkce: true,
  mfa_policy: 'optional',
  first_party: true,
  admin: false,
  disabled: false,
  built_in: true,
};

const CLI = {
  client_id: 'tessera-cli',
  client_name: 'Tessera CLI',
  client_id_issued_at: 1_767_225_600,
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  allowed_scopes: [
    { scope: 'admin:read', required: false },
    { scope: 'admin:write', required: false },
  ],
  access_token_ttl: 300,
  refresh_tokens: false,
  mfa_policy: 'optional',
  admin: true,
  disabled: false,
  built_in: true,
  client_secret_expires_at: 0,
};

function openBuiltIn(server: FakeServer, client: typeof PORTAL | typeof CLI, scope = ['openid', 'admin:read', 'admin:write']) {
  holdTokenForTest('admin', { accessToken: 'at', scope });
  server.on(`GET /admin/api/clients/${client.client_id}`, { body: client }).install();
  return renderScreen({ url: `/admin/clients/${client.client_id}`, routes: adminRoutes });
}

describe('a built-in client\'s page', () => {
  it('says it is built in and why, and offers neither deleting nor disabling it', async () => {
    openBuiltIn(new FakeServer(), PORTAL);
    expect(await screen.findByRole('heading', { level: 1, name: 'Tessera portal' })).toBeTruthy();
    const notice = screen.getByText('Built-in client').closest('.alert') as HTMLElement;
    expect(notice.textContent).toContain('It cannot be deleted or disabled');
    expect(within(screen.getByRole('region', { name: 'Settings' })).getByText('Built-in')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Delete client' })).toBeNull();
    expect(screen.queryByRole('region', { name: 'Delete client' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Disable client' })).toBeNull();
    expect(screen.getByText(/A built-in client cannot be disabled/)).toBeTruthy();
    // A public client: no secret section at all.
    expect(screen.queryByRole('region', { name: 'Client secret' })).toBeNull();
  });

  it('edits only the name, the access token lifetime and two-step verification, and sends only those', async () => {
    const server = new FakeServer().on('PATCH /admin/api/clients/tessera-portal', (r) => ({ body: { ...PORTAL, ...(r.body as object) } }));
    openBuiltIn(server, PORTAL);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit' }));
    expect(screen.getByText('Only these settings of a built-in client can be changed; Tessera sets the others.')).toBeTruthy();
    for (const locked of ['Redirect URIs', 'Scopes', 'Grant types', 'Token endpoint authentication', 'Default audience', 'First-party application', 'Require PKCE']) {
      expect(screen.queryByLabelText(locked, { exact: false })).toBeNull();
    }
    const ttl = screen.getByRole('textbox', { name: /Access token lifetime/ });
    await user.clear(ttl);
    await user.type(ttl, '900');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Two-step verification' }), 'required');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Changes saved.')).toBeTruthy();
    expect(server.sent('PATCH /admin/api/clients/tessera-portal')[0]?.body).toEqual({ client_name: 'Tessera portal', access_token_ttl: 900, mfa_policy: 'required' });
  });

  it('revokes its access without offering to disable it', async () => {
    const pending = { id: 'r-2', client_id: 'tessera-portal', disable_client: false, status: 'pending', requested_by: 'user:u1', requested_at: '2026-03-01T10:00:00.000Z' };
    const server = new FakeServer()
      .on('POST /admin/api/clients/tessera-portal/revocations', { status: 202, body: pending })
      .on('GET /admin/api/revocations/r-2', { body: pending });
    openBuiltIn(server, PORTAL);
    const user = userEvent.setup();
    expect(await screen.findByText(/signs everyone out of the portal and this console/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Revoke access everywhere' }));
    const question = screen.getByRole('group', { name: /Revoke all access of "Tessera portal"/ });
    expect(within(question).queryByRole('checkbox', { name: 'Also disable the client' })).toBeNull();
    await user.click(within(question).getByRole('button', { name: 'Revoke access' }));
    expect(await screen.findByText('Revocation in progress')).toBeTruthy();
    expect(server.sent('POST /admin/api/clients/tessera-portal/revocations')[0]?.body).toEqual({ disable_client: false });
  });

  it('does not rotate tessera-cli\'s secret here, and says where it is set', async () => {
    openBuiltIn(new FakeServer(), CLI);
    const secret = await screen.findByRole('region', { name: 'Client secret' });
    expect(secret.textContent).toContain('TESSERA_CLI_SECRET');
    expect(screen.queryByRole('button', { name: 'Rotate secret' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete client' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Disable client' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Revoke access everywhere' })).toBeTruthy();
  });

  it('shows the server\'s refusal of a change it does not allow', async () => {
    const server = new FakeServer().on('PATCH /admin/api/clients/tessera-cli', {
      status: 409,
      body: { type: 'urn:tessera:problem:built_in_client', title: 'Conflict', status: 409, detail: "'tessera-cli' is a built-in client: only client_name can be changed." },
    });
    openBuiltIn(server, CLI);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit' }));
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('alert')).textContent).toContain('is a built-in client');
  });
});
