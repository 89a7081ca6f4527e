import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { holdTokenForTest } from '../../../auth/session';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen } from '../../../test/render';
import { adminRoutes } from '../routes';

const CORP = {
  id: 'corp',
  display_name: 'Corp directory',
  issuer: 'https://login.corp.example',
  client_id: 'tessera',
  has_client_secret: true,
  token_endpoint_auth_method: 'client_secret_basic',
  scopes: ['openid', 'profile', 'email'],
  claim_mapping: { email: 'email', name: 'name' },
  trust_email_verified: false,
  enabled: true,
  redirect_uri: 'https://id.example/auth/upstream/corp/callback',
  created_at: 1_767_225_600,
  updated_at: 1_767_225_600,
};

function open(url: string, server: FakeServer, scope = ['openid', 'admin:read', 'admin:write']) {
  holdTokenForTest('admin', { accessToken: 'at', scope });
  server.install();
  return renderScreen({ url, routes: adminRoutes });
}

/** The field's messages as assistive technology reads them (aria-describedby). */
const describedBy = (field: HTMLElement) =>
  (field.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');

describe('upstream identity providers', () => {
  it('lists the providers', async () => {
    open('/admin/idps', new FakeServer().on('GET /admin/api/upstream-idps', { body: [CORP, { ...CORP, id: 'old', display_name: 'Old', enabled: false }] }));
    const rows = within(await screen.findByRole('table')).getAllByRole('row').slice(1);
    expect(rows[0]?.textContent).toContain('https://login.corp.example');
    expect(rows[0]?.textContent).toContain('Enabled');
    expect(rows[1]?.textContent).toContain('Disabled');
    expect(screen.getByRole('link', { name: 'Corp directory' }).getAttribute('href')).toBe('/admin/idps/corp');
  });

  it('says when there is none', async () => {
    open('/admin/idps', new FakeServer().on('GET /admin/api/upstream-idps', { body: [] }));
    expect(await screen.findByText('No identity providers')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Add provider' }).getAttribute('href')).toBe('/admin/idps/new');
  });

  it('adds a provider with an idempotency key, the secret sent and never shown back', async () => {
    const server = new FakeServer().on('POST /admin/api/upstream-idps', { status: 201, body: CORP });
    const { router } = open('/admin/idps/new', server);
    const ui = userEvent.setup();
    await ui.type(await screen.findByRole('textbox', { name: 'ID' }), 'corp');
    await ui.type(screen.getByRole('textbox', { name: 'Name' }), 'Corp directory');
    await ui.type(screen.getByRole('textbox', { name: 'Issuer' }), 'https://login.corp.example');
    await ui.type(screen.getByRole('textbox', { name: 'Client ID at the provider' }), 'tessera');
    const secret = screen.getByLabelText('Client secret at the provider');
    expect(secret.getAttribute('type')).toBe('password');
    expect(secret.getAttribute('autocomplete')).toBe('off');
    await ui.type(secret, 'upstream-secret');
    await ui.click(screen.getByRole('button', { name: 'Add provider' }));

    expect(await screen.findByText('Provider added. Register the redirect URI below at the provider.')).toBeTruthy();
    expect(router.state.location.pathname).toBe('/admin/idps/corp');
    expect(screen.getByText('https://id.example/auth/upstream/corp/callback')).toBeTruthy();
    expect(screen.queryByText('upstream-secret')).toBeNull();
    const [sent] = server.sent('POST /admin/api/upstream-idps');
    expect(sent?.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent?.body).toEqual({
      id: 'corp',
      display_name: 'Corp directory',
      issuer: 'https://login.corp.example',
      client_id: 'tessera',
      client_secret: 'upstream-secret',
      token_endpoint_auth_method: 'client_secret_basic',
      scopes: ['openid', 'profile', 'email'],
      trust_email_verified: false,
      enabled: true,
    });
  });

  it('puts the provider\'s validation problems next to their fields', async () => {
    const server = new FakeServer().on('POST /admin/api/upstream-idps', {
      status: 400,
      body: {
        type: 'urn:tessera:problem:invalid_request',
        status: 400,
        detail: 'Invalid upstream provider: issuer: must not have a query; scopes: must not repeat a scope.',
      },
    });
    open('/admin/idps/new', server);
    const ui = userEvent.setup();
    await ui.type(await screen.findByRole('textbox', { name: 'ID' }), 'corp');
    await ui.type(screen.getByRole('textbox', { name: 'Name' }), 'Corp');
    await ui.type(screen.getByRole('textbox', { name: 'Issuer' }), 'https://login.corp.example?x=1');
    await ui.type(screen.getByRole('textbox', { name: 'Client ID at the provider' }), 'tessera');
    await ui.type(screen.getByLabelText('Client secret at the provider'), 's');
    await ui.click(screen.getByRole('button', { name: 'Add provider' }));
    const issuer = screen.getByRole('textbox', { name: 'Issuer' });
    expect((await screen.findByRole('alert')).textContent).toBe('Some fields need attention: see the messages next to them.');
    expect(describedBy(issuer)).toContain('Must not have a query.');
    expect(describedBy(screen.getByRole('textbox', { name: 'Scopes' }))).toContain('Must not repeat a scope.');
    expect(document.activeElement).toBe(issuer);
  });

  it('edits only what changed, and sends a secret only when a new one is typed', async () => {
    const server = new FakeServer()
      .on('GET /admin/api/upstream-idps/corp', { body: CORP })
      .on('PATCH /admin/api/upstream-idps/corp', { body: { ...CORP, display_name: 'Corp SSO' } });
    open('/admin/idps/corp', server);
    const ui = userEvent.setup();
    await ui.click(await screen.findByRole('button', { name: 'Edit' }));
    expect(screen.queryByRole('textbox', { name: 'ID' })).toBeNull();
    const name = screen.getByRole('textbox', { name: 'Name' });
    await ui.clear(name);
    await ui.type(name, 'Corp SSO');
    await ui.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Changes saved.')).toBeTruthy();
    expect(server.sent('PATCH /admin/api/upstream-idps/corp')[0]?.body).toEqual({ display_name: 'Corp SSO' });

    await ui.click(screen.getByRole('button', { name: 'Edit' }));
    await ui.type(screen.getByLabelText('Client secret at the provider'), 'rotated');
    await ui.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Changes saved.');
    expect(server.sent('PATCH /admin/api/upstream-idps/corp')[1]?.body).toEqual({ client_secret: 'rotated' });
  });

  it('disables and deletes a provider after confirmations', async () => {
    const server = new FakeServer()
      .on('GET /admin/api/upstream-idps/corp', { body: CORP })
      .on('PATCH /admin/api/upstream-idps/corp', { body: { ...CORP, enabled: false } })
      .on('DELETE /admin/api/upstream-idps/corp', { status: 204 })
      .on('GET /admin/api/upstream-idps', { body: [] });
    const { router } = open('/admin/idps/corp', server);
    const ui = userEvent.setup();
    await ui.click(await screen.findByRole('button', { name: 'Disable provider' }));
    await ui.click(within(screen.getByRole('group')).getByRole('button', { name: 'Disable provider' }));
    expect(await screen.findByRole('button', { name: 'Enable provider' })).toBeTruthy();
    expect(server.sent('PATCH /admin/api/upstream-idps/corp')[0]?.body).toEqual({ enabled: false });

    await ui.click(screen.getByRole('button', { name: 'Delete provider' }));
    await ui.click(within(screen.getByRole('group')).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('Provider "Corp directory" was deleted.')).toBeTruthy();
    expect(router.state.location.pathname).toBe('/admin/idps');
  });

  it('shows a read-only administrator no write action', async () => {
    open('/admin/idps/corp', new FakeServer().on('GET /admin/api/upstream-idps/corp', { body: CORP }), ['openid', 'admin:read']);
    await screen.findByRole('heading', { level: 1, name: 'Corp directory' });
    for (const name of ['Edit', 'Disable provider', 'Delete provider']) expect(screen.queryByRole('button', { name })).toBeNull();
  });
});
