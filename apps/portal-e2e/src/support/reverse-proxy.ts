import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@tessera/test-kit';
import { NGINX_BINARY } from './nginx';

const NGINX_DIR = resolve(__dirname, '../../../../docker/nginx');

/** The upstream groups docker/nginx/nginx.conf proxies to, each a list of `host:port` replicas. */
export interface ReverseProxyUpstreams {
  token_service: string[];
  auth_service: string[];
  admin_api: string[];
}

/** One line of nginx.conf's JSON access log. */
export interface AccessLogEntry {
  client: string;
  method: string;
  path: string;
  status: number;
  /** The upstream group the request went to (`token_service`...), '' when nginx answered itself. */
  service: string;
  /** The replica(s) tried, `a, b` when nginx moved on to the next one. */
  upstream: string;
}

export interface RunningReverseProxy {
  url: string;
  port: number;
  /** Every access log line nginx wrote so far, parsed. */
  accessLog(): AccessLogEntry[];
  /** The access log's raw text (to check what it never contains). */
  rawAccessLog(): string;
  /** The first access log entry for `method path` after `since` entries, waiting for nginx to write it. */
  logEntry(method: string, path: string, since?: number): Promise<AccessLogEntry>;
  errors(): string;
  stop(): Promise<void>;
}

/**
 * Debian's nginx running docker/nginx/nginx.conf itself (the production file, not a copy of its
 * locations) on a loopback port, as tools/cluster runs it: beside it the portal's configuration,
 * an upstreams.conf naming the given replicas and a site.conf with the port and the portal
 * build as root, and the access log in a file there. A master and its workers, in the foreground.
 */
export async function startReverseProxy(options: {
  upstreams: ReverseProxyUpstreams;
  root: string;
}): Promise<RunningReverseProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-proxy-'));
  // The workers (nobody, when the tests run as root) create their temporary files under the prefix.
  chmodSync(dir, 0o755);
  for (const file of ['nginx.conf', 'portal.conf', 'portal-headers.conf'])
    copyFileSync(join(NGINX_DIR, file), join(dir, file));
  const port = await freePort();
  // The shape of docker/nginx/upstreams.compose.conf, with loopback replicas.
  const upstream = (name: keyof ReverseProxyUpstreams) =>
    [
      `upstream ${name} {`,
      ...options.upstreams[name].map((server) => `    server ${server} max_fails=2 fail_timeout=5s;`),
      '    keepalive 8;',
      '    keepalive_timeout 4s;',
      '}',
      '',
    ].join('\n');
  writeFileSync(
    join(dir, 'upstreams.conf'),
    (['token_service', 'auth_service', 'admin_api'] as const).map(upstream).join('\n'),
  );
  writeFileSync(
    join(dir, 'site.conf'),
    `listen 127.0.0.1:${port};\nroot ${options.root};\naccess_log ${dir}/access.log tessera;\n`,
  );

  const child: ChildProcess = spawn(
    NGINX_BINARY,
    ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let errors = '';
  child.stdout?.on('data', (d) => (errors += d));
  child.stderr?.on('data', (d) => (errors += d));
  const access = () =>
    existsSync(join(dir, 'access.log')) ? readFileSync(join(dir, 'access.log'), 'utf8') : '';
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      await new Promise<void>((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    let failure: string | undefined;
    if (child.exitCode !== null) failure = `nginx exited with ${child.exitCode}: ${errors}`;
    else if (Date.now() > deadline) failure = `nginx did not start: ${errors}`;
    if (failure) {
      await stop();
      throw new Error(failure);
    }
    try {
      await fetch(`${url}/favicon.svg`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const accessLog = () =>
    access()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as AccessLogEntry);
  return {
    url,
    port,
    accessLog,
    rawAccessLog: access,
    async logEntry(method, path, since = 0) {
      const until = Date.now() + 3000;
      for (;;) {
        const entry = accessLog()
          .slice(since)
          .find((e) => e.method === method && e.path === path);
        if (entry) return entry;
        if (Date.now() > until) throw new Error(`no access log entry for ${method} ${path}:\n${access()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    errors: () => errors,
    stop,
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * An HTTP request from a chosen loopback source address (fetch cannot pick one): how the tests
 * play a client that is not the proxy (127.0.0.2) and check which address a service believes.
 */
export function requestFrom(
  localAddress: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, localAddress }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
