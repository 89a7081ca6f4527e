import { TemporarilyUnavailableError } from '@tessera/oauth-errors';
import { internalCredential } from '@tessera/runtime';
import { UserClaimsSource } from '../../ports/user-claims.source';

const TIMEOUT_MS = 5_000;

/**
 * The authentication service's internal API: `GET /internal/users/{sub}/claims` answers the
 * user's claims as JSON (404: no such user). The token service calls it as itself.
 */
export class AuthServiceClaimsSource extends UserClaimsSource {
  private readonly authorization: string;

  constructor(
    private readonly baseUrl: string,
    internalSecret: string,
  ) {
    super();
    this.authorization = `Bearer ${internalCredential(internalSecret, 'token-service')}`;
  }

  async claimsOf(sub: string): Promise<Record<string, unknown> | undefined> {
    const url = `${this.baseUrl.replace(/\/$/, '')}/internal/users/${encodeURIComponent(sub)}/claims`;
    let res: Response;
    try {
      res = await fetch(url, { headers: { authorization: this.authorization, accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw new TemporarilyUnavailableError('The user directory cannot be reached; try again shortly.', { cause: err, detail: `claims of ${sub}: ${String(err)}` });
    }
    if (res.status === 404) return undefined;
    if (!res.ok) {
      throw new TemporarilyUnavailableError('The user directory cannot answer; try again shortly.', { detail: `claims of ${sub}: HTTP ${res.status}` });
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new TemporarilyUnavailableError('The user directory answered something unreadable.', { detail: `claims of ${sub}: not a JSON object` });
    }
    return body as Record<string, unknown>;
  }
}
