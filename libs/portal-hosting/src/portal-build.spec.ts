import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { contentTypeOf, loadPortalBuild } from './portal-build';

describe('loadPortalBuild', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-portal-build-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (path: string, content: string | Buffer) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  };

  it('reads every file once, by URL path, with brotli and gzip variants of text that compresses', async () => {
    const script = 'console.log("tessera");\n'.repeat(200);
    write('index.html', '<!doctype html><title>T</title>');
    write('assets/index-abc.js', script);
    write('assets/deep/chunk-x.js', 'x');
    write('favicon.svg', '<svg/>');
    write('logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    write('.vite/manifest.json', '{}');

    const build = await loadPortalBuild(dir);
    expect(build.index?.contentType).toBe('text/html; charset=utf-8');
    expect([...build.files.keys()].sort()).toEqual(['/assets/deep/chunk-x.js', '/assets/index-abc.js', '/favicon.svg', '/logo.png']);
    const js = build.files.get('/assets/index-abc.js');
    // gzip is there at start; brotli (quality 11, slow) joins once computed after start.
    expect([...(js?.encoded.keys() ?? [])]).toEqual(['gzip']);
    await build.compressed;
    expect([...(js?.encoded.keys() ?? [])].sort()).toEqual(['br', 'gzip']);
    expect(brotliDecompressSync(js?.encoded.get('br')?.body ?? Buffer.alloc(0)).toString()).toBe(script);
    expect(gunzipSync(js?.encoded.get('gzip')?.body ?? Buffer.alloc(0)).toString()).toBe(script);
    // A coding that would not make the file smaller is not kept; images are not compressed at all.
    expect(build.files.get('/assets/deep/chunk-x.js')?.encoded.size).toBe(0);
    expect(build.files.get('/logo.png')?.encoded.size).toBe(0);
  });

  it('gives equal content equal ETags and different content different ones', async () => {
    write('index.html', 'same');
    write('a.txt', 'same');
    write('b.txt', 'other');
    const build = await loadPortalBuild(dir);
    expect(build.files.get('/a.txt')?.etag).toBe(build.index?.etag);
    expect(build.files.get('/b.txt')?.etag).not.toBe(build.index?.etag);
  });

  it('is no build without index.html, or without the directory', async () => {
    write('assets/index-abc.js', 'x');
    expect(await loadPortalBuild(dir)).toEqual({ dir, files: new Map(), compressed: expect.any(Promise) });
    expect(await loadPortalBuild(join(dir, 'missing'))).toEqual({ dir: join(dir, 'missing'), files: new Map(), compressed: expect.any(Promise) });
  });

  it('refuses a directory that cannot be a portal build (too many files, too large, too deep)', async () => {
    write('index.html', 'x'.repeat(100));
    write('a/b/c/d.txt', 'x');
    await expect(loadPortalBuild(dir, { maxFiles: 1, maxBytes: 1e6, maxDepth: 8 })).rejects.toThrow(/more than 1 files.*TESSERA_PORTAL_DIR/);
    await expect(loadPortalBuild(dir, { maxFiles: 10, maxBytes: 50, maxDepth: 8 })).rejects.toThrow(/more than 50 bytes/);
    await expect(loadPortalBuild(dir, { maxFiles: 10, maxBytes: 1e6, maxDepth: 2 })).rejects.toThrow(/deeper than 2/);
  });

  it('follows symbolic links to files and leaves dangling ones out', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'tessera-portal-linked-'));
    try {
      write('index.html', 'x');
      writeFileSync(join(elsewhere, 'logo.svg'), '<svg/>');
      symlinkSync(join(elsewhere, 'logo.svg'), join(dir, 'logo.svg'));
      symlinkSync(join(dir, 'missing'), join(dir, 'dangling.svg'));
      const build = await loadPortalBuild(dir);
      expect([...build.files.keys()]).toEqual(['/logo.svg']);
      expect(build.files.get('/logo.svg')?.body.toString()).toBe('<svg/>');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('contentTypeOf', () => {
  it.each([
    ['/index.html', 'text/html; charset=utf-8'],
    ['/assets/a.JS', 'text/javascript; charset=utf-8'],
    ['/assets/a.css', 'text/css; charset=utf-8'],
    ['/favicon.svg', 'image/svg+xml'],
    ['/assets/font.woff2', 'font/woff2'],
    ['/unknown.bin', 'application/octet-stream'],
    ['/noextension', 'application/octet-stream'],
  ])('%s → %s', (path, type) => {
    expect(contentTypeOf(path)).toBe(type);
  });
});
