import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { holdTokenForTest } from '../../../auth/session';
import { FakeServer } from '../../../test/fake-server';
import { renderScreen } from '../../../test/render';
import { adminRoutes } from '../routes';

const now = Math.floor(Date.now() / 1000);
const KEYS = [
  { kid: 'k-current', alg: 'ES256', state: 'current', publicJwk: {}, createdAt: now - 86_400, activatedAt: now - 80_000 },
  { kid: 'k-next', alg: 'ES256', state: 'next', publicJwk: {}, createdAt: now - 3600 },
  { kid: 'k-old', alg: 'RS256', state: 'retired', publicJwk: {}, createdAt: now - 900_000, activatedAt: now - 890_000, retiredAt: now - 86_400, publishUntil: now + 86_400 },
  { kid: 'k-gone', alg: 'RS256', state: 'retired', publicJwk: {}, createdAt: now - 9_000_000, retiredAt: now - 8_000_000, publishUntil: now - 7_000_000 },
];

function open(server: FakeServer, scope = ['openid', 'admin:read', 'admin:write']) {
  holdTokenForTest('admin', { accessToken: 'at', scope });
  server.install();
  return renderScreen({ url: '/admin/keys', routes: adminRoutes });
}

describe('signing keys', () => {
  it('lists the keys with their status, newest first, and offers to retire only a rotated-out key still published', async () => {
    open(new FakeServer().on('GET /admin/api/keys', { body: KEYS }));
    const rows = within(await screen.findByRole('table')).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[0]?.textContent)).toEqual(['k-next', 'k-current', 'k-old', 'k-gone']);
    expect(rows[0]?.textContent).toContain('Next');
    expect(rows[1]?.textContent).toContain('In use');
    expect(rows[2]?.textContent).toContain('Rotated out');
    expect(rows[3]?.textContent).toContain('Retired');
    expect(screen.getAllByRole('button', { name: /^Retire key/ }).map((b) => b.getAttribute('aria-label'))).toEqual(['Retire key k-old now']);
  });

  it('rotates now, for one algorithm or all', async () => {
    const server = new FakeServer()
      .on('GET /admin/api/keys', { body: KEYS })
      .on('POST /admin/api/keys/rotate', (r) => ({ body: { rotated: (r.body as { alg?: string }).alg ? [{ alg: 'RS256', kid: 'k-new' }] : [{ alg: 'ES256' }, { alg: 'RS256' }] } }));
    open(server);
    const ui = userEvent.setup();
    await ui.click(await screen.findByRole('button', { name: 'Rotate now' }));
    expect(await screen.findByText('Rotated: ES256, RS256.')).toBeTruthy();
    await ui.selectOptions(screen.getByRole('combobox', { name: 'Algorithm' }), 'RS256');
    await ui.click(screen.getByRole('button', { name: 'Rotate now' }));
    expect(await screen.findByText('Rotated: RS256.')).toBeTruthy();
    expect(server.sent('POST /admin/api/keys/rotate').map((r) => r.body)).toEqual([{}, { alg: 'RS256' }]);
    expect(server.sent('GET /admin/api/keys').length).toBeGreaterThan(1);
  });

  it('retires a key after a confirmation, and shows the refusal of a key in use', async () => {
    const server = new FakeServer()
      .on('GET /admin/api/keys', { body: KEYS })
      .on('POST /admin/api/keys/k-old/retire', {
        status: 409,
        body: { type: 'urn:tessera:problem:conflict', status: 409, detail: 'This key is in use (current or next); rotate first, then retire it.' },
      });
    open(server);
    const ui = userEvent.setup();
    await ui.click(await screen.findByRole('button', { name: 'Retire key k-old now' }));
    const question = screen.getByRole('group', { name: /Retire key k-old now\? Every token it signed stops verifying/ });
    expect(server.sent('POST /admin/api/keys/k-old/retire')).toHaveLength(0);
    await ui.click(within(question).getByRole('button', { name: 'Retire now' }));
    expect((await screen.findByRole('alert')).textContent).toBe('This key is in use (current or next); rotate first, then retire it.');
    expect(server.sent('POST /admin/api/keys/k-old/retire')).toHaveLength(1);
  });

  it('shows an empty state, and no rotation to a read-only administrator', async () => {
    open(new FakeServer().on('GET /admin/api/keys', { body: [] }), ['openid', 'admin:read']);
    expect(await screen.findByText('No signing keys')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Rotate now' })).toBeNull();
  });
});
