import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { blockedAddressReason } from './address-policy';
import { OutboundHttpError, redactUrl } from './outbound-http-error';

export interface OutboundHttpClientOptions {
  /** One deadline per request covering DNS, connect, TLS, headers and body. Default 5000 ms. */
  timeoutMs?: number;
  /** The largest response body accepted, in bytes. Default 512 KiB. */
  maxBodyBytes?: number;
  /** Allow `http:` URLs (tests, loopback). Default: https only. */
  allowHttp?: boolean;
  /** Allow loopback, private and other special-purpose addresses (tests). Default: refused. */
  allowPrivateAddresses?: boolean;
  /** Certificates to trust instead of Node's default CA store (tests). Verification is never disabled. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** The User-Agent header. Default `Tessera`. */
  userAgent?: string;
}

export interface OutboundRequestOptions {
  headers?: Record<string, string>;
  /** Overrides the client's `maxBodyBytes` for this request. */
  maxBodyBytes?: number;
  /** Aborts the request; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The body decoded as UTF-8. */
  text(): string;
  /** The body parsed as JSON; throws `OutboundHttpError('bad_body')` if it is not JSON. */
  json(): unknown;
}

/** A `fetch`-compatible function (e.g. for openid-client's `customFetch`) that follows the same rules. */
export type OutboundFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Resolves a hostname to every address it has (as `dns.lookup(host, { all: true })`). */
export type AddressResolver = (hostname: string) => Promise<LookupAddress[]>;

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_BODY_BYTES = 512 * 1024;
const REFUSED = 'outbound requests to private and special-purpose addresses are refused';
/** Error codes of certificate verification and of the TLS layer. */
const TLS_ERROR_CODE =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$|INVALID_CA$|INVALID_PURPOSE$|PATH_LENGTH_EXCEEDED$|EPROTO$)/;

const systemResolver: AddressResolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/**
 * A `lookup` for `http.request` that resolves the hostname itself and refuses the connection
 * if ANY address it resolves to is private or special-purpose, so that the address connected
 * to is one that was checked (no DNS rebinding between check and connect).
 */
export function guardedLookup(safeUrl: string, resolve: AddressResolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) =>
        process.nextTick(() => {
          for (const { address } of addresses) {
            const why = blockedAddressReason(address);
            if (why) {
              callback(new OutboundHttpError('blocked_address', safeUrl, `${safeUrl} resolved to ${address}, ${why}; ${REFUSED}`), '');
              return;
            }
          }
          const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
          const usable = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
          if (usable.length === 0) {
            callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), '');
          } else if (options.all) {
            callback(null, usable);
          } else {
            callback(null, usable[0].address, usable[0].family);
          }
        }),
      (err: NodeJS.ErrnoException) => process.nextTick(() => callback(err, '')),
    );
  };
}

/**
 * The one HTTP client for every server-side fetch of the platform (client `jwks_uri`,
 * `request_uri`, `sector_identifier_uri`, back-channel logout, upstream IdPs): https only,
 * no private addresses (checked on the resolved address actually connected to), no
 * redirects, one overall deadline, a body size limit, certificate verification always on.
 */
export class OutboundHttpClient {
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly allowHttp: boolean;
  private readonly allowPrivateAddresses: boolean;
  private readonly ca: OutboundHttpClientOptions['ca'];
  private readonly userAgent: string;

  constructor(options: OutboundHttpClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(Number.isFinite(this.timeoutMs) && this.timeoutMs > 0)) {
      throw new RangeError(`OutboundHttpClient: timeoutMs must be a positive number of milliseconds, got ${options.timeoutMs}`);
    }
    this.maxBodyBytes = checkedMaxBodyBytes(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    this.allowHttp = options.allowHttp ?? false;
    this.allowPrivateAddresses = options.allowPrivateAddresses ?? false;
    this.ca = options.ca;
    this.userAgent = options.userAgent ?? 'Tessera';
  }

  get(url: string | URL, options?: OutboundRequestOptions): Promise<OutboundResponse> {
    return this.send('GET', url, undefined, options);
  }

  post(url: string | URL, body: string | Buffer, options?: OutboundRequestOptions): Promise<OutboundResponse> {
    return this.send('POST', url, typeof body === 'string' ? Buffer.from(body, 'utf8') : body, options);
  }

  /** GET a JSON document: a 2xx status and a JSON body, else `bad_status` / `bad_body`. */
  async getJson<T = unknown>(url: string | URL, options: OutboundRequestOptions = {}): Promise<T> {
    const response = await this.get(url, { ...options, headers: { accept: 'application/json', ...options.headers } });
    if (response.status < 200 || response.status > 299) {
      const safe = redactUrl(new URL(url));
      throw new OutboundHttpError('bad_status', safe, `${safe} answered with status ${response.status}; expected 2xx`);
    }
    return response.json() as T;
  }

