import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { internalCredential, type DatabaseEngine } from '@tessera/runtime';
import { freePort } from './free-port';
import { createPostgresDatabase } from './postgres-database';

const MAIN = resolve(__dirname, '../../../dist/apps/platform/main.js');

export interface RunningPlatform {
  issuer: string;
  internalUrl: string;
  dataDir: string;
  registrationToken: string;
  /** Calls the internal API as the operator. */
  internal<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
  /** Sends SIGTERM and resolves with how the process ended (stop() still cleans up after). */
  terminate(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the process wrote to stdout and stderr (to check what the logs do not contain). */
  output(): string;
}

export interface PlatformOptions {
  engine?: DatabaseEngine;
  env?: Record<string, string>;
  /**
   * The issuer's host name (it listens on 127.0.0.1 either way). `localhost` where WebAuthn is
   * tested (a relying party id is a domain, never an IP address); two platforms in one browser
   * need different host names, since cookies are scoped by host, not port.
   */
  issuerHost?: 'localhost' | '127.0.0.1';
}

/**
 * Launches the built platform (dist/apps/platform/main.js) as a real process on free loopback
 * ports, with its own data directory and, on PostgreSQL, its own database.
 */
export async function startPlatformProcess(options: PlatformOptions = {}): Promise<RunningPlatform> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`nx build platform\` first (the e2e targets depend on it).`);
  const [port, internalPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-e2e-'));
  const issuer = `http://${options.issuerHost ?? '127.0.0.1'}:${port}`;
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    TESSERA_ISSUER: issuer,
    TESSERA_PORT: String(port),
    TESSERA_INTERNAL_PORT: String(internalPort),
    TESSERA_DATA_DIR: dataDir,
    TESSERA_LOG_LEVEL: 'info',
    ...options.env,
  };
  let dropDatabase: (() => Promise<void>) | undefined;
  if (options.engine === 'postgres') {
    const created = await createPostgresDatabase();
    env['DATABASE_URL'] = created.url;
    dropDatabase = created.drop;
    if (process.env['REDIS_URL']) env['REDIS_URL'] = process.env['REDIS_URL'];
  }

  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  await waitUntilReady(child, `http://127.0.0.1:${port}`, () => output);

  const internalUrl = `http://127.0.0.1:${internalPort}`;
  const secret = readFileSync(join(dataDir, 'internal.secret'), 'utf8').trim();
  const credential = internalCredential(secret, 'operator');
  return {
    issuer,
    internalUrl,
    dataDir,
    registrationToken: readFileSync(join(dataDir, 'registration.token'), 'utf8').trim(),
    async internal(method, path, body) {
      const res = await fetch(`${internalUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${credential}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    terminate() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
      return new Promise((resolve) => {
        child.once('exit', (code, signal) => resolve({ code, signal }));
        child.kill('SIGTERM');
      });
    },
    async stop() {
      await stopProcess(child);
      await dropDatabase?.();
      rmSync(dataDir, { recursive: true, force: true });
    },
    output: () => output,
  };
}

async function waitUntilReady(child: ChildProcess, issuer: string, output: () => string) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The platform exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${issuer}/health/ready`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`The platform did not become ready in 20 s:\n${output()}`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

