import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './errors';

/**
 * The bootstrap admin client the CLI signs in as, and its secret's file in the data directory.
 * Copies of CLI_CLIENT_ID and CLI_SECRET_FILE in libs/runtime/src/secrets/cli-client.ts: the CLI
 * imports no server code, so that it stays small and starts in a blink. Change both together.
 */
export const CLI_CLIENT_ID = 'tessera-cli';
export const CLI_SECRET_FILE = 'cli.secret';

/** What the CLI asks for: both admin scopes, for the admin API (RFC 8707 `resource`). */
export const ADMIN_SCOPES = 'admin:read admin:write';
export const ADMIN_API_PATH = '/admin/api';

/**
 * The page size lists are read with. The API allows 200, but `GET /admin/api/users?limit=200`
 * asks the authentication service for 201 and is refused: 100 stays clear of that edge.
 */
export const PAGE_SIZE = 100;

const TIMEOUT_MS = 10_000;

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface AdminApiOptions {
  /** The platform's public origin (TESSERA_URL). */
  url: string;
  /** The tessera-cli client's secret. */
  secret: string;
  /** Where the secret came from, to say so when the token service refuses it. */
  secretSource?: string;
  fetch?: Fetch;
}

/** An answer from the admin API that is an RFC 9457 problem. */
interface ProblemDetails {
  type?: unknown;
  detail?: unknown;
  title?: unknown;
  reason?: unknown;
}

