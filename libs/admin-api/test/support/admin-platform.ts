import { AuthServiceModule, authServiceConfigSchema, PasswordHasher } from '@tessera/auth-service';
import { startPlatform, TEST_ISSUER } from '@tessera/platform-testing';
import { randomSecret, type DatabaseEngine, type RunningHttpApp } from '@tessera/runtime';
import { TokenServiceModule, tokenServiceConfigSchema } from '@tessera/token-service';
import type { DataSource } from 'typeorm';
import { AdminApiModule, adminApiConfigSchema, ADMIN_API_DATA_SOURCE } from '../../src';

export const ISSUER = TEST_ISSUER;
export const ADMIN_API = `${ISSUER}/admin/api`;
const CLI_SECRET = 'cli-secret-for-the-admin-api-tests-0123456789';
const FAST_HASHER = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

export interface JsonAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export interface AdminPlatform {
  url: string;
  issuer: string;
  running: RunningHttpApp;
  logs: string[];
  /** The operator's internal API (what the admin API itself calls, here to arrange a test). */
  internal(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** A call to the admin API with a bearer token (or none). */
  admin<T = Record<string, unknown>>(token: string | undefined, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<JsonAnswer<T>>;
  /** A token of the bootstrap admin client tessera-cli (client_credentials). */
  cliToken(scope?: string): Promise<string>;
  /** A user (optionally an admin) and a token for the admin API obtained with the password grant. */
  user(input?: { admin?: boolean; scope?: string }): Promise<{ sub: string; email: string; password: string; token: string }>;
  /** A token with the password grant for an existing user. */
  userToken(email: string, password: string, scope?: string): Promise<Record<string, unknown>>;
  adminDataSource(): DataSource;
  close(): Promise<void>;
}

let counter = 0;

/**
 * The token service, the authentication service and the admin API in one process, as the
 * embedded platform runs them (internal calls over the loopback internal listener), on SQLite or
 * PostgreSQL, with the in-process queue or BullMQ when `redisUrl` is given.
 */
export async function startAdminPlatform(options: { engine?: DatabaseEngine; env?: Record<string, string>; clock?: () => number; redisUrl?: string } = {}): Promise<AdminPlatform> {
  const platform = await startPlatform({
    dataDirPrefix: 'tessera-admin-',
    engine: options.engine,
    clock: options.clock,
    redisUrl: options.redisUrl,
    env: { TESSERA_CLI_SECRET: CLI_SECRET, TESSERA_ADMIN_EMAIL: 'admin@example.com', TESSERA_ADMIN_PASSWORD: 'correct horse battery staple', ...options.env },
    schemas: [tokenServiceConfigSchema, authServiceConfigSchema, adminApiConfigSchema],
    modules: ({ service, registrationToken }, [tokenEnv, authEnv, adminEnv]) => [
      TokenServiceModule.forRoot({ env: tokenEnv, registrationToken, ...service }),
      AuthServiceModule.forRoot({ env: authEnv, passwordHasher: FAST_HASHER, ...service }),
      AdminApiModule.forRoot({ env: adminEnv, ...service }),
    ],
  });
  const { running, internal } = platform;
  const form = async (params: Record<string, string>, authorization?: string) => {
    const res = await platform.form('/oauth2/token', params, authorization ? { authorization } : {});
    return (await res.json()) as Record<string, unknown>;
  };
  // A legacy client allowed the password grant and the admin scopes: the quickest way to a user's token in a test.
  const passwordClient = await platform.client({
    grant_types: ['password'],
    token_endpoint_auth_method: 'client_secret_basic',
    allowed_scopes: ['openid', 'admin:read', 'admin:write'],
    default_audience: [ADMIN_API],
  });
  const passwordBasic = passwordClient.basic as string;

  const app: AdminPlatform = {
    url: platform.url,
    issuer: platform.issuer,
    running,
    logs: platform.logs,
    internal,
    async admin(token, method, path, body, headers = {}) {
      const res = await fetch(`${running.publicUrl}/admin/api${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : {};
      } catch {
        // NDJSON and other non-JSON answers stay text.
      }
      return { status: res.status, body: parsed as never, headers: res.headers };
    },
    async cliToken(scope = 'admin:read admin:write') {
      const body = await form({ grant_type: 'client_credentials', scope }, `Basic ${Buffer.from(`tessera-cli:${CLI_SECRET}`).toString('base64')}`);
      if (typeof body['access_token'] !== 'string') throw new Error(`no CLI token: ${JSON.stringify(body)}`);
      return body['access_token'];
    },
    async userToken(email, password, scope = 'admin:read admin:write') {
      return form({ grant_type: 'password', username: email, password, scope }, passwordBasic);
    },
    async user(input = {}) {
      const email = `person${++counter}-${randomSecret(4).toLowerCase()}@example.com`;
      const password = `pw-${randomSecret(12)}`;
      const res = await internal('POST', '/internal/users', { email, password, roles: input.admin ? ['admin'] : [] });
      if (res.status !== 201) throw new Error(`user creation failed: ${JSON.stringify(res.body)}`);
      const tokens = await app.userToken(email, password, input.scope);
      return { sub: res.body['sub'] as string, email, password, token: tokens['access_token'] as string };
    },
    adminDataSource: () => running.app.get<DataSource>(ADMIN_API_DATA_SOURCE),
    close: () => platform.close(),
  };
  return app;
}
