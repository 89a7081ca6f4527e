import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { Portal } from '../support/portal';

/**
 * the per-IP throttle counts `ip:<full address>` (throttle/database-login-throttle.ts).
 * An IPv6 client normally holds a whole /64 (often a /56 or /48): it can give every guess a new
 * source address, and the per-IP limit (the only one that bounds a spray over many accounts)
 * never starts. IPv6 addresses should be counted per /64 (OWASP Credential Stuffing cheat sheet).
 */
describe('per-IP throttling and IPv6 (behind a trusted proxy)', () => {
  let app: PlatformApp;
  beforeAll(async () => {
    app = await startPlatformApp({ env: { TESSERA_TRUSTED_PROXIES: '127.0.0.1' } });
  });
  afterAll(() => app.close());

  it('counts the addresses of one IPv6 /64 as one client', async () => {
    const clientId = (await app.client()).client_id;
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    const statuses: number[] = [];
    for (let i = 1; i <= 14; i++) {
      const res = await portal.post(
        '/auth/login/password',
        { login_challenge: Portal.challengeOf(loginUrl, 'login'), email: `v6spray${i}@example.com`, password: 'Summer2026!' },
        { 'x-forwarded-for': `2001:db8:abcd:12::${i.toString(16)}` },
      );
      statuses.push(res.status);
    }
    // The same client from one IPv4 address gets 429 after ten failures (brute-force.int-spec.ts).
    expect(statuses.slice(10)).toContain(429);
  });
});