/** Hosts a secret may travel to over plain http: this machine only. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The platform's public origin: TESSERA_URL, else this machine's TESSERA_PORT (3000). */
export function platformUrl(env: NodeJS.ProcessEnv): string {
  const raw = env['TESSERA_URL'] || `http://127.0.0.1:${env['TESSERA_PORT'] || 3000}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`TESSERA_URL must be the platform's public origin, such as https://id.example.com (got ${raw}).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CliError(`TESSERA_URL must be an http(s) URL (got ${raw}).`);
  // The admin API is called with a bearer token, which must not cross a network in the clear.
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) throw new CliError(`TESSERA_URL must be https unless the platform runs on this machine (got ${raw}).`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The tessera-cli secret: TESSERA_CLI_SECRET, else the 0600 file the platform's first start wrote. */
export function cliSecret(env: NodeJS.ProcessEnv): { secret: string; source: string } {
  const fromEnv = env['TESSERA_CLI_SECRET'];
  if (fromEnv) return { secret: fromEnv.trim(), source: 'TESSERA_CLI_SECRET' };
  const file = join(env['TESSERA_DATA_DIR'] || 'var', CLI_SECRET_FILE);
  let secret = '';
  try {
    secret = readFileSync(file, 'utf8').trim();
  } catch {
    // told below
  }
  if (!secret) {
    throw new CliError(
      `No secret for the ${CLI_CLIENT_ID} client: set TESSERA_CLI_SECRET, or TESSERA_DATA_DIR to the platform's data directory (no readable ${file}).`,
    );
  }
  return { secret, source: file };
}

/** The problem's words as one line, with its stable code (the service's `reason`, else the `type`'s last part). */
export function problemMessage(status: number, body: unknown): string {
  const problem = (typeof body === 'object' && body !== null ? body : {}) as ProblemDetails;
  const detail = typeof problem.detail === 'string' && problem.detail ? problem.detail : typeof problem.title === 'string' ? problem.title : `HTTP ${status}`;
  const code = typeof problem.reason === 'string' ? problem.reason : typeof problem.type === 'string' ? problem.type.replace(/^urn:tessera:problem:/, '') : undefined;
  return `${detail.replace(/\s+/g, ' ').trim()}${code ? ` (${code})` : ''}`;
}

/**
 * The admin API as the CLI calls it: a client_credentials token of the tessera-cli client
 * (fetched once per command, kept in memory only, fetched again once if it expires mid-command),
 * JSON in and out, problems turned into one-line errors, lists read to the end.
 */
export class AdminApi {
  private readonly fetch: Fetch;
  private token?: Promise<string>;

  constructor(private readonly options: AdminApiOptions) {
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  static fromEnvironment(env: NodeJS.ProcessEnv = process.env, fetchImpl?: Fetch): AdminApi {
    const url = platformUrl(env);
    const { secret, source } = cliSecret(env);
    return new AdminApi({ url, secret, secretSource: source, fetch: fetchImpl });
  }

  /** One call; the JSON answer (undefined for 204), or a CliError with the problem's detail. */
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body);
    const text = await res.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(`${method} ${ADMIN_API_PATH}${path} answered something other than JSON: is the admin API served at ${this.options.url}${ADMIN_API_PATH}?`);
    }
  }

  /** Every item of a listing, following `next_cursor`, or the first `limit` of them. */
  async list<T = unknown>(path: string, query: Record<string, string | undefined> = {}, limit?: number): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (;;) {
      const size = limit === undefined ? PAGE_SIZE : Math.min(PAGE_SIZE, limit - items.length);
      const page = await this.call<{ items?: T[]; next_cursor?: string }>('GET', withQuery(path, { ...query, limit: String(size), cursor }));
      if (!page || !Array.isArray(page.items)) throw new CliError(`GET ${ADMIN_API_PATH}${path} did not answer a list.`);
      items.push(...page.items);
      cursor = page.next_cursor;
      if (!cursor || (limit !== undefined && items.length >= limit)) break;
      // A cursor seen before would loop for ever: the listing is as complete as it gets.
      if (seen.has(cursor)) break;
      seen.add(cursor);
    }
    return limit === undefined ? items : items.slice(0, limit);
  }

  /** A streamed answer (the audit export), its status checked. */
  async stream(path: string): Promise<Response> {
    return this.send('GET', path, undefined, false);
  }

  private async send(method: string, path: string, body: unknown, wholeAnswer = true): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      const res = await this.request(`${this.options.url}${ADMIN_API_PATH}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json, application/problem+json, application/x-ndjson',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        // A JSON answer must be complete in time; a stream only has to start in time.
        ...(wholeAnswer ? { signal: AbortSignal.timeout(TIMEOUT_MS) } : { headersTimeoutMs: TIMEOUT_MS }),
      });
      if (res.ok) return res;
      const text = await res.text();
      // An admin token lives 300 s: one that ran out during a long command is fetched again, once.
      if (res.status === 401 && attempt === 0) {
        this.token = undefined;
        continue;
      }
      let problem: unknown;
      try {
        problem = JSON.parse(text);
      } catch {
        throw new CliError(
          res.status === 404
            ? `${method} ${ADMIN_API_PATH}${path}: not found, and not an answer of the admin API: is it served at ${this.options.url}${ADMIN_API_PATH}?`
            : `${method} ${ADMIN_API_PATH}${path} answered HTTP ${res.status}.`,
        );
      }
      throw new CliError(problemMessage(res.status, problem));
    }
  }

  private accessToken(): Promise<string> {
    this.token ??= this.fetchToken().catch((err: unknown) => {
      this.token = undefined;
      throw err;
    });
    return this.token;
  }

  /** client_credentials at the token endpoint discovery names (or /oauth2/token), for `<issuer>/admin/api`. */
  private async fetchToken(): Promise<string> {
    const { tokenEndpoint, issuer } = await this.discover();
    const endpoint = new URL(tokenEndpoint);
    if (endpoint.protocol !== 'https:' && !(endpoint.protocol === 'http:' && isLoopback(endpoint.hostname))) {
      throw new CliError(`Refusing to send the ${CLI_CLIENT_ID} secret to ${endpoint.origin}: the token endpoint must be https (plain http only on this machine).`);
    }
    // RFC 6749 §2.3.1: the id and secret are form-encoded before they are joined and base64-encoded.
    const basic = Buffer.from(`${formEncode(CLI_CLIENT_ID)}:${formEncode(this.options.secret)}`).toString('base64');
    const res = await this.request(endpoint.href, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: ADMIN_SCOPES, resource: `${issuer.replace(/\/+$/, '')}${ADMIN_API_PATH}` }).toString(),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    let answer: Record<string, unknown> = {};
    try {
      answer = (await res.json()) as Record<string, unknown>;
    } catch {
      // told below
    }
    if (res.ok && typeof answer['access_token'] === 'string') return answer['access_token'];
    const error = typeof answer['error'] === 'string' ? answer['error'] : `HTTP ${res.status}`;
    const description = typeof answer['error_description'] === 'string' ? ` ${answer['error_description'].replace(/\s+/g, ' ')}` : '';
    const hint = error === 'invalid_client' ? ` Is the secret in ${this.options.secretSource ?? 'TESSERA_CLI_SECRET'} the one this platform uses?` : '';
    throw new CliError(`The token service refused the ${CLI_CLIENT_ID} client (${error}).${description}${hint}`);
  }

  private async discover(): Promise<{ tokenEndpoint: string; issuer: string }> {
    const fallback = { tokenEndpoint: `${this.options.url}/oauth2/token`, issuer: this.options.url };
    const res = await this.request(`${this.options.url}/.well-known/openid-configuration`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) return fallback;
    try {
      const metadata = (await res.json()) as Record<string, unknown>;
      if (typeof metadata['token_endpoint'] === 'string' && typeof metadata['issuer'] === 'string') {
        new URL(metadata['token_endpoint']);
        return { tokenEndpoint: metadata['token_endpoint'], issuer: metadata['issuer'] };
      }
    } catch {
      // not discovery metadata: the default paths
    }
    return fallback;
  }

  private async request(url: string, init: RequestInit & { headersTimeoutMs?: number }): Promise<Response> {
    const { headersTimeoutMs, ...rest } = init;
    const controller = headersTimeoutMs === undefined ? undefined : new AbortController();
    const timer = controller && setTimeout(() => controller.abort(new DOMException('no answer', 'TimeoutError')), headersTimeoutMs);
    try {
      return await this.fetch(url, controller ? { ...rest, signal: controller.signal } : rest);
    } catch (err) {
      const reason = (err as Error).name === 'TimeoutError' ? 'no answer in 10 s' : ((err as { cause?: Error }).cause?.message ?? (err as Error).message);
      throw new CliError(`The platform at ${new URL(url).origin} does not answer (${reason}). Is it running? TESSERA_URL (or TESSERA_PORT) says where.`);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A path with a query string of the values given. */
export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, v);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