  /** `fetch` under the same rules; a redirect rejects (`redirect`) whatever `init.redirect` says. */
  readonly fetch: OutboundFetch = async (input, init) => {
    const url = this.checkUrl(input instanceof Request ? input.url : input);
    const request = new Request(input instanceof Request ? input : url.href, init);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const res = await this.send(request.method, url, body, { headers, signal: request.signal });

    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      for (const one of [value].flat()) if (one !== undefined) responseHeaders.append(name, one);
    }
    const nullBody = res.status === 204 || res.status === 205 || res.status === 304;
    let response: Response;
    try {
      response = new Response(nullBody ? null : res.body, { status: res.status, headers: responseHeaders });
    } catch {
      const safe = redactUrl(url);
      throw new OutboundHttpError('bad_status', safe, `${safe} answered with status ${res.status}, which fetch cannot represent`);
    }
    Object.defineProperty(response, 'url', { value: url.href });
    return response;
  };

  private send(method: string, input: string | URL, body: Buffer | undefined, options: OutboundRequestOptions = {}): Promise<OutboundResponse> {
    return new Promise<OutboundResponse>((resolve, reject) => {
      const url = this.checkUrl(input); // a throw here rejects the promise
      const safe = redactUrl(url);
      const maxBodyBytes = options.maxBodyBytes === undefined ? this.maxBodyBytes : checkedMaxBodyBytes(options.maxBodyBytes);
      const isHttps = url.protocol === 'https:';
      const { signal } = options;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }

      let settled = false;
      let req: http.ClientRequest | undefined;
      let res: http.IncomingMessage | undefined;
      let phase: 'connect' | 'tls' | 'http' = 'connect';
      const onAbort = () => finish(signal?.reason);
      const timer = setTimeout(
        () => finish(new OutboundHttpError('timeout', safe, `${safe} did not answer within ${this.timeoutMs} ms (DNS, connect, TLS, headers and body)`)),
        this.timeoutMs,
      );
      function finish(err: unknown, value?: OutboundResponse) {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (value) {
          resolve(value);
        } else {
          res?.destroy();
          req?.destroy();
          reject(err);
        }
      }
      signal?.addEventListener('abort', onAbort, { once: true });

      const headers: Record<string, string> = { 'user-agent': this.userAgent, 'accept-encoding': 'identity' };
      for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
      if (body) headers['content-length'] = String(body.length);

      const requestOptions: https.RequestOptions = {
        method,
        hostname: bareHostname(url),
        port: url.port ? Number(url.port) : undefined,
        path: `${url.pathname}${url.search}`,
        headers,
        agent: false, // no pooled socket: every connection goes through the checks below
        lookup: this.allowPrivateAddresses ? undefined : guardedLookup(safe),
        ...(isHttps ? { ca: this.ca, rejectUnauthorized: true } : {}),
      };
      try {
        req = (isHttps ? https : http).request(requestOptions);
      } catch (err) {
        finish(err);
        return;
      }

      req.on('socket', (socket) => {
        socket.once('connect', () => {
          phase = isHttps ? 'tls' : 'http';
          // Defence in depth: the address actually connected to passes the same policy.
          const remote = socket.remoteAddress;
          const why = this.allowPrivateAddresses || !remote ? null : blockedAddressReason(remote);
          if (why) finish(new OutboundHttpError('blocked_address', safe, `${safe} connected to ${remote}, ${why}; ${REFUSED}`));
        });
        if (isHttps) {
          socket.once('secureConnect', () => {
            phase = 'http';
          });
        }
      });
      req.on('error', (err) => finish(classify(err, safe, phase)));
      req.on('response', (response) => {
        res = response;
        const status = response.statusCode ?? 0;
        if (status >= 300 && status < 400 && status !== 304) {
          finish(new OutboundHttpError('redirect', safe, `${safe} answered ${status}, a redirect${redirectTarget(response.headers.location, url)}; redirects are not followed`));
          return;
        }
        const declared = response.headers['content-length'];
        if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > maxBodyBytes) {
          finish(tooLarge(safe, `announced a body of ${declared} bytes`, maxBodyBytes));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBodyBytes) finish(tooLarge(safe, `sent a body of more than ${maxBodyBytes} bytes`, maxBodyBytes));
          else chunks.push(chunk);
        });
        response.on('end', () => finish(null, outboundResponse(safe, status, response.headers, Buffer.concat(chunks, size))));
        response.on('error', (err) => finish(classify(err, safe, phase)));
        response.on('close', () => {
          if (!response.complete) finish(new OutboundHttpError('network', safe, `${safe} closed the connection before the response was complete`));
        });
      });
      req.end(body);
    });
  }

  /** Parses and vets a URL before anything touches the network. */
  private checkUrl(input: string | URL): URL {
    const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
    if (raw === undefined) throw new OutboundHttpError('bad_url', '[invalid URL]', 'An outbound request URL must be a string or a URL');
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new OutboundHttpError('bad_url', '[invalid URL]', 'An outbound request URL is not a valid absolute URL');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.allowHttp)) {
      const shown = url.protocol === 'http:' ? redactUrl(url) : url.protocol;
      throw new OutboundHttpError('bad_scheme', shown, `${shown} is refused: outbound requests must use https`);
    }
    const safe = redactUrl(url);
    if (hasStrippedCharacters(raw)) {
      throw new OutboundHttpError('bad_url', safe, `${safe}: the URL contains whitespace, control characters or backslashes, which the URL parser rewrites; refused`);
    }
    const authority = /^https?:\/\/([^/?#]*)/i.exec(raw)?.[1];
    if (authority === undefined) {
      throw new OutboundHttpError('bad_url', safe, `${safe}: write the URL as ${url.protocol}//host/path; other forms are refused`);
    }
    if (authority.includes('@') || url.username || url.password) {
      throw new OutboundHttpError('bad_url', safe, `${safe}: URLs with credentials (user:password@host) are refused`);
    }
    const rawHost = authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : authority.replace(/:\d*$/, '');
    const host = bareHostname(url);
    const ipVersion = isIP(host);
    const written = rawHost.toLowerCase() === url.hostname ? '' : ` (host written as ${rawHost})`;
    if (ipVersion !== 0 && !this.allowPrivateAddresses) {
      const why = blockedAddressReason(host);
      if (why) throw new OutboundHttpError('blocked_address', safe, `${safe}${written} points to ${host}, ${why}; ${REFUSED}`);
    }
    // The parser turns 0x7f.1, 2130706433, %31%32%37.0.0.1 or full-width digits into 127.0.0.1:
    // hosts must be written the way they are used. (IPv6 literals and IDNs are canonicalised benignly.)
    const idn = ipVersion === 0 && /[^\x20-\x7e]/.test(rawHost) && !rawHost.includes('%');
    if (written && ipVersion !== 6 && !idn) {
      throw new OutboundHttpError('bad_url', safe, `${safe}${written}: the host must be written in canonical form (${url.hostname})`);
    }
    return url;
  }
}

