import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Module, type DynamicModule } from '@nestjs/common';
import IORedis from 'ioredis';
import pino from 'pino';
import type { z } from 'zod';
import {
  RuntimeModule,
  createHttpApp,
  internalCredential,
  parseEnv,
  platformConfigSchema,
  randomSecret,
  toPlatformConfig,
  type DatabaseEngine,
  type PlatformConfig,
  type RunningHttpApp,
} from '@tessera/runtime';
import { createPostgresDatabase, TestBrowser } from '@tessera/test-kit';

/** The issuer the harness announces by default (the tests' browsers and fetches map it to loopback). */
export const TEST_ISSUER = 'https://id.tessera.test';

type Schemas = readonly z.ZodObject<z.ZodRawShape>[];

/** What every service module's `forRoot` takes from the platform, as the platform passes it. */
export interface PlatformServiceOptions {
  internalSecret: string;
  clock?: () => number;
  redisUrl?: string;
  /** A Redis namespace of this harness's own (removed at close), when `redisUrl` is set. */
  redisPrefix?: string;
}

/** Handed to `modules`, like runtime's LaunchContext. */
export interface PlatformContext {
  config: PlatformConfig;
  /** Spread into each service's `forRoot` options. */
  service: PlatformServiceOptions;
  /** The generated bootstrap initial access token (the token service's `registrationToken`). */
  registrationToken: string;
}

export interface StartPlatformOptions<S extends Schemas> {
  /**
   * The services' config schemas and modules, composed as apps/platform composes them with
   * runtime's `launch` (the harness does not import any service: a service's own tests may use it
   * without a project cycle).
   */
  schemas: S;
  modules: (ctx: PlatformContext, envs: { [K in keyof S]: z.infer<S[K]> }) => DynamicModule[];
  /** sqlite (a temporary data directory, the default) or postgres (a database of its own, dropped at close). */
  engine?: DatabaseEngine;
  /** Environment overrides (on top of issuer, data dir, loopback ports, log level and DATABASE_URL). */
  env?: Record<string, string>;
  /** The services' clock (e.g. test-kit's `FakeClock.now`); default the real one. */
  clock?: () => number;
  /** Redis for BullMQ queues and pub/sub (default: REDIS_URL in `env`, else the in-process queue). */
  redisUrl?: string;
  /** The platform's internal secret (default: a random one). */
  internalSecret?: string;
  /** The captured log's level (default info). */
  logLevel?: string;
  /** The prefix of the temporary data directory's name. */
  dataDirPrefix?: string;
}

