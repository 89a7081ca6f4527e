import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { startNginx, type RunningNginx } from './support/nginx';
import { startPortalPlatform, type PortalPlatform } from './support/portal-platform';

const BUILD = resolve(__dirname, '../../../dist/apps/portal');
const SECURITY_HEADERS = ['content-security-policy', 'x-frame-options', 'referrer-policy', 'x-content-type-options', 'cross-origin-opener-policy'];

/**
 * The portal is served by the platform (embedded) or by nginx with docker/nginx/portal.conf
 * (distributed). Both must answer the same: the same pages, statuses, caching and security
 * headers. Each request goes to both, side by side.
 */
describe('the portal served by the platform and by nginx (docker/nginx/portal.conf) alike', () => {
  let platform: PortalPlatform;
  let nginx: RunningNginx;
  const asset = `/assets/${readdirSync(resolve(BUILD, 'assets')).find((f) => f.endsWith('.js'))}`;

  beforeAll(async () => {
    // The API locations of the real server, stood in for: nginx must not turn them into portal pages.
    [platform, nginx] = await Promise.all([startPortalPlatform(), startNginx(BUILD, `location /admin/api/ { default_type application/json; return 404 '{"api":true}'; }`)]);
  });
  afterAll(async () => {
    await Promise.all([platform?.stop(), nginx?.stop()]);
  });

  const both = async (path: string, accept = 'text/html') => {
    const [a, b] = await Promise.all([platform.issuer, nginx.url].map((base) => fetch(`${base}${path}`, { headers: { accept, 'accept-encoding': 'identity' }, redirect: 'manual' })));
    return { platform: a as Response, nginx: b as Response, bodies: await Promise.all([(a as Response).text(), (b as Response).text()]) };
  };

  it.each([
    ['/login?login_challenge=x', 200, 'no-cache'],
    ['/', 200, 'no-cache'],
    ['/account', 200, 'no-cache'],
    ['/account/apps', 200, 'no-cache'],
    ['/admin/clients/abc', 200, 'no-cache'],
    ['/callback', 200, 'no-cache'],
    ['/no/such/page', 404, 'no-cache'],
  ])('%s is the portal page with status %i and Cache-Control %s, the same bytes and security headers from both', async (path, status, cache) => {
    const { platform: p, nginx: n, bodies } = await both(path);
    for (const res of [p, n]) {
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe(cache);
    }
    expect(bodies[1]).toBe(bodies[0]);
    expect(bodies[0]).toContain('<div id="root">');
    for (const header of SECURITY_HEADERS) expect(n.headers.get(header)).toBe(p.headers.get(header));
    expect(p.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('caches content-hashed assets for good and other files for an hour, with the same headers', async () => {
    const hashed = await both(asset, '*/*');
    const theme = await both('/theme.css', 'text/css');
    for (const res of [hashed.platform, hashed.nginx]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-type')).toMatch(/javascript/);
    }
    expect(hashed.bodies[1]).toBe(hashed.bodies[0]);
    for (const res of [theme.platform, theme.nginx]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    }
    for (const header of SECURITY_HEADERS) expect(hashed.nginx.headers.get(header)).toBe(hashed.platform.headers.get(header));
  });

  it('leaves the admin API its own 404s, and a missing asset is a 404 on both', async () => {
    const api = await both('/admin/api/nothing-here', 'application/json');
    for (const res of [api.platform, api.nginx]) {
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/json/);
    }
    const missing = await both('/assets/missing-0000.js', '*/*');
    expect([missing.platform.status, missing.nginx.status]).toEqual([404, 404]);
    expect(nginx.errors()).not.toMatch(/\[(emerg|alert|crit)\]/);
  });
});
