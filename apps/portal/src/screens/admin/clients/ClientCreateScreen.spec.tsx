import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { holdTokenForTest } from '../../../auth/session';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen } from '../../../test/render';
import { adminRoutes } from '../routes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function open(server: FakeServer, scope = ['openid', 'admin:read', 'admin:write']) {
  holdTokenForTest('admin', { accessToken: 'at', scope });
  server.install();
  return renderScreen({ url: '/admin/clients/new', routes: adminRoutes });
}

/** The field's error message, found through aria-describedby as assistive technology finds it. */
function errorOf(field: HTMLElement): string {
  expect(field.getAttribute('aria-invalid')).toBe('true');
  const ids = field.getAttribute('aria-describedby')?.split(' ') ?? [];
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
}

async function fillBasics(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByRole('textbox', { name: 'Name' }), 'Billing');
  await user.type(screen.getByRole('textbox', { name: 'Redirect URIs' }), 'https://billing.example/callback{Enter}https://billing.example/cb2');
}

describe('creating a client', () => {
  it('sends the metadata with an idempotency key, then shows the secret once', async () => {
    const server = new FakeServer().on('POST /admin/api/clients', {
      status: 201,
      body: { client_id: 'c-123', client_name: 'Billing', token_endpoint_auth_method: 'client_secret_basic', client_secret: 's3cr3t-value' },
    });
    open(server);
    const user = userEvent.setup();
    await fillBasics(user);
    await user.click(screen.getByRole('checkbox', { name: 'First-party application' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Access token format' }), 'jwt');
    await user.type(screen.getByRole('textbox', { name: 'Required scopes' }), 'openid');
    await user.type(screen.getByRole('textbox', { name: 'Access token lifetime (seconds)' }), '600');
    await user.click(screen.getByRole('button', { name: 'Create client' }));

    const heading = await screen.findByRole('heading', { name: 'Client "Billing" created' });
    expect(document.activeElement).toBe(heading);
    const [sent] = server.sent('POST /admin/api/clients');
    expect(sent?.headers.get('authorization')).toBe('Bearer at');
    expect(sent?.headers.get('idempotency-key')).toMatch(UUID);
    expect(sent?.body).toEqual({
      client_name: 'Billing',
      redirect_uris: ['https://billing.example/callback', 'https://billing.example/cb2'],
      post_logout_redirect_uris: [],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
      allowed_scopes: [
        { scope: 'openid', required: true },
        { scope: 'profile', required: false },
        { scope: 'email', required: false },
      ],
      access_token_format: 'jwt',
      default_audience: [],
      access_token_ttl: 600,
      refresh_tokens: true,
      mfa_policy: 'optional',
      first_party: true,
      require_pkce: true,
    });
    expect(document.querySelector('.secret')?.textContent).toBe('s3cr3t-value');
    expect(screen.getByRole('status').textContent).toContain('This is the only time the secret is shown.');
    expect(screen.getByRole('link', { name: 'Open the client' }).getAttribute('href')).toBe('/admin/clients/c-123');

    await user.click(screen.getByRole('button', { name: 'I have stored it' }));
    expect(document.querySelector('.secret')).toBeNull();
    expect(screen.queryByText('s3cr3t-value')).toBeNull();
  });

  it('sends the same key again when the same create is retried, and a new one for a changed create', async () => {
    const server = new FakeServer().on(
      'POST /admin/api/clients',
      { status: 503, body: { type: 'urn:tessera:problem:temporarily_unavailable', status: 503, detail: 'down' } },
      { status: 503, body: { type: 'urn:tessera:problem:temporarily_unavailable', status: 503, detail: 'down' } },
      { status: 201, body: { client_id: 'c-1', client_name: 'Billing 2', token_endpoint_auth_method: 'client_secret_basic' } },
    );
    open(server);
    const user = userEvent.setup();
    await fillBasics(user);
    await user.click(screen.getByRole('button', { name: 'Create client' }));
    expect((await screen.findByRole('alert')).textContent).toBe('A Tessera service is not answering right now. Try again shortly.');
    await user.click(screen.getByRole('button', { name: 'Create client' }));
    await screen.findByRole('alert');
    await user.type(screen.getByRole('textbox', { name: 'Name' }), ' 2');
    await user.click(screen.getByRole('button', { name: 'Create client' }));
    await screen.findByRole('heading', { name: 'Client "Billing 2" created' });

    const keys = server.sent('POST /admin/api/clients').map((r) => r.headers.get('idempotency-key'));
    expect(keys).toHaveLength(3);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[0]);
    // No secret in this answer: nothing to show.
    expect(document.querySelector('.secret')).toBeNull();
  });

  it('shows the problem\'s field errors next to their fields and focuses the first', async () => {
    const server = new FakeServer().on(
      'POST /admin/api/clients',
      {
        status: 400,
        body: {
          type: 'urn:tessera:problem:invalid_request',
          status: 400,
          detail: 'Invalid client metadata.',
          errors: [
            { field: 'client_name', message: 'This name is taken.' },
            { field: 'redirect_uris[0]', message: 'Must use https.' },
          ],
        },
      },
      {
        status: 400,
        body: {
          type: 'urn:tessera:problem:invalid_request',
          status: 400,
          detail: 'grant_type "password" is a legacy grant that only an administrator can enable for a client.',
          reason: 'invalid_client_metadata',
        },
      },
    );
    open(server);
    const user = userEvent.setup();
    await fillBasics(user);
    await user.click(screen.getByRole('button', { name: 'Create client' }));

    const name = screen.getByRole('textbox', { name: 'Name' });
    expect((await screen.findByRole('alert')).textContent).toBe('Some fields need attention: see the messages next to them.');
    expect(errorOf(name)).toBe('This name is taken.');
    expect(errorOf(screen.getByRole('textbox', { name: 'Redirect URIs' }))).toContain('Must use https.');
    expect(document.activeElement).toBe(name);

    // The token service names the field in its words: the message goes next to it.
    await user.click(screen.getByRole('button', { name: 'Create client' }));
    expect(await screen.findByText('grant_type "password" is a legacy grant that only an administrator can enable for a client.')).toBeTruthy();
    expect(screen.getByRole('group', { name: 'Grant types' }).getAttribute('aria-describedby')).toBeTruthy();
  });

  it('checks what it can before sending anything', async () => {
    const server = new FakeServer();
    open(server);
    const user = userEvent.setup();
    await user.clear(await screen.findByRole('textbox', { name: 'Scopes' }));
    await user.type(screen.getByRole('textbox', { name: 'Required scopes' }), 'openid');
    await user.click(screen.getByRole('button', { name: 'Create client' }));
    const name = screen.getByRole('textbox', { name: 'Name' });
    expect(errorOf(name)).toBe('Fill in this field.');
    expect(document.activeElement).toBe(name);
    expect(errorOf(screen.getByRole('textbox', { name: 'Redirect URIs' }))).toContain('The authorization code grant needs at least one redirect URI.');
    expect(errorOf(screen.getByRole('textbox', { name: 'Required scopes' }))).toContain('Not among the scopes above: openid.');
    expect(server.sent('POST /admin/api/clients')).toHaveLength(0);
  });

  it('offers no form to a read-only administrator', async () => {
    open(new FakeServer(), ['openid', 'admin:read']);
    expect(await screen.findByRole('heading', { level: 1, name: 'New client' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Create client' })).toBeNull();
  });
});
