import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '@tessera/test-kit';
import { startPortalPlatform, type PortalPlatform } from './support/portal-platform';
import { requestFrom, startReverseProxy, type RunningReverseProxy } from './support/reverse-proxy';

const BUILD = resolve(__dirname, '../../../dist/apps/portal');

/**
 * docker/nginx/nginx.conf, the public origin of distributed mode (docker-compose.yml, and
 * tools/cluster on one machine), run by Debian's nginx in front of one built platform: the
 * platform serves every service on one port, so each upstream group points there, and nginx's
 * access log says which group (token_service, auth_service, admin_api) or nginx itself (the
 * portal's build) answered. Every request goes through the proxy and straight to the platform,
 * and both answers must be the same.
 */
describe('docker/nginx/nginx.conf in front of the services', () => {
  let platform: PortalPlatform;
  let proxy: RunningReverseProxy;
  let platformAddress: string;
  let cliSecret: string;

  beforeAll(async () => {
    // The proxy is 127.0.0.1; the clients below that are not the proxy come from 127.0.0.2.
    platform = await startPortalPlatform({ env: { TESSERA_TRUSTED_PROXIES: '127.0.0.1' } });
    platformAddress = `127.0.0.1:${new URL(platform.issuer).port}`;
    cliSecret = readFileSync(join(platform.dataDir, 'cli.secret'), 'utf8').trim();
    proxy = await startReverseProxy({
      root: BUILD,
      upstreams: {
        token_service: [platformAddress],
        auth_service: [platformAddress],
        admin_api: [platformAddress],
      },
    });
  });
  afterAll(async () => {
    await Promise.all([platform?.stop(), proxy?.stop()]);
  });

  /** The same request to the platform and through the proxy; what nginx logged for the latter. */
  const both = async (path: string, init: RequestInit = {}) => {
    const since = proxy.accessLog().length;
    const [direct, proxied] = await Promise.all(
      [platform.issuer, proxy.url].map((base) => fetch(`${base}${path}`, { redirect: 'manual', ...init })),
    );
    const [directBody, proxiedBody] = await Promise.all([
      (direct as Response).text(),
      (proxied as Response).text(),
    ]);
    const logged = await proxy.logEntry(init.method ?? 'GET', new URL(path, 'http://x').pathname, since);
    return { direct: direct as Response, proxied: proxied as Response, directBody, proxiedBody, logged };
  };
  const sameHeaders = (a: Response, b: Response, names: string[]) => {
    for (const name of names) expect([name, b.headers.get(name)]).toEqual([name, a.headers.get(name)]);
  };
  const basic = (id: string, secret: string) =>
    `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  const tokenRequest = (secret: string, extra: Record<string, string> = {}): RequestInit => ({
    method: 'POST',
    headers: {
      authorization: basic('tessera-cli', secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'admin:read admin:write',
      resource: `${platform.issuer}/admin/api`,
      ...extra,
    }).toString(),
  });

  it.each([
    ['/.well-known/openid-configuration'],
    ['/.well-known/oauth-authorization-server'],
    ['/oauth2/jwks'],
  ])('%s goes to the token service and answers as it does directly', async (path) => {
    const { direct, proxied, directBody, proxiedBody, logged } = await both(path);
    expect(proxied.status).toBe(200);
    expect(direct.status).toBe(200);
    expect(JSON.parse(proxiedBody)).toEqual(JSON.parse(directBody));
    sameHeaders(direct, proxied, ['content-type', 'cache-control', 'access-control-allow-origin']);
    expect(logged).toMatchObject({ service: 'token_service', upstream: platformAddress, status: 200 });
  });

  it('the token endpoint issues a client_credentials token through the proxy, and refuses a wrong secret the same way', async () => {
    const issued = await both('/oauth2/token', tokenRequest(cliSecret));
    expect([issued.direct.status, issued.proxied.status]).toEqual([200, 200]);
    const [direct, proxied] = [JSON.parse(issued.directBody), JSON.parse(issued.proxiedBody)] as Array<
      Record<string, unknown>
    >;
    expect(proxied).toEqual({ ...direct, access_token: expect.any(String) });
    expect(proxied['access_token']).not.toBe(direct['access_token']);
    expect(proxied).toMatchObject({ token_type: 'Bearer', scope: 'admin:read admin:write' });
    sameHeaders(issued.direct, issued.proxied, ['content-type', 'cache-control', 'pragma']);
    expect(issued.proxied.headers.get('cache-control')).toBe('no-store');
    expect(issued.logged).toMatchObject({ service: 'token_service', method: 'POST', status: 200 });

    const refused = await both('/oauth2/token', tokenRequest('not-the-secret-of-tessera-cli-at-all'));
    expect([refused.direct.status, refused.proxied.status]).toEqual([401, 401]);
    expect(JSON.parse(refused.proxiedBody)).toEqual(JSON.parse(refused.directBody));
    expect(JSON.parse(refused.proxiedBody)).toMatchObject({ error: 'invalid_client' });
    sameHeaders(refused.direct, refused.proxied, ['content-type', 'cache-control', 'www-authenticate']);
  });

  it("request bodies: the services' own limit and error below 128 KiB, nginx's refusal in the same JSON shape above", async () => {
    const padded = (bytes: number) => tokenRequest(cliSecret, { padding: 'x'.repeat(bytes) });
    const overServiceLimit = await both('/oauth2/token', padded(100 * 1024));
    expect(overServiceLimit.proxied.status).toBe(overServiceLimit.direct.status);
    expect(overServiceLimit.proxied.status).toBeGreaterThanOrEqual(400);
    expect(JSON.parse(overServiceLimit.proxiedBody)).toEqual(JSON.parse(overServiceLimit.directBody));
    expect(overServiceLimit.logged.service).toBe('token_service');

    const since = proxy.accessLog().length;
    const overProxyLimit = await fetch(`${proxy.url}/oauth2/token`, padded(300 * 1024));
    expect(overProxyLimit.status).toBe(413);
    expect(overProxyLimit.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await overProxyLimit.json()).toEqual({
      error: 'invalid_request',
      error_description: 'The request body is too large.',
    });
    expect(await proxy.logEntry('POST', '/oauth2/token', since)).toMatchObject({ status: 413, upstream: '' });
  });

  it('/auth/login answers a bad login challenge with its JSON error, and the challenge never reaches the access log', async () => {
    const challenge = 'bogus-challenge-7f3a9c0e2b';
    const { direct, proxied, directBody, proxiedBody, logged } = await both(
      `/auth/login?login_challenge=${challenge}`,
      { headers: { accept: 'application/json' } },
    );
    expect(proxied.status).toBe(direct.status);
    expect(proxied.status).toBeGreaterThanOrEqual(400);
    expect(proxied.status).toBeLessThan(500);
    expect(proxied.headers.get('content-type')).toMatch(/json/);
    expect(JSON.parse(proxiedBody)).toEqual(JSON.parse(directBody));
    sameHeaders(direct, proxied, ['content-type', 'cache-control']);
    expect(logged).toMatchObject({ service: 'auth_service', path: '/auth/login' });
    expect(proxy.rawAccessLog()).not.toContain(challenge);
  });

  it('/admin/api/openapi.json goes to the admin API and is the same document', async () => {
    const { direct, proxied, directBody, proxiedBody, logged } = await both('/admin/api/openapi.json');
    expect([direct.status, proxied.status]).toEqual([200, 200]);
    expect(JSON.parse(proxiedBody)).toEqual(JSON.parse(directBody));
    expect(JSON.parse(proxiedBody)).toMatchObject({ openapi: expect.stringMatching(/^3\./) });
    sameHeaders(direct, proxied, ['content-type', 'cache-control']);
    expect(logged).toMatchObject({ service: 'admin_api', status: 200 });
  });

  it.each([
    ['/oauth2', 'token_service'],
    ['/oauth2/no-such-endpoint', 'token_service'],
    ['/.well-known/no-such-document', 'token_service'],
    ['/auth', 'auth_service'],
    ['/auth/no-such-endpoint', 'auth_service'],
    ['/admin/api', 'admin_api'],
    ['/admin/api/no-such-resource', 'admin_api'],
    ['/health/ready', 'token_service'],
    ['/health', 'token_service'],
  ])("%s is the %s's (never a portal page), with the same answer as directly", async (path, service) => {
    const { direct, proxied, directBody, proxiedBody, logged } = await both(path, {
      headers: { accept: 'text/html,application/json' },
    });
    expect(proxied.status).toBe(direct.status);
    expect(proxiedBody).toBe(directBody);
    sameHeaders(direct, proxied, ['content-type', 'cache-control']);
    expect(proxiedBody).not.toContain('<div id="root">');
    expect(logged).toMatchObject({ service, upstream: platformAddress });
  });

  it('the internal APIs are not on the public origin: a JSON 404, without asking any service', async () => {
    for (const path of ['/internal/users', '/internal']) {
      const since = proxy.accessLog().length;
      const res = await fetch(`${proxy.url}${path}`, { headers: { authorization: 'Bearer operator.x' } });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'not_found', error_description: 'No such endpoint.' });
      expect(await proxy.logEntry('GET', path, since)).toMatchObject({
        status: 404,
        service: '',
        upstream: '',
      });
    }
  });

  it.each([
    ['/login?login_challenge=abc', 200],
    ['/account/apps', 200],
    ['/admin/clients/abc', 200],
    ['/no/such/page', 404],
  ])(
    '%s is served by nginx from the portal build (status %i), the same page as the platform serves',
    async (path, status) => {
      const { direct, proxied, directBody, proxiedBody, logged } = await both(path, {
        headers: { accept: 'text/html', 'accept-encoding': 'identity' },
      });
      expect([direct.status, proxied.status]).toEqual([status, status]);
      expect(proxiedBody).toBe(directBody);
      expect(proxiedBody).toContain('<div id="root">');
      sameHeaders(direct, proxied, [
        'content-type',
        'cache-control',
        'content-security-policy',
        'referrer-policy',
        'x-frame-options',
      ]);
      expect(logged).toMatchObject({ service: '', upstream: '', status });
    },
  );

  it("X-Forwarded-For reaches the services: the admin API's audit log records the client's address, not the proxy's or a forged one", async () => {
    const token = await fetch(`${proxy.url}/oauth2/token`, tokenRequest(cliSecret)).then(
      (r) => r.json() as Promise<{ access_token: string }>,
    );
    const created = await requestFrom('127.0.0.2', `${proxy.url}/admin/api/users`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token.access_token}`,
        'content-type': 'application/json',
        'x-forwarded-for': '198.51.100.7',
      },
      body: JSON.stringify({
        email: `proxied-${Date.now()}@example.com`,
        password: 'correct horse battery staple',
      }),
    });
    expect(created.status).toBe(201);
    const { sub } = JSON.parse(created.body) as { sub: string };

    const audit = await fetch(
      `${proxy.url}/admin/api/audit?type=admin.user.created&subject=${encodeURIComponent(sub)}`,
      { headers: { authorization: `Bearer ${token.access_token}` } },
    );
    expect(audit.status).toBe(200);
    const { items } = (await audit.json()) as {
      items: Array<{ subject?: string; ip?: string; actor: { id?: string } }>;
    };
    expect(items).toEqual([
      expect.objectContaining({
        subject: sub,
        ip: '127.0.0.2',
        actor: expect.objectContaining({ id: 'tessera-cli' }),
      }),
    ]);
    expect(proxy.accessLog().find((e) => e.path === '/admin/api/users' && e.method === 'POST')).toMatchObject(
      { client: '127.0.0.2', service: 'admin_api', status: 201 },
    );
  });

  it('a replica that refuses connections is skipped, for token requests (POST) too; with none left, a JSON 503', async () => {
    const deadReplica = `127.0.0.1:${await freePort()}`;
    const failover = await startReverseProxy({
      root: BUILD,
      upstreams: {
        token_service: [deadReplica, platformAddress],
        auth_service: [deadReplica],
        admin_api: [platformAddress],
      },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await fetch(`${failover.url}/oauth2/token`, tokenRequest(cliSecret))).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
      const tried = failover
        .accessLog()
        .filter((e) => e.path === '/oauth2/token')
        .map((e) => e.upstream);
      // A request sent to the dead replica first went on to the live one.
      expect(tried).toContain(`${deadReplica}, ${platformAddress}`);
      expect(tried.every((u) => u.endsWith(platformAddress))).toBe(true);
      expect(failover.errors()).toMatch(/connect\(\) failed \(111: Connection refused\)/);

      const unavailable = await fetch(`${failover.url}/auth/login?login_challenge=x`);
      expect(unavailable.status).toBe(503);
      expect(unavailable.headers.get('content-type')).toMatch(/^application\/json/);
      expect(unavailable.headers.get('retry-after')).toBe('1');
      expect(await unavailable.json()).toMatchObject({ error: 'temporarily_unavailable' });
    } finally {
      await failover.stop();
    }
  });

  it("the portal's files come from nginx with the platform's types and caching", async () => {
    const script = readdirSync(join(BUILD, 'assets')).find((f) => f.endsWith('.js'));
    for (const path of ['/favicon.svg', '/theme.css', `/assets/${script}`]) {
      const { direct, proxied, directBody, proxiedBody, logged } = await both(path, {
        headers: { 'accept-encoding': 'identity' },
      });
      expect([direct.status, proxied.status]).toEqual([200, 200]);
      expect(proxiedBody).toBe(directBody);
      sameHeaders(direct, proxied, ['cache-control', 'content-security-policy']);
      // The same type: nginx says application/javascript (Debian's mime.types, and the name
      // portal.conf's gzip_types lists), the platform text/javascript (RFC 9239's name).
      const type = (res: Response) =>
        res.headers.get('content-type')?.replace('application/javascript', 'text/javascript');
      expect(type(proxied)).toBe(type(direct));
      expect(logged).toMatchObject({ service: '', upstream: '' });
    }
  });

  it('nginx logged no error but the body it refused', () => {
    const lines = proxy.errors().split('\n').filter(Boolean);
    expect(lines.filter((line) => !/client intended to send too large body/.test(line))).toEqual([]);
  });
});
