import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import type { Encoding } from './negotiation';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** One file of the build, held in memory with its precomputed compressed variants. */
export interface PortalFile {
  /** Its URL path: `/assets/index-BAoWhxsS.css`. */
  path: string;
  contentType: string;
  body: Buffer;
  /** Strong validator of this representation (RFC 9110 §8.8.3): a digest of the content. */
  etag: string;
  /** Only the codings that came out smaller than the file itself (brotli joins after start: see loadPortalBuild). */
  encoded: ReadonlyMap<Encoding, { body: Buffer; etag: string }>;
}

export interface PortalBuild {
  dir: string;
  /** Unset when the directory holds no build (no index.html): the portal is unavailable. */
  index?: PortalFile;
  /** Every other file, by URL path. The only files ever served: no request path reaches the disk. */
  files: ReadonlyMap<string, PortalFile>;
  /** Settles once every brotli variant exists (they are computed after start). */
  compressed: Promise<void>;
}

export interface BuildLimits {
  maxFiles: number;
  maxBytes: number;
  maxDepth: number;
}

/** A Vite build of the portal is a few hundred kilobytes; these bounds catch a wrong directory. */
export const DEFAULT_BUILD_LIMITS: BuildLimits = { maxFiles: 2000, maxBytes: 64 * 1024 * 1024, maxDepth: 8 };

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export const contentTypeOf = (path: string) => CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';

/** Text compresses; images and fonts (already compressed formats) do not, except SVG. */
const isCompressible = (contentType: string) => /^(text\/|application\/(json|manifest\+json|wasm)|image\/svg\+xml)/.test(contentType);

/**
 * Reads the build once, at start: every file into memory, text also gzip-compressed (level 9,
 * milliseconds). Brotli at quality 11 is the smallest but costs about a second of CPU for a
 * build of this size: it runs after start, one file at a time on one thread-pool thread, and
 * each variant is served once it exists (until then such a client gets gzip). Hidden files
 * (`.vite/`) are left out. A directory without index.html is no build: the result holds nothing.
 */
export async function loadPortalBuild(dir: string, limits: BuildLimits = DEFAULT_BUILD_LIMITS): Promise<PortalBuild> {
  const indexPath = join(dir, 'index.html');
  if (!(await isFile(indexPath))) return { dir, files: new Map(), compressed: Promise.resolve() };
  const read: Array<{ urlPath: string; body: Buffer }> = [];
  let total = 0;
  for (const path of await listFiles(dir, limits)) {
    const body = await readFile(path);
    total += body.length;
    if (total > limits.maxBytes) throw buildError(dir, `it holds more than ${limits.maxBytes} bytes`);
    read.push({ urlPath: `/${relative(dir, path).split(sep).join('/')}`, body });
  }
  const prepared = await Promise.all(read.map(({ urlPath, body }) => prepare(urlPath, body)));
  const files = new Map<string, PortalFile>();
  let index: PortalFile | undefined;
  for (const { file } of prepared) {
    if (file.path === '/index.html') index = file;
    else files.set(file.path, file);
  }
  const compressed = (async () => {
    // A file whose brotli fails (it cannot, short of memory) keeps its gzip: never a rejection nobody handles.
    for (const { addBrotli } of prepared) await addBrotli().catch(() => undefined);
  })();
  return { dir, index, files, compressed };
}

const digestOf = (body: Buffer) => createHash('sha256').update(body).digest('base64url').slice(0, 32);

/** The file with its gzip variant, and the step that adds its brotli one. */
async function prepare(path: string, body: Buffer): Promise<{ file: PortalFile; addBrotli: () => Promise<void> }> {
  const contentType = contentTypeOf(path);
  const digest = digestOf(body);
  const encoded = new Map<Encoding, { body: Buffer; etag: string }>();
  const file: PortalFile = { path, contentType, body, etag: `"${digest}"`, encoded };
  if (!isCompressible(contentType) || body.length === 0) return { file, addBrotli: async () => undefined };
  // Each coding is its own representation, with its own validator.
  const gz = await gzipAsync(body, { level: 9 });
  if (gz.length < body.length) encoded.set('gzip', { body: gz, etag: `"${digest}-gz"` });
  const addBrotli = async () => {
    const br = await brotli(body, {
      params: {
        [zlib.BROTLI_PARAM_QUALITY]: 11,
        [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
        [zlib.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    });
    if (br.length < body.length) encoded.set('br', { body: br, etag: `"${digest}-br"` });
  };
  return { file, addBrotli };
}

async function listFiles(dir: string, limits: BuildLimits): Promise<string[]> {
  const found: string[] = [];
  const walk = async (current: string, depth: number) => {
    if (depth > limits.maxDepth) throw buildError(dir, `it nests directories deeper than ${limits.maxDepth}`);
    const entries = await readdir(current, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(current, entry.name);
      // Symbolic links are followed (a deployment may link its assets), as long as they lead to files or directories.
      const info = await stat(path).catch(() => undefined);
      if (info?.isDirectory()) await walk(path, depth + 1);
      else if (info?.isFile()) {
        found.push(path);
        if (found.length > limits.maxFiles) throw buildError(dir, `it holds more than ${limits.maxFiles} files`);
      }
    }
  };
  await walk(dir, 0);
  return found;
}

const buildError = (dir: string, why: string) =>
  new Error(`The portal build in ${dir} is not one: ${why}. Set TESSERA_PORTAL_DIR to the portal's build directory (npx nx run portal:build writes dist/apps/portal).`);

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}
