import { ApiError, errorFrom, networkError } from './api-error';

/**
 * The authentication service's flow API (`/auth/*`): same-origin, cookie-bound, and every
 * state-changing call carries the double-submit CSRF token from the `tessera_csrf` cookie.
 */
const CSRF_COOKIE = 'tessera_csrf';

export function csrfToken(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CSRF_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

async function ensureCsrfToken(): Promise<string> {
  const existing = csrfToken();
  if (existing) return existing;
  const response = await send('GET', '/auth/csrf');
  const body = (await response.json().catch(() => ({}))) as { csrf_token?: string };
  const token = csrfToken() ?? body.csrf_token;
  if (!token) throw new ApiError(403, 'csrf_check_failed', 'No CSRF token.');
  return token;
}

async function send(method: string, path: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(path, { method, credentials: 'same-origin', cache: 'no-store', ...init, headers: { accept: 'application/json', ...init.headers } });
  } catch {
    throw networkError();
  }
}

async function parse<T>(response: Response): Promise<T> {
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const flowApi = {
  async get<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
    const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
    return parse<T>(await send('GET', params.size ? `${path}?${params}` : path));
  },
  async post<T>(path: string, body: unknown = {}): Promise<T> {
    const token = await ensureCsrfToken();
    return parse<T>(await send('POST', path, { body: JSON.stringify(body), headers: { 'content-type': 'application/json', 'x-csrf-token': token } }));
  },
};
