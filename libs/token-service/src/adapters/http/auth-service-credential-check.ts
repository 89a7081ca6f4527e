import { TemporarilyUnavailableError } from '@tessera/oauth-errors';
import { internalCredential } from '@tessera/runtime';
import { CredentialCheck, type CredentialCheckRequest, type CredentialCheckResult } from '../../ports/credential-check';

const TIMEOUT_MS = 5_000;
/** The answers are a few hundred bytes; anything much larger is not the credential check talking. */
const MAX_ANSWER_BYTES = 16 * 1024;

/**
 * The authentication service's internal credential check: `POST /internal/credentials/check`
 * with `{ username, password, client_id, ip }`, called as the token service. Answers:
 * 200 `{ sub, amr, auth_time }`; 401 `invalid_credentials` or `second_factor_required`;
 * 429 `too_many_attempts` (`retry_after`); 403 `forbidden` (disabled account); 400
 * `invalid_request`. Anything else (its guard refusing us, a 5xx, no answer) means the check
 * could not be made: `temporarily_unavailable`.
 *
 * The password travels in the request body only: no error raised here carries the body, and
 * `detail` names the status, never the credentials.
 */
export class AuthServiceCredentialCheck extends CredentialCheck {
  private readonly authorization: string;
  private readonly url: string;

  constructor(baseUrl: string, internalSecret: string) {
    super();
    this.authorization = `Bearer ${internalCredential(internalSecret, 'token-service')}`;
    this.url = `${baseUrl.replace(/\/$/, '')}/internal/credentials/check`;
  }

  async check(request: CredentialCheckRequest): Promise<CredentialCheckResult> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { authorization: this.authorization, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ username: request.username, password: request.password, client_id: request.clientId, ip: request.ip }),
        redirect: 'error',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      text = await res.text();
    } catch (err) {
      // Log the failure's kind only: an undici error carries no request body, but keep it that way.
      throw unavailable('The sign-in service cannot be reached; try again shortly.', `credential check: ${describeTransportError(err)}`);
    }
    const body = text.length <= MAX_ANSWER_BYTES ? parseObject(text) : undefined;
    const error = typeof body?.['error'] === 'string' ? body['error'] : undefined;

    if (res.status === 200) {
      const { sub, amr, auth_time } = body ?? {};
      if (typeof sub !== 'string' || !sub || sub.length > 255 || !isStringArray(amr) || !Number.isInteger(auth_time)) {
        throw unavailable('The sign-in service answered something unreadable; try again shortly.', 'credential check: HTTP 200 without { sub, amr, auth_time }');
      }
      return { outcome: 'authenticated', sub, amr, authTime: auth_time as number };
    }
    if (res.status === 401 && error === 'invalid_credentials') return { outcome: 'invalid_credentials' };
    if (res.status === 401 && error === 'second_factor_required') return { outcome: 'second_factor_required' };
    if (res.status === 429) {
      const retryAfter = body?.['retry_after'];
      return { outcome: 'too_many_attempts', ...(Number.isInteger(retryAfter) && (retryAfter as number) > 0 ? { retryAfter: retryAfter as number } : {}) };
    }
    if (res.status === 403 && error === 'forbidden') return { outcome: 'account_disabled' };
    if (res.status === 400 && error === 'invalid_request') return { outcome: 'invalid_request' };
    // Our internal credential refused (401 invalid_token), no such endpoint (404), a 5xx: the
    // platform is misconfigured or the service is down, which is nothing the client did.
    throw unavailable('The sign-in service cannot answer; try again shortly.', `credential check: HTTP ${res.status}${error ? ` ${error}` : ''}`);
  }
}

const unavailable = (description: string, detail: string) => new TemporarilyUnavailableError(description, { detail });

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.length <= 20 && v.every((m) => typeof m === 'string' && m.length <= 64);

/** `TimeoutError`, `TypeError: fetch failed (ECONNREFUSED)`: the kind and the system code, nothing else. */
function describeTransportError(err: unknown): string {
  const e = err as { name?: unknown; message?: unknown; cause?: { code?: unknown } };
  const code = typeof e?.cause?.code === 'string' ? ` (${e.cause.code})` : '';
  return `${typeof e?.name === 'string' ? e.name : 'Error'}${code}`;
}
