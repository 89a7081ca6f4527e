import { randomSecret, type DatabaseEngine, type RunningHttpApp } from '@tessera/runtime';
import type { TestBrowser } from '@tessera/test-kit';
import { startPlatform, TEST_ISSUER } from '@tessera/platform-testing';
import { TokenServiceModule, tokenServiceConfigSchema } from '@tessera/token-service';
import type { DataSource } from 'typeorm';
import { AuthServiceModule, authServiceConfigSchema, PasswordHasher } from '../../src';
import { AUTH_SERVICE_DATA_SOURCE } from '../../src/auth-service.tokens';

export const ISSUER = TEST_ISSUER;

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
  const platform = await startPlatform({
    dataDirPrefix: 'tessera-auth-',
    engine: options.engine,
    clock: options.clock,
    env: { TESSERA_ADMIN_EMAIL: 'admin@example.com', TESSERA_ADMIN_PASSWORD: 'correct horse battery staple', ...options.env },
    schemas: [tokenServiceConfigSchema, authServiceConfigSchema],
    modules: ({ service, registrationToken }, [tokenEnv, authEnv]) => [
      TokenServiceModule.forRoot({ env: tokenEnv, registrationToken, ...service }),
      AuthServiceModule.forRoot({ env: authEnv, passwordHasher: options.passwordHasher ?? TEST_HASHER, ...service }),
    ],
  });
  const { running, internal } = platform;
  const authDataSource = () => running.app.get<DataSource>(AUTH_SERVICE_DATA_SOURCE);
  return {
    url: platform.url,
    internalUrl: platform.internalUrl,
    issuer: platform.issuer,
    logs: platform.logs,
    running,
    internal,
    browser: platform.browser,
    authDataSource,
    async outbox(name) {
      const rows = (await authDataSource().query('SELECT "name", "payload" FROM "outbox" ORDER BY "occurred_at", "id"')) as Array<{ name: string; payload: string }>;
      return rows.filter((r) => name === undefined || r.name === name).map((r) => ({ name: r.name, payload: JSON.parse(r.payload) as Record<string, unknown> }));
    },
    async user(input = {}) {
      const email = input.email ?? `user${++userCounter}-${randomSecret(4).toLowerCase()}@example.com`;
      const password = input.password ?? `pw-${randomSecret(12)}`;
      const res = await internal('POST', '/internal/users', { email, password, claims: input.claims, roles: input.roles });
      if (res.status !== 201) throw new Error(`user creation failed: ${JSON.stringify(res.body)}`);
      return { sub: res.body['sub'] as string, email, password };
    },
    client: (metadata = {}) =>
      platform.client({
        redirect_uris: ['https://app.example.com/cb'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        scope: 'openid profile email offline_access',
        ...metadata,
      }),
    close: () => platform.close(),
  };
}
