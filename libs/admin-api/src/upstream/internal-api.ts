import { Logger } from '@nestjs/common';
import { internalCredential } from '@tessera/runtime';
import { Problem } from '../http/problem';

const TIMEOUT_MS = 10_000;

/**
 * A service's internal API as the admin API calls it (as `admin-api`). The service's refusals
 * become the admin API's problems with the same status and the service's own words (a 400 for
 * bad metadata, a 404 for an unknown id); a service that cannot be reached, or that refuses the
 * admin API's own credential, is a 503: nothing the caller can fix.
 */
export class InternalApi {
  private readonly logger: Logger;
  private readonly authorization: string;

  constructor(
    readonly serviceName: string,
    private readonly baseUrl: string,
    internalSecret: string,
  ) {
    this.logger = new Logger(`AdminApi→${serviceName}`);
    this.authorization = `Bearer ${internalCredential(internalSecret, 'admin-api')}`;
  }

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
        method,
        headers: { authorization: this.authorization, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      this.logger.warn(`${method} ${routeOf(path)}: ${String(err)}`);
      throw Problem.unavailable(`The ${this.serviceName} cannot be reached; try again shortly.`);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (res.ok) return parsed as T;
    const fields = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { error?: unknown; error_description?: unknown };
    const described = typeof fields.error_description === 'string' ? fields.error_description : undefined;
    const reason = typeof fields.error === 'string' ? { reason: fields.error } : {};
    if (res.status === 404) throw Problem.notFound(described ?? 'No such thing.');
    if (res.status === 409) throw Problem.conflict(described ?? 'That conflicts with the current state.');
    if (res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 403) {
      throw new Problem(res.status === 400 ? 400 : 422, 'invalid_request', described ?? `The ${this.serviceName} refused the request.`, reason);
    }
    this.logger.error(`${method} ${routeOf(path)}: HTTP ${res.status}`);
    throw Problem.unavailable(`The ${this.serviceName} cannot answer; try again shortly.`);
  }
}

/** The route's shape for logs: ids and query strings left out. */
const routeOf = (path: string) => path.replace(/\?.*$/, '').replace(/\/internal\/([a-z-]+)\/[^/]+/, '/internal/$1/:id');

export class TokenServiceApi extends InternalApi {}
export class AuthServiceApi extends InternalApi {}