function checkedMaxBodyBytes(value: number): number {
  if (!(Number.isSafeInteger(value) && value >= 0)) {
    throw new RangeError(`OutboundHttpClient: maxBodyBytes must be a non-negative integer, got ${value}`);
  }
  return value;
}

/** Characters the WHATWG parser strips or reinterprets: C0 controls, space, DEL, backslash, other whitespace. */
function hasStrippedCharacters(raw: string): boolean {
  for (const ch of raw) {
    const code = ch.codePointAt(0) ?? 0;
    if (code <= 0x20 || code === 0x7f || ch === '\\' || /\s/u.test(ch)) return true;
  }
  return false;
}

function bareHostname(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

function redirectTarget(location: string | undefined, base: URL): string {
  if (!location) return '';
  try {
    return ` to ${redactUrl(new URL(location, base))}`;
  } catch {
    return '';
  }
}

function tooLarge(safe: string, what: string, limit: number): OutboundHttpError {
  return new OutboundHttpError('too_large', safe, `${safe} ${what}; the limit is ${limit} bytes`);
}

/** Node's error, rewritten without the error object itself (a parser error carries the raw response). */
function classify(err: unknown, safe: string, phase: 'connect' | 'tls' | 'http'): OutboundHttpError {
  if (err instanceof OutboundHttpError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  const detail = code && !message.includes(code) ? `${message} (${code})` : message;
  if (TLS_ERROR_CODE.test(code) || phase === 'tls') {
    return new OutboundHttpError('tls', safe, `${safe}: the TLS connection failed: ${detail}`);
  }
  return new OutboundHttpError('network', safe, `${safe} could not be fetched: ${detail}`);
}

function outboundResponse(safe: string, status: number, headers: http.IncomingHttpHeaders, body: Buffer): OutboundResponse {
  return {
    status,
    headers,
    body,
    text: () => body.toString('utf8'),
    json: () => {
      try {
        return JSON.parse(body.toString('utf8')) as unknown;
      } catch {
        // Not the SyntaxError's message: it quotes the body.
        throw new OutboundHttpError('bad_body', safe, `${safe} did not return a JSON body`);
      }
    },
  };
}
