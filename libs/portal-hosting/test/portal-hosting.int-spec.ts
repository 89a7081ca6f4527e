import { request as httpRequest } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Controller, Get, HttpCode, Module, Param, Post } from '@nestjs/common';
import pino from 'pino';
import { createHttpApp, platformConfigSchema, randomSecret, RuntimeModule, toPlatformConfig, type RunningHttpApp } from '@tessera/runtime';
import { PORTAL_PATHS, PORTAL_SECURITY_HEADERS, PortalHostingModule } from '../src';
import type { PortalBuild } from '../src/portal-build';
import { PORTAL_BUILD } from '../src/portal.controller';

/** Stand-ins for the services' routes, in the shapes they use: static, parametric, POST only, a prefix of a page. */
@Controller()
class ServicesStandIn {
  @Get('.well-known/openid-configuration')
  discovery() {
    return { issuer: 'https://id.tessera.test' };
  }

  @Post('oauth2/token')
  @HttpCode(200)
  token() {
    return { access_token: 'x' };
  }

  @Get('auth/login')
  login() {
    return { csrf: 'x' };
  }

  @Get('admin/api/clients/:id')
  client(@Param('id') id: string) {
    return { client_id: id };
  }

  @Get('admin/api/clients')
  clients() {
    return { items: [] };
  }
}

const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Tessera</title>
    <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
    <script type="module" crossorigin src="/assets/index-TBNkackV.js"></script>
    <link rel="stylesheet" crossorigin href="/assets/index-BAoWhxsS.css">
  </head>
  <body><div id="root"></div></body>
