import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Module } from '@nestjs/common';
import pino from 'pino';
import {
  RuntimeModule,
  createHttpApp,
  internalCredential,
  parseEnv,
  platformConfigSchema,
  randomSecret,
  toPlatformConfig,
  type DatabaseEngine,
  type RunningHttpApp,
} from '@tessera/runtime';
import { createPostgresDatabase, TestBrowser } from '@tessera/test-kit';
import { TokenServiceModule, tokenServiceConfigSchema } from '@tessera/token-service';
import type { DataSource } from 'typeorm';
import { AuthServiceModule, authServiceConfigSchema, PasswordHasher } from '../../src';
import { AUTH_SERVICE_DATA_SOURCE } from '../../src/auth-service.tokens';

export const ISSUER = 'https://id.tessera.test';

export interface PlatformApp {
  url: string;
  internalUrl: string;
  issuer: string;
  logs: string[];
  running: RunningHttpApp;
  /** Calls an internal API as the operator. */
  internal(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** A browser whose requests to the issuer reach this app. */
  /** A new browser (cookie jar); `userAgent` is sent with each of its requests. */
  browser(userAgent?: string): TestBrowser;
  /** Creates a user through the internal API (as the CLI does). */
  user(input?: { email?: string; password?: string; claims?: Record<string, unknown>; roles?: string[] }): Promise<{ sub: string; email: string; password: string }>;
  /** The auth-service's DataSource (to look at what it stored). */
  authDataSource(): DataSource;
  /** Events the auth-service wrote to its outbox, oldest first (optionally of one name). */
  outbox(name?: string): Promise<Array<{ name: string; payload: Record<string, unknown> }>>;
  /** Registers a client with the token service. */
  client(metadata?: Record<string, unknown>): Promise<{ client_id: string; client_secret?: string }>;
  close(): Promise<void>;
}

export interface PlatformAppOptions {
  engine?: DatabaseEngine;
  env?: Record<string, string>;
  clock?: () => number;
  /** Default: a cheap argon2id (TEST_HASHER). */
  passwordHasher?: PasswordHasher;
}

/** Cheap argon2id for tests (the production parameters are the benchmark's business). */
export const TEST_HASHER = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

let userCounter = 0;

/**
 * The token service and the authentication service in one process, as the embedded platform
 * runs them: both listeners on loopback, one SQLite directory or one PostgreSQL database (a
 * schema per service), the services talking over the internal listener.
 */
export async function startPlatformApp(options: PlatformAppOptions = {}): Promise<PlatformApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-auth-'));
  const database = options.engine === 'postgres' ? await createPostgresDatabase() : undefined;
  const internalPort = await freePort();
  const env = {
    TESSERA_ISSUER: ISSUER,
    TESSERA_DATA_DIR: dataDir,
    TESSERA_PORT: '0',
    TESSERA_INTERNAL_PORT: String(internalPort),
    TESSERA_LOG_LEVEL: 'info',
    TESSERA_ADMIN_EMAIL: 'admin@example.com',
    TESSERA_ADMIN_PASSWORD: 'correct horse battery staple',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...options.env,
  };
  const [platformEnv, tokenEnv, authEnv] = parseEnv(env, platformConfigSchema, tokenServiceConfigSchema, authServiceConfigSchema);
  const config = toPlatformConfig(platformEnv);
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (logs.push(chunk.toString()), done()) }));
  const internalSecret = randomSecret(32);

  @Module({
    imports: [
      RuntimeModule.forRoot({ config, logger, masterKey: randomSecret(32) }),
      TokenServiceModule.forRoot({ env: tokenEnv, internalSecret, clock: options.clock }),
      AuthServiceModule.forRoot({ env: authEnv, internalSecret, clock: options.clock, passwordHasher: options.passwordHasher ?? TEST_HASHER }),
    ],
  })
  class TestPlatformModule {}

  const { listen } = await createHttpApp(TestPlatformModule, { logger });
  const running = await listen({ host: '127.0.0.1', port: 0, internalHost: '127.0.0.1', internalPort });
  const credential = internalCredential(internalSecret, 'operator');
  const internal: PlatformApp['internal'] = async (method, path, body) => {
    const res = await fetch(`${running.internalUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${credential}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  };
  return {
    url: running.publicUrl,
    internalUrl: running.internalUrl,
    issuer: ISSUER,
    logs,
    running,
    internal,
    browser: (userAgent) => new TestBrowser({ [ISSUER]: running.publicUrl }, userAgent),
    authDataSource: () => running.app.get<DataSource>(AUTH_SERVICE_DATA_SOURCE),
    async outbox(name) {
      const ds = running.app.get<DataSource>(AUTH_SERVICE_DATA_SOURCE);
      const rows = (await ds.query('SELECT "name", "payload" FROM "outbox" ORDER BY "occurred_at", "id"')) as Array<{ name: string; payload: string }>;
      return rows.filter((r) => name === undefined || r.name === name).map((r) => ({ name: r.name, payload: JSON.parse(r.payload) as Record<string, unknown> }));
    },
    async user(input = {}) {
      const email = input.email ?? `user${++userCounter}-${randomSecret(4).toLowerCase()}@example.com`;
      const password = input.password ?? `pw-${randomSecret(12)}`;
      const res = await internal('POST', '/internal/users', { email, password, claims: input.claims, roles: input.roles });
      if (res.status !== 201) throw new Error(`user creation failed: ${JSON.stringify(res.body)}`);
      return { sub: res.body['sub'] as string, email, password };
    },
    async client(metadata = {}) {
      const res = await internal('POST', '/internal/clients', {
        redirect_uris: ['https://app.example.com/cb'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        scope: 'openid profile email offline_access',
        ...metadata,
      });
      if (res.status !== 201) throw new Error(`client registration failed: ${JSON.stringify(res.body)}`);
      return res.body as { client_id: string; client_secret?: string };
    },
    async close() {
      await running.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
