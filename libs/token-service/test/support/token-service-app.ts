import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import IORedis from 'ioredis';
import pino from 'pino';
import { Writable } from 'node:stream';
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
  type OutboundHttpClient,
} from '@tessera/runtime';
import { createPostgresDatabase } from '@tessera/test-kit';
import { TokenServiceModule, tokenServiceConfigSchema } from '../../src';
import { UserClaimsSource } from '../../src/ports/user-claims.source';
import type { CredentialCheck } from '../../src/ports/credential-check';

export interface TestApp {
  url: string;
  /** The data directory (generated secret files live there). */
  dataDir: string;
  internalUrl: string;
  issuer: string;
  registrationToken: string;
  running: RunningHttpApp;
  /** Every log line written so far. */
  logs: string[];
  /** POST a form to a public endpoint. */
  form(path: string, params: Record<string, string> | URLSearchParams | string, headers?: Record<string, string>): Promise<Response>;
  internal(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** The operator's `Authorization` header for the internal API, for requests internal() cannot make. */
  internalAuthorization: string;
  /** Registers a client through the internal API; returns its id and secret. */
  client(metadata?: Record<string, unknown>): Promise<{ client_id: string; client_secret: string; basic: string }>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  engine?: DatabaseEngine;
  env?: Record<string, string>;
  clock?: () => number;
  /** Users' claims, as the authentication service would answer them (default: a directory that knows nobody). */
  userClaims?: UserClaimsSource;
  /** The outbound HTTP client (default: the production one, which refuses loopback addresses). */
  outbound?: OutboundHttpClient;
  /** The password grant's credential check (default: the HTTP adapter to TESSERA_AUTH_SERVICE_URL or the own internal listener). */
  credentialCheck?: CredentialCheck;
  /** The platform's internal secret (default: a random one), for tests playing a peer service. */
  internalSecret?: string;
  /** The captured log's level (default info); `trace` to see every line the service can write. */
  logLevel?: string;
}

/** A user directory in memory, standing in for the authentication service's internal API. */
export class InMemoryUserClaims extends UserClaimsSource {
  readonly users = new Map<string, Record<string, unknown>>();
  /** How many times the token service asked (to observe its cache). */
  lookups = 0;
  /** Roles by user; a user listed in `users` without an entry here has none. */
  readonly roles = new Map<string, string[]>();
  async claimsOf(sub: string) {
    this.lookups++;
    return this.users.get(sub);
  }
  async rolesOf(sub: string) {
    return this.users.has(sub) ? (this.roles.get(sub) ?? []) : undefined;
  }
}

/**
 * The token service booted in-process exactly as the platform boots it (both listeners, the
 * real filters and guards) on ephemeral loopback ports, in a temporary SQLite file or a private
 * PostgreSQL database schema.
 */
export async function startTokenService(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-int-'));
  const database = options.engine === 'postgres' ? await createPostgresDatabase() : undefined;
  const issuer = 'https://id.tessera.test';
  const registrationToken = `tsr_iat_${randomSecret(32)}`;
  const env = {
    TESSERA_ISSUER: issuer,
    TESSERA_DATA_DIR: dataDir,
    TESSERA_PORT: '0',
    TESSERA_INTERNAL_PORT: '0',
    TESSERA_REGISTRATION_TOKEN: registrationToken,
    TESSERA_LOG_LEVEL: 'info',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...options.env,
  };
  const [platformEnv, tokenEnv] = parseEnv(env, platformConfigSchema, tokenServiceConfigSchema);
  const config = toPlatformConfig(platformEnv);
  const logs: string[] = [];
  const logger = pino({ level: options.logLevel ?? 'info' }, new Writable({ write: (chunk, _enc, done) => (logs.push(chunk.toString()), done()) }));
  const internalSecret = options.internalSecret ?? randomSecret(32);
  // REDIS_URL in `env`: BullMQ queues and Redis pub/sub, under a namespace of this app's own.
  const redisPrefix = config.redisUrl ? `t-token-service-${randomBytes(4).toString('hex')}` : undefined;

  @Module({
    imports: [
      // TESSERA_MASTER_KEY in `env` (a restart on the same database must decrypt its signing keys).
      RuntimeModule.forRoot({ config, logger, masterKey: config.masterKey ?? randomSecret(32) }),
      TokenServiceModule.forRoot({
        env: tokenEnv,
        internalSecret,
        registrationToken,
        clock: options.clock,
        userClaims: options.userClaims ?? new InMemoryUserClaims(),
        outbound: options.outbound,
        credentialCheck: options.credentialCheck,
        redisUrl: config.redisUrl,
        redisPrefix,
      }),
    ],
  })
  class TestRootModule {}

  const { listen } = await createHttpApp(TestRootModule, { logger });
  const running = await listen({ host: '127.0.0.1', port: 0, internalHost: '127.0.0.1', internalPort: 0 });
  const credential = internalCredential(internalSecret, 'operator');

  const app: TestApp = {
    url: running.publicUrl,
    dataDir,
    internalUrl: running.internalUrl,
    issuer,
    registrationToken,
    running,
    logs,
    internalAuthorization: `Bearer ${credential}`,
    form: (path, params, headers = {}) =>
      fetch(`${running.publicUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: typeof params === 'string' ? params : new URLSearchParams(params as Record<string, string>).toString(),
      }),
    async internal(method, path, body) {
      const res = await fetch(`${running.internalUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${credential}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : {} };
    },
    async client(metadata = {}) {
      const res = await app.internal('POST', '/internal/clients', { grant_types: ['client_credentials'], ...metadata });
      if (res.status !== 201) throw new Error(`client registration failed: ${JSON.stringify(res.body)}`);
      const { client_id, client_secret } = res.body as { client_id: string; client_secret: string };
      return { client_id, client_secret, basic: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}` };
    },
    async close() {
      await running.close();
      if (config.redisUrl && redisPrefix) await dropRedisNamespace(config.redisUrl, redisPrefix);
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return app;
}


async function dropRedisNamespace(redisUrl: string, prefix: string): Promise<void> {
  const redis = new IORedis(redisUrl);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    await redis.quit();
  }
}
