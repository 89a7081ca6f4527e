import { fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { holdTokenForTest } from '../../../auth/session';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen } from '../../../test/render';
import { adminRoutes } from '../routes';

const entry = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  occurred_at: '2026-03-01T10:00:00.000Z',
  type: 'admin.client.created',
  actor: { type: 'user', id: 'u-ada' },
  client_id: 'billing',
  ip: '203.0.113.7',
  details: { client_name: 'Billing', fields: ['client_name', 'redirect_uris'] },
  ...extra,
});

function open(url: string, server: FakeServer) {
  holdTokenForTest('admin', { accessToken: 'at', scope: ['openid', 'admin:read', 'admin:write'] });
  server.install();
  return renderScreen({ url, routes: adminRoutes });
}

describe('the audit log', () => {
  it('shows entries as words, with links to what they are about, and pages with the cursor', async () => {
    const server = new FakeServer().on(
      'GET /admin/api/audit',
      { body: { items: [entry('9'), entry('8', { type: 'login.failed', actor: { type: 'system' }, client_id: undefined, subject: 'u-bob', details: {} })], next_cursor: 'OA' } },
      { body: { items: [entry('7')] } },
    );
    open('/admin/audit', server);
    const rows = within(await screen.findByRole('table')).getAllByRole('row').slice(1);
    expect(rows[0]?.textContent).toContain('admin.client.created');
    expect(rows[0]?.textContent).toContain('User u-ada');
    expect(rows[0]?.textContent).toContain('fields: client_name, redirect_uris');
    expect(within(rows[0] as HTMLElement).getByRole('link', { name: 'billing' }).getAttribute('href')).toBe('/admin/clients/billing');
    expect(rows[1]?.textContent).toContain('Tessera');
    expect(within(rows[1] as HTMLElement).getByRole('link', { name: 'u-bob' }).getAttribute('href')).toBe('/admin/users/u-bob');
    const when = within(rows[0] as HTMLElement).getByText((_, el) => el?.tagName === 'TIME');
    expect(when.getAttribute('datetime')).toBe('2026-03-01T10:00:00.000Z');
    expect(when.textContent).toBe(new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date('2026-03-01T10:00:00.000Z')));

    await userEvent.setup().click(screen.getByRole('button', { name: 'Load more' }));
    await screen.findByText('Showing 3.');
    expect(server.sent('GET /admin/api/audit')[1]?.query.get('cursor')).toBe('OA');
  });

  it('sends the filters the API supports, times as instants', async () => {
    const server = new FakeServer().on('GET /admin/api/audit', { body: { items: [entry('1')] } }, { body: { items: [] } });
    const { router } = open('/admin/audit', server);
    const ui = userEvent.setup();
    await screen.findByRole('table');
    await ui.type(screen.getByRole('textbox', { name: 'Actor' }), 'u-ada');
    await ui.type(screen.getByRole('textbox', { name: 'Event types' }), 'login.*, admin.client.created');
    await ui.type(screen.getByRole('textbox', { name: 'Client ID' }), 'billing');
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-03-01T08:30' } });
    await ui.click(screen.getByRole('button', { name: 'Apply filters' }));

    expect(await screen.findByText('No entry matches these filters')).toBeTruthy();
    const query = server.sent('GET /admin/api/audit').at(-1)?.query;
    expect(query?.get('actor')).toBe('u-ada');
    expect(query?.get('type')).toBe('login.*,admin.client.created');
    expect(query?.get('client_id')).toBe('billing');
    expect(query?.get('since')).toBe(new Date('2026-03-01T08:30').toISOString());
    expect(query?.has('until')).toBe(false);
    expect(query?.has('subject')).toBe(false);
    expect(router.state.location.search).toContain('actor=u-ada');
  });

  it('refuses an end before the start, and shows the API\'s refusal next to its filter', async () => {
    const server = new FakeServer().on('GET /admin/api/audit', (r) =>
      r.query.get('type')
        ? { status: 400, body: { type: 'urn:tessera:problem:invalid_request', status: 400, detail: 'type must be event names (or family.*), comma-separated.' } }
        : { body: { items: [] } },
    );
    open('/admin/audit', server);
    const ui = userEvent.setup();
    expect(await screen.findByText('The audit log is empty')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-03-02T00:00' } });
    fireEvent.change(screen.getByLabelText('Until'), { target: { value: '2026-03-01T00:00' } });
    await ui.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(screen.getByText('Choose a time after "From".')).toBeTruthy();
    expect(server.sent('GET /admin/api/audit')).toHaveLength(1);

    fireEvent.change(screen.getByLabelText('Until'), { target: { value: '' } });
    await ui.type(screen.getByRole('textbox', { name: 'Event types' }), 'Login!');
    await ui.click(screen.getByRole('button', { name: 'Apply filters' }));
    const type = await screen.findByRole('textbox', { name: 'Event types' });
    expect(await screen.findByText('type must be event names (or family.*), comma-separated.', { selector: '.field-error' })).toBeTruthy();
    expect(type.getAttribute('aria-invalid')).toBe('true');
  });
});