export interface PlatformHarness {
  /** The public listener. */
  url: string;
  /** The internal listener (fixed before boot, as services calling each other need it). */
  internalUrl: string;
  issuer: string;
  dataDir: string;
  registrationToken: string;
  internalSecret: string;
  running: RunningHttpApp;
  /** Every log line written so far. */
  logs: string[];
  /** The operator's `Authorization` header for the internal API, for requests internal() cannot make. */
  internalAuthorization: string;
  /** Calls an internal API as the operator. */
  internal(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** POSTs a form to a public endpoint. */
  form(path: string, params: Record<string, string> | URLSearchParams | string, headers?: Record<string, string>): Promise<Response>;
  /** Registers a client through the internal API with exactly `metadata`; `basic` when it has a secret. */
  client(metadata: Record<string, unknown>): Promise<{ client_id: string; client_secret?: string; basic?: string }>;
  /** A new browser (cookie jar) whose requests to the issuer reach this platform; `userAgent` is sent with each. */
  browser(userAgent?: string): TestBrowser;
  /** Stops the listeners, then removes the Redis namespace, the PostgreSQL database and the data directory. */
  close(): Promise<void>;
}

/**
 * Service modules booted in-process exactly as the platform boots them (RuntimeModule, both
 * listeners, the real filters and guards) on loopback, in a temporary SQLite directory or a private
 * PostgreSQL database, with the logs captured.
 */
export async function startPlatform<const S extends Schemas>(options: StartPlatformOptions<S>): Promise<PlatformHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), options.dataDirPrefix ?? 'tessera-platform-'));
  const database = options.engine === 'postgres' ? await createPostgresDatabase() : undefined;
  const internalPort = await freeLoopbackPort();
  const env: Record<string, string> = {
    TESSERA_ISSUER: TEST_ISSUER,
    TESSERA_DATA_DIR: dataDir,
    TESSERA_PORT: '0',
    TESSERA_INTERNAL_PORT: String(internalPort),
    TESSERA_LOG_LEVEL: 'info',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...options.env,
  };
  const [platformEnv, ...serviceEnvs] = parseEnv(env, platformConfigSchema, ...options.schemas);
  const config = toPlatformConfig(platformEnv as z.infer<typeof platformConfigSchema>);
  const issuer = config.issuer;
  const logs: string[] = [];
  const logger = pino({ level: options.logLevel ?? 'info' }, new Writable({ write: (chunk, _enc, done) => (logs.push(chunk.toString()), done()) }));
  const internalSecret = options.internalSecret ?? randomSecret(32);
  const registrationToken = env['TESSERA_REGISTRATION_TOKEN'] ?? `tsr_iat_${randomSecret(32)}`;
  const redisUrl = options.redisUrl ?? config.redisUrl;
  const redisPrefix = redisUrl ? `t-platform-${randomBytes(4).toString('hex')}` : undefined;
  const ctx: PlatformContext = { config, registrationToken, service: { internalSecret, clock: options.clock, redisUrl, redisPrefix } };

  @Module({
    imports: [
      // TESSERA_MASTER_KEY in `env`: a test that restarts on the same data, or rotates the key.
      RuntimeModule.forRoot({ config, logger, masterKey: config.masterKey ?? randomSecret(32) }),
      ...options.modules(ctx, serviceEnvs as { [K in keyof S]: z.infer<S[K]> }),
    ],
  })
  class TestPlatformModule {}

  const { listen } = await createHttpApp(TestPlatformModule, { logger });
  const running = await listen({ host: '127.0.0.1', port: 0, internalHost: '127.0.0.1', internalPort });
  const internalAuthorization = `Bearer ${internalCredential(internalSecret, 'operator')}`;

  const harness: PlatformHarness = {
    url: running.publicUrl,
    internalUrl: running.internalUrl,
    issuer,
    dataDir,
    registrationToken,
    internalSecret,
    running,
    logs,
    internalAuthorization,
    async internal(method, path, body) {
      const res = await fetch(`${running.internalUrl}${path}`, {
        method,
        headers: { authorization: internalAuthorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : {} };
    },
    form: (path, params, headers = {}) =>
      fetch(`${running.publicUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: typeof params === 'string' ? params : new URLSearchParams(params as Record<string, string>).toString(),
      }),
    async client(metadata) {
      const res = await harness.internal('POST', '/internal/clients', metadata);
      if (res.status !== 201) throw new Error(`client registration failed: ${JSON.stringify(res.body)}`);
      const { client_id, client_secret } = res.body as { client_id: string; client_secret?: string };
      return {
        ...(res.body as Record<string, unknown>),
        client_id,
        client_secret,
        basic: client_secret === undefined ? undefined : `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`,
      };
    },
    browser: (userAgent) => new TestBrowser({ [issuer]: running.publicUrl }, userAgent),
    async close() {
      await running.close();
      if (redisUrl && redisPrefix) await dropRedisNamespace(redisUrl, redisPrefix);
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A port free on loopback now (the internal listener's, which the services must know before boot). */
export function freeLoopbackPort(): Promise<number> {
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

/** Removes the harness's keys; a Redis that is gone by now (a test stopped it) has nothing to remove. */
async function dropRedisNamespace(redisUrl: string, prefix: string): Promise<void> {
  const redis = new IORedis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } catch {
    // Nothing reachable to clean.
  } finally {
    redis.disconnect();
  }
}
