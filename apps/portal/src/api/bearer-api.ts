import { accessToken, renew, type TokenPurpose } from '../auth/session';
import { errorFrom, networkError } from './api-error';

/**
 * A resource-server API called with the portal's in-memory access token: the account API
 * (`/auth/account/*`, purpose `account`) or the admin API (`/admin/api/*`, purpose `admin`).
 * A refused token (expired, revoked) makes the session layer get a new one through the OP
 * session (a top-level redirect), so the call never returns; unless the token was obtained
 * moments ago, when renewing again would only loop: then the call fails with `renewal_failed`
 * and RequireToken shows "your session could not be renewed" (see `renew` in auth/session).
 */
export interface BearerApi {
  get<T>(path: string, query?: Record<string, string | number | boolean | undefined>): Promise<T>;
  send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
}

export function bearerApi(purpose: TokenPurpose, base: string, onUnauthorized: () => Promise<never> = () => renew(purpose)): BearerApi {
  async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const token = await accessToken(purpose);
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        cache: 'no-store',
        credentials: 'same-origin',
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw networkError();
    }
    if (!response.ok) {
      const error = await errorFrom(response);
      // Only a refused token (RFC 6750: a Bearer challenge, or invalid_token) means "get a new
      // one"; a 401 about something else (a wrong current_password) is the screen's to show.
      if (response.status === 401 && (/^bearer\b/i.test(response.headers.get('www-authenticate') ?? '') || error.code === 'invalid_token')) return onUnauthorized();
      throw error;
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
  return {
    get: (path, query = {}) => {
      const params = new URLSearchParams(
        Object.entries(query)
          .filter(([, v]) => v !== undefined && v !== '')
          .map(([k, v]) => [k, String(v)]),
      );
      return call('GET', params.size ? `${path}?${params}` : path);
    },
    send: (method, path, body, headers) => call(method, path, body, headers),
  };
}

/** The account API (`/auth/account/*`) with the account token. */
export const accountApi = bearerApi('account', '/auth/account');

/** The admin API (`/admin/api/*`) with the short-lived admin token. */
export const adminApi = bearerApi('admin', '/admin/api');
