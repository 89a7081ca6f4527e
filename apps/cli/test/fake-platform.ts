import { Writable } from 'node:stream';
import { AdminApi, type Fetch } from '../src/admin-api';
import type { Context } from '../src/commands';
import type { InternalApi } from '../src/internal-api';

export const URL_ = 'http://127.0.0.1:3999';
export const SECRET = 'tsr_cs_test-secret/with+form&chars';

export interface SeenRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

type Answer = { status?: number; body?: unknown; text?: string; contentType?: string };
type Route = (req: SeenRequest) => Answer | Promise<Answer>;

/**
 * The platform as the CLI sees it, without a network: discovery, the token endpoint (which
 * checks the tessera-cli secret and counts the tokens it issues), and admin API routes a test
 * declares as `'GET /admin/api/clients'`. Every request is kept for the test to look at.
 */
export class FakePlatform {
  readonly requests: SeenRequest[] = [];
  tokensIssued = 0;
  private readonly routes = new Map<string, Route>();
  /** Tokens the admin API refuses as expired from now on. */
  readonly expired = new Set<string>();

  constructor(readonly issuer = URL_) {
    this.route('GET /.well-known/openid-configuration', () => ({ body: { issuer: this.issuer, token_endpoint: `${this.issuer}/oauth2/token` } }));
    this.route('POST /oauth2/token', (req) => {
      const expected = `Basic ${Buffer.from(`tessera-cli:${encodeURIComponent(SECRET).replace(/%20/g, '+')}`).toString('base64')}`;
      if (req.headers.get('authorization') !== expected) return { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed.' } };
      return { body: { access_token: `token-${++this.tokensIssued}`, token_type: 'Bearer', expires_in: 300, scope: 'admin:read admin:write' } };
    });
  }

  route(key: string, handler: Route): this {
    this.routes.set(key, handler);
    return this;
  }

  readonly fetch: Fetch = async (input, init = {}) => {
    const url = new URL(input);
    const req: SeenRequest = { method: init.method ?? 'GET', url, headers: new Headers(init.headers as Record<string, string>), body: typeof init.body === 'string' ? init.body : '' };
    this.requests.push(req);
    if (url.pathname.startsWith('/admin/api/')) {
      const token = req.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
      if (!/^token-\d+$/.test(token) || this.expired.has(token)) {
        return problem(401, { type: 'urn:tessera:problem:invalid_token', title: 'Not authenticated', status: 401, detail: 'The access token is not one this API accepts.' });
      }
    }
    const handler = this.routes.get(`${req.method} ${url.pathname}`);
    if (!handler) return problem(404, { type: 'urn:tessera:problem:not_found', title: 'Not found', status: 404, detail: `No route ${req.method} ${url.pathname}.` });
    const answer = await handler(req);
    const status = answer.status ?? 200;
    if (answer.text !== undefined) return new Response(answer.text, { status, headers: { 'content-type': answer.contentType ?? 'text/plain' } });
    if (answer.body === undefined) return new Response(null, { status });
    return new Response(JSON.stringify(answer.body), { status, headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' } });
  };

  /** The admin API requests (not discovery or the token endpoint). */
  adminRequests(): SeenRequest[] {
    return this.requests.filter((r) => r.url.pathname.startsWith('/admin/api/'));
  }

  api(): AdminApi {
    return new AdminApi({ url: this.issuer, secret: SECRET, fetch: this.fetch });
  }
}

function problem(status: number, body: Record<string, unknown>): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json' } });
}

export interface FakeTerminal {
  ctx: Context;
  stdout(): string;
  stderr(): string;
  /** What the fake clock slept, in order. */
  slept: number[];
}

/** A Context over a fake platform: output captured, a clock that moves only when the command sleeps. */
export function fakeTerminal(platform: FakePlatform, internal?: InternalApi): FakeTerminal {
  let stdout = '';
  let stderr = '';
  const out = new Writable({ write: (chunk, _encoding, done) => ((stdout += chunk), done()) });
  const err = new Writable({ write: (chunk, _encoding, done) => ((stderr += chunk), done()) });
  const slept: number[] = [];
  let now = Date.parse('2026-11-28T09:00:00Z');
  const api = platform.api();
  return {
    ctx: {
      admin: () => api,
      internal: () => {
        if (!internal) throw new Error('no internal API in this test');
        return internal;
      },
      stdout: out,
      stderr: err,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
      now: () => now,
    },
    stdout: () => stdout,
    stderr: () => stderr,
    slept,
  };
}