</html>
`;
const SCRIPT = `export const routes = [${Array.from({ length: 400 }, (_, i) => `{ path: '/page-${i}', element: 'Screen${i}' }`).join(', ')}];\n`;
const STYLES = `${Array.from({ length: 200 }, (_, i) => `.c${i} { margin: ${i}px; padding: 0 ${i}px; }`).join('\n')}\n`;
const FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#334"/></svg>\n';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const SECRET = 'root:x:0:0:the-file-outside-the-build';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request sent as written: fetch would resolve `..` segments before sending them. */
function raw(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

interface Platform {
  url: string;
  /** The build as read at start (its `compressed` settles once the brotli variants exist). */
  build: PortalBuild;
  internalUrl: string;
  logs: string[];
  close(): Promise<void>;
}

async function startPlatform(portalDir: string): Promise<Platform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-portal-hosting-data-'));
  const config = toPlatformConfig(platformConfigSchema.parse({ TESSERA_DATA_DIR: dataDir }));
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (logs.push(chunk.toString()), done()) }));

  @Module({
    imports: [RuntimeModule.forRoot({ config, logger, masterKey: randomSecret(32) }), PortalHostingModule.forRoot({ dir: portalDir })],
    controllers: [ServicesStandIn],
  })
  class RootModule {}

  const { listen } = await createHttpApp(RootModule, { logger });
  const running: RunningHttpApp = await listen({ host: '127.0.0.1', port: 0, internalHost: '127.0.0.1', internalPort: 0 });
  return {
    url: running.publicUrl,
    build: running.app.get<PortalBuild>(PORTAL_BUILD),
    internalUrl: running.internalUrl,
    logs,
    async close() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function expectPortalHeaders(res: Answer) {
  for (const [name, value] of Object.entries(PORTAL_SECURITY_HEADERS)) expect(res.headers[name]).toBe(value);
}

function expectJson404(res: Answer) {
  expect(res.status).toBe(404);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(JSON.parse(res.body.toString())).toEqual({ error: 'not_found', error_description: 'No such endpoint.' });
  expect(res.headers['content-security-policy']).toBeUndefined();
}

describe('the portal served by the platform', () => {
  let root: string;
  let platform: Platform;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'tessera-portal-hosting-'));
    const build = join(root, 'portal');
    mkdirSync(join(build, 'assets'), { recursive: true });
    mkdirSync(join(build, '.vite'));
    writeFileSync(join(build, 'index.html'), INDEX_HTML);
    writeFileSync(join(build, 'favicon.svg'), FAVICON);
    writeFileSync(join(build, 'assets', 'index-TBNkackV.js'), SCRIPT);
    writeFileSync(join(build, 'assets', 'index-BAoWhxsS.css'), STYLES);
    writeFileSync(join(build, 'assets', 'logo-Q1w2E3r4.png'), PNG);
    writeFileSync(join(build, '.vite', 'manifest.json'), '{"hidden":true}');
    writeFileSync(join(root, 'secret.txt'), SECRET);
    platform = await startPlatform(build);
  });
  afterAll(async () => {
    await platform?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers every portal page with index.html, revalidated at each use, with the security headers', async () => {
    const pages = [...PORTAL_PATHS.exact, '/account/apps', '/account/sessions/abc', '/admin/clients', '/admin/clients/c1/edit', '/admin/apis', '/login?login_challenge=abc%20def'];
    for (const page of pages) {
      const res = await raw(platform.url, page, HTML);
      expect({ page, status: res.status }).toEqual({ page, status: 200 });
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body.toString()).toBe(INDEX_HTML);
      expectPortalHeaders(res);
    }
  });

  it('serves the hashed assets as immutable, and the other root files for an hour, each with its content type', async () => {
    const cases = [
      { path: '/assets/index-TBNkackV.js', type: 'text/javascript; charset=utf-8', cache: 'public, max-age=31536000, immutable', body: SCRIPT },
      { path: '/assets/index-BAoWhxsS.css', type: 'text/css; charset=utf-8', cache: 'public, max-age=31536000, immutable', body: STYLES },
      { path: '/favicon.svg', type: 'image/svg+xml', cache: 'public, max-age=3600', body: FAVICON },
    ];
    for (const c of cases) {
      const res = await raw(platform.url, c.path);
      expect({ path: c.path, status: res.status, type: res.headers['content-type'], cache: res.headers['cache-control'] }).toEqual({
        path: c.path,
        status: 200,
        type: c.type,
        cache: c.cache,
      });
      expect(res.body.toString()).toBe(c.body);
      expect(res.headers['etag']).toMatch(/^"[\w-]+"$/);
      expectPortalHeaders(res);
    }
    const png = await raw(platform.url, '/assets/logo-Q1w2E3r4.png', { 'accept-encoding': 'br, gzip' });
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['content-encoding']).toBeUndefined(); // already compressed formats are sent as they are
    expect(png.headers['vary']).toBeUndefined();
    expect(png.body.equals(PNG)).toBe(true);
  });

  it('negotiates brotli, gzip or none from Accept-Encoding, says it varies on it, and gives each coding its own ETag', async () => {
    await platform.build.compressed;
    const identity = await raw(platform.url, '/assets/index-TBNkackV.js');
    const br = await raw(platform.url, '/assets/index-TBNkackV.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    const gz = await raw(platform.url, '/assets/index-TBNkackV.js', { 'accept-encoding': 'gzip' });
    const refusedBr = await raw(platform.url, '/assets/index-TBNkackV.js', { 'accept-encoding': 'br;q=0, gzip;q=0.5' });
    const identityPreferred = await raw(platform.url, '/assets/index-TBNkackV.js', { 'accept-encoding': 'identity, gzip;q=0.5' });
    const page = await raw(platform.url, '/account', { ...HTML, 'accept-encoding': 'br' });

    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).toString()).toBe(SCRIPT);
    expect(br.body.length).toBeLessThan(SCRIPT.length / 4);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(SCRIPT);
    expect(refusedBr.headers['content-encoding']).toBe('gzip');
    expect(identityPreferred.headers['content-encoding']).toBeUndefined();
    expect(page.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(page.body).toString()).toBe(INDEX_HTML);
    for (const res of [identity, br, gz, page]) expect(res.headers['vary']).toBe('Accept-Encoding');
    expect(new Set([identity, br, gz].map((r) => r.headers['etag'])).size).toBe(3);
  });

  it('answers a request whose ETag still matches with 304 and no content', async () => {
    await platform.build.compressed;
    const first = await raw(platform.url, '/assets/index-BAoWhxsS.css', { 'accept-encoding': 'br' });
    const again = await raw(platform.url, '/assets/index-BAoWhxsS.css', { 'accept-encoding': 'br', 'if-none-match': first.headers['etag'] as string });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers['etag']).toBe(first.headers['etag']);
    expect(again.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    // The validator of another coding does not match this one.
    expect((await raw(platform.url, '/assets/index-BAoWhxsS.css', { 'if-none-match': first.headers['etag'] as string })).status).toBe(200);
    const page = await raw(platform.url, '/login', HTML);
    expect((await raw(platform.url, '/login', { ...HTML, 'if-none-match': page.headers['etag'] as string })).status).toBe(304);
  });

  it('answers HEAD with the headers of GET and no content', async () => {
    for (const [path, headers] of [
      ['/assets/index-TBNkackV.js', { 'accept-encoding': 'gzip' }],
      ['/account/apps', HTML],
      ['/favicon.svg', {}],
    ] as const) {
      const get = await raw(platform.url, path, headers);
      const head = await raw(platform.url, path, headers, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.body.length).toBe(0);
      expect(Number(get.headers['content-length'])).toBe(get.body.length);
      for (const name of ['content-type', 'content-length', 'content-encoding', 'cache-control', 'etag', 'vary', 'content-security-policy']) {
        expect({ path, name, value: head.headers[name] }).toEqual({ path, name, value: get.headers[name] });
      }
    }
  });

  it('answers an unknown path a browser navigates to with the portal (status 404, its not-found page), and an API client with JSON', async () => {
    for (const path of ['/nowhere', '/login/', '/account-settings', '/assets/missing-0000.js', '/index.html', '/.vite/manifest.json']) {
      const page = await raw(platform.url, path, HTML);
      expect({ path, status: page.status }).toEqual({ path, status: 404 });
      expect(page.body.toString()).toBe(INDEX_HTML);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['vary']).toBe('Accept, Accept-Encoding');
      expectPortalHeaders(page);
      expectJson404(await raw(platform.url, path, { accept: 'application/json' }));
      expectJson404(await raw(platform.url, path));
    }
  });

  it('leaves the API prefixes to the services: their routes answer, their unknown paths keep the JSON 404 even for a browser', async () => {
    expect(JSON.parse((await raw(platform.url, '/.well-known/openid-configuration', HTML)).body.toString())).toEqual({ issuer: 'https://id.tessera.test' });
    expect(JSON.parse((await raw(platform.url, '/admin/api/clients/c1', HTML)).body.toString())).toEqual({ client_id: 'c1' });
    expect(JSON.parse((await raw(platform.url, '/admin/api/clients', HTML)).body.toString())).toEqual({ items: [] });
    expect((await raw(platform.url, '/health/live', HTML)).status).toBe(200);
    for (const path of [
      '/oauth2/token', // POST only
      '/oauth2/nowhere',
      '/auth',
      '/auth/nowhere',
      '/admin/api',
      '/admin/api/',
      '/admin/api/nowhere',
      '/admin/api/clients/c1/nowhere',
      '/admin/%61pi/nowhere',
      '/.well-known/nowhere',
      '/health',
      '/internal/clients',
    ]) {
      expectJson404(await raw(platform.url, path, HTML));
    }
    const posted = await raw(platform.url, '/login', HTML, 'POST');
    expect(posted.status).toBe(404);
    expect(posted.headers['content-type']).toMatch(/^application\/json/);
  });

  it('refuses path traversal, encoded or not: only the files read at start are ever served', async () => {
    for (const path of [
      '/assets/../../etc/passwd',
      '/assets/../secret.txt',
      '/../secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%5c..%5csecret.txt',
      '/assets/%252e%252e/secret.txt',
      '/assets/index-TBNkackV.js%00.png',
      '/..%2f..%2f..%2fetc%2fpasswd',
    ]) {
      for (const headers of [{}, HTML]) {
        const res = await raw(platform.url, path, headers);
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
        expect(res.body.toString()).not.toContain(SECRET);
        expect(res.body.toString()).not.toContain('root:');
      }
    }
  });

  it('reads the build once at start, and says so without a warning', () => {
    const lines = platform.logs.map((line) => JSON.parse(line) as { level: number; msg: string; files?: number });
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
    expect(lines.find((l) => l.msg === 'serving the portal build')).toMatchObject({ files: 5 });
  });

  it('is not served on the internal listener', async () => {
    expectJson404(await raw(platform.internalUrl, '/login', HTML));
    expectJson404(await raw(platform.internalUrl, '/assets/index-TBNkackV.js'));
  });
});

describe('the platform without a portal build', () => {
  let dir: string;
  let platform: Platform;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-portal-missing-'));
    writeFileSync(join(dir, 'favicon.svg'), FAVICON); // a directory without index.html holds no build
    platform = await startPlatform(dir);
  });
  afterAll(async () => {
    await platform?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts, and warns once, naming the directory and the command that builds the portal', () => {
    const warnings = platform.logs.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toContain(dir);
    expect(warnings[0].msg).toContain('npx nx run portal:build');
  });

  it('answers the portal pages with a 503 page saying how to build it, without the server path (that is in the log only)', async () => {
    for (const path of ['/login', '/account/apps', '/']) {
      const res = await raw(platform.url, path, HTML);
      expect({ path, status: res.status }).toEqual({ path, status: 503 });
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body.toString()).toContain('npx nx run portal:build');
      expect(res.body.toString()).not.toContain(dir);
      expect(res.body.toString()).not.toContain(tmpdir());
      expect(res.body.toString()).not.toMatch(/<script|style=/);
      expectPortalHeaders(res);
    }
    expectJson404(await raw(platform.url, '/favicon.svg'));
    expectJson404(await raw(platform.url, '/nowhere'));
    expect((await raw(platform.url, '/health/live')).status).toBe(200);
  });

  it('answers a browser lost on a path that is no portal page with 404 (not 503: the path does not exist, build or not)', async () => {
    for (const path of ['/nowhere', '/index.html', '/callbacks']) {
      const res = await raw(platform.url, path, HTML);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['vary']).toBe('Accept');
      expect(res.body.toString()).toContain('Page not found');
      expect(res.body.toString()).not.toContain(dir);
      expect(res.body.toString()).not.toMatch(/<script|style=/);
      expectPortalHeaders(res);
    }
  });

});
