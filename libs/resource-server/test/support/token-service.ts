import { mkdtempSync, rmSync } from 'node:fs';
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
import { createPostgresDatabase } from '@tessera/test-kit';
import { TokenServiceModule, tokenServiceConfigSchema } from '@tessera/token-service';
import type { ResourceServerOptions } from '../../src';

/** The issuer the token service announces; the tests' fetch sends its URLs to the loopback listener. */
export const ISSUER = 'https://id.tessera.test';
export const ORDERS_API = 'https://api.test/orders';
export const BILLING_API = 'https://api.test/billing';

export interface Client {
  client_id: string;
  client_secret: string;
  basic: string;
}

/** Every outbound call a verifier made, by path (to count discovery, JWKS and introspection calls). */
export class FetchLog {
  readonly calls: Array<{ path: string; method: string; body?: string; authorization?: string; accept?: string }> = [];
  count(path: string): number {
    return this.calls.filter((c) => c.path === path).length;
  }
}

export interface TokenService {
  url: string;
  issuer: string;
  running: RunningHttpApp;
  logs: string[];
  /** Shifts the token service's clock (seconds; negative to issue tokens in the past). */
  shiftClock(seconds: number): void;
  internal(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  client(metadata?: Record<string, unknown>): Promise<Client>;
  /** A confidential client registered as the resource server `identifier`'s own (it may introspect its tokens). */
  resourceServer(identifier: string, metadata?: Record<string, unknown>): Promise<Client>;
  /** client_credentials; `resource` names the API (RFC 8707). */
  token(client: Client, params?: Record<string, string>): Promise<string>;
  revoke(client: Client, token: string): Promise<void>;
  /** Rotates `alg`'s signing key; returns the kid now current. */
  rotateKeys(alg: string): Promise<string>;
  form(path: string, params: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  /** A fetch that reaches this token service for the issuer's URLs, and logs every call. */
  fetch(log?: FetchLog): typeof fetch;
  /** Options for a verifier of `audience`, talking to this token service. */
  options(audience: string | string[], extra?: Partial<ResourceServerOptions>, log?: FetchLog): ResourceServerOptions;
  close(): Promise<void>;
}

export interface StartOptions {
  engine?: DatabaseEngine;
  /** The password grant's credential check: every password is right for `sub` (tests only). */
  passwordGrantSubject?: string;
}

/**
 * The real token service, booted in-process as its own tests boot it (both listeners on
 * loopback, SQLite in a temporary directory, or a database of its own on PostgreSQL), with a
 * clock the tests can shift.
 */
export async function startTokenService(options: StartOptions = {}): Promise<TokenService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-rs-'));
  const database = options.engine === 'postgres' ? await createPostgresDatabase() : undefined;
  const env = {
    TESSERA_ISSUER: ISSUER,
    TESSERA_DATA_DIR: dataDir,
    TESSERA_PORT: '0',
    TESSERA_INTERNAL_PORT: '0',
    TESSERA_LOG_LEVEL: 'info',
    ...(database ? { DATABASE_URL: database.url } : {}),
  };
  const [platformEnv, tokenEnv] = parseEnv(env, platformConfigSchema, tokenServiceConfigSchema);
  const config = toPlatformConfig(platformEnv);
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (logs.push(chunk.toString()), done()) }));
  const internalSecret = randomSecret(32);
  let offsetMs = 0;
  const sub = options.passwordGrantSubject;

  @Module({
    imports: [
      RuntimeModule.forRoot({ config, logger, masterKey: randomSecret(32) }),
      TokenServiceModule.forRoot({
        env: tokenEnv,
        internalSecret,
        clock: () => Date.now() + offsetMs,
        userClaims: { claimsOf: async (s: string) => (s === sub ? { name: 'Ada' } : undefined), rolesOf: async (s: string) => (s === sub ? [] : undefined) },
        ...(sub
          ? {
              credentialCheck: {
                check: async () => ({ outcome: 'authenticated' as const, sub, amr: ['pwd'], authTime: Math.floor(Date.now() / 1000) }),
              },
            }
          : {}),
      }),
    ],
  })
  class TokenServiceTestModule {}

  const { listen } = await createHttpApp(TokenServiceTestModule, { logger });
  const running = await listen({ host: '127.0.0.1', port: 0, internalHost: '127.0.0.1', internalPort: 0 });
  const credential = internalCredential(internalSecret, 'operator');

  const service: TokenService = {
    url: running.publicUrl,
    issuer: ISSUER,
    running,
    logs,
    shiftClock: (seconds) => {
      offsetMs += seconds * 1000;
    },
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
      const res = await service.internal('POST', '/internal/clients', { grant_types: ['client_credentials'], ...metadata });
      if (res.status !== 201) throw new Error(`client registration failed: ${JSON.stringify(res.body)}`);
      const { client_id, client_secret } = res.body as { client_id: string; client_secret: string };
      return { client_id, client_secret, basic: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}` };
    },
    async resourceServer(identifier, metadata = {}) {
      const rsClient = await service.client();
      const res = await service.internal('POST', '/internal/resource-servers', {
        identifier,
        scopes: ['orders:read', 'orders:write'],
        client_id: rsClient.client_id,
        ...metadata,
      });
      if (res.status !== 201) throw new Error(`resource server registration failed: ${JSON.stringify(res.body)}`);
      return rsClient;
    },
    form: (path, params, headers = {}) =>
      fetch(`${running.publicUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(params).toString(),
      }),
    async token(client, params = {}) {
      const res = await service.form('/oauth2/token', { grant_type: 'client_credentials', ...params }, { authorization: client.basic });
      const body = (await res.json()) as Record<string, string>;
      if (res.status !== 200) throw new Error(`token request failed: ${JSON.stringify(body)}`);
      return body['access_token'];
    },
    async revoke(client, token) {
      const res = await service.form('/oauth2/revoke', { token }, { authorization: client.basic });
      if (res.status !== 200) throw new Error(`revocation failed: ${res.status}`);
    },
    async rotateKeys(alg) {
      const res = await service.internal('POST', '/internal/keys/rotate', { alg });
      if (res.status !== 201) throw new Error(`rotation failed: ${JSON.stringify(res.body)}`);
      return (res.body as { rotated: Array<{ kid: string }> }).rotated[0].kid;
    },
    fetch(log) {
      return async (input, init) => {
        const url = new URL(String(input instanceof Request ? input.url : input));
        if (url.origin !== ISSUER) throw new TypeError(`the tests' fetch only reaches ${ISSUER}, not ${url.origin}`);
        const headers = new Headers(init?.headers);
        log?.calls.push({
          path: url.pathname,
          method: init?.method ?? 'GET',
          body: typeof init?.body === 'string' ? init.body : undefined,
          authorization: headers.get('authorization') ?? undefined,
          accept: headers.get('accept') ?? undefined,
        });
        return fetch(`${running.publicUrl}${url.pathname}${url.search}`, init);
      };
    },
    options(audience, extra = {}, log) {
      return { issuer: ISSUER, audience, fetch: service.fetch(log), ...extra };
    },
    async close() {
      await running.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return service;
}

/** The claims of a JWT, read without verifying (to assert what the token service put in). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

export function headerOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8'));
}
