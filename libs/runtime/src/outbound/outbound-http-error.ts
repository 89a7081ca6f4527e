/** Why an outbound request failed. */
export type OutboundHttpErrorReason =
  /** The URL does not parse, carries credentials, or is written in a form the URL parser would rewrite. */
  | 'bad_url'
  /** Not https (or http when `allowHttp` is set). */
  | 'bad_scheme'
  /** The host is, or resolves to, a private or special-purpose address. */
  | 'blocked_address'
  /** The overall deadline (DNS, connect, TLS, headers and body) passed. */
  | 'timeout'
  /** The response body is larger than allowed. */
  | 'too_large'
  /** The server answered with a redirect; redirects are never followed. */
  | 'redirect'
  /** DNS failure, connection refused or reset, incomplete response. */
  | 'network'
  /** TLS handshake failed, certificate not trusted or not valid for the host. */
  | 'tls'
  /** `getJson`: the status is not 2xx. */
  | 'bad_status'
  /** `getJson` / `json()`: the body is not JSON. */
  | 'bad_body';

/**
 * An outbound request that failed or was refused. `message` is written for an operator and is
 * safe to log: like `url`, it never contains a query string, credentials or a response body.
 */
export class OutboundHttpError extends Error {
  override readonly name = 'OutboundHttpError';

  constructor(
    readonly reason: OutboundHttpErrorReason,
    /** The request URL without userinfo, query string or fragment. */
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `scheme://host[:port]/path` of a parsed URL: no userinfo, no query string, no fragment. */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
