import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { holdTokenForTest } from '../../../auth/session';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen } from '../../../test/render';
import { adminRoutes } from '../routes';

const FAILED = {
  event_id: 'e1',
  client_id: 'billing',
  sub: 'u-ada',
  status: 'failed',
  attempts: 5,
  last_error: 'HTTP 500 from https://billing.example/logout',
  created_at: 1_767_225_600,
  updated_at: 1_767_229_200,
};
const LETTER = {
  service: 'token-service',
  id: '5f0c6a3e-9d1b-4c2e-8f3a-1b2c3d4e5f60',
  queue: 'token-service.events',
  name: 'user.deleted',
  failed_at: '2026-03-01T10:00:00.000Z',
  attempts: 8,
  error: 'database is locked',
};

function open(server: FakeServer, scope = ['openid', 'admin:read', 'admin:write']) {
  holdTokenForTest('admin', { accessToken: 'at', scope });
  server.install();
  return renderScreen({ url: '/admin/deliveries', routes: adminRoutes });
}

describe('deliveries', () => {
  it('lists failed back-channel deliveries first, and filters by status and client', async () => {
    const server = new FakeServer().on('GET /admin/api/backchannel-deliveries', (r) => ({ body: r.query.get('status') === 'failed' ? [FAILED] : [] })).on('GET /admin/api/dead-letters', { body: [] });
    open(server);
    const section = await screen.findByRole('region', { name: 'Back-channel logout' });
    expect(await within(section).findByText('HTTP 500 from https://billing.example/logout')).toBeTruthy();
    expect(within(section).getByRole('row', { name: /billing/ }).textContent).toContain('Failed');
    const first = server.sent('GET /admin/api/backchannel-deliveries')[0]?.query;
    expect(first?.get('status')).toBe('failed');
    expect(first?.has('client_id')).toBe(false);

    const ui = userEvent.setup();
    await ui.selectOptions(within(section).getByRole('combobox', { name: 'Status' }), 'retrying');
    await ui.type(within(section).getByRole('textbox', { name: 'Client ID' }), 'billing');
    await ui.click(within(section).getByRole('button', { name: 'Apply filters' }));
    expect(await within(section).findByText('No deliveries')).toBeTruthy();
    const last = server.sent('GET /admin/api/backchannel-deliveries').at(-1)?.query;
    expect(last?.get('status')).toBe('retrying');
    expect(last?.get('client_id')).toBe('billing');
    expect(screen.getByRole('region', { name: 'Dead letters' }).textContent).toContain('No dead letters');
  });

  it('sends a dead letter again', async () => {
    const server = new FakeServer()
      .on('GET /admin/api/backchannel-deliveries', { body: [] })
      .on('GET /admin/api/dead-letters', { body: [LETTER] }, { body: [] })
      .on(`POST /admin/api/dead-letters/token-service/${LETTER.id}/retry`, { status: 202, body: { service: 'token-service', retried: LETTER.id } });
    open(server);
    expect(await screen.findByText('No failed deliveries')).toBeTruthy();
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Send user.deleted again (token-service)' }));
    expect(await screen.findByText('user.deleted was sent again.')).toBeTruthy();
    expect(server.sent(`POST /admin/api/dead-letters/token-service/${LETTER.id}/retry`)[0]?.headers.get('authorization')).toBe('Bearer at');
    expect(await screen.findByText('No dead letters')).toBeTruthy();
  });

  it('shows a read-only administrator the dead letters without the retry', async () => {
    open(new FakeServer().on('GET /admin/api/backchannel-deliveries', { body: [] }).on('GET /admin/api/dead-letters', { body: [LETTER] }), ['openid', 'admin:read']);
    expect(await screen.findByText('database is locked')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Send .* again/ })).toBeNull();
  });
});
