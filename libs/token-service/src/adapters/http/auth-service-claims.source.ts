import { TemporarilyUnavailableError } from '@tessera/oauth-errors';
import { internalCredential } from '@tessera/runtime';
import { UserClaimsSource } from '../../ports/user-claims.source';

const TIMEOUT_MS = 5_000;

/**
 * The authentication service's internal API: `GET /internal/users/{sub}/claims` answers the
 * user's claims as JSON, `GET /internal/users/{sub}/roles` its roles (404: no such user). The token service calls it as itself.
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
    return this.get(sub, 'claims');
  }

  async rolesOf(sub: string): Promise<string[] | undefined> {
    const body = await this.get(sub, 'roles');
    const roles = body?.['roles'];
    if (body && (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string'))) {
      throw new TemporarilyUnavailableError('The user directory answered something unreadable.', { detail: `roles of ${sub}: no roles array` });
    }
    return roles as string[] | undefined;
  }

  private async get(sub: string, what: 'claims' | 'roles'): Promise<Record<string, unknown> | undefined> {
    const url = `${this.baseUrl.replace(/\/$/, '')}/internal/users/${encodeURIComponent(sub)}/${what}`;
    let res: Response;
    try {
      res = await fetch(url, { headers: { authorization: this.authorization, accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw new TemporarilyUnavailableError('The user directory cannot be reached; try again shortly.', { cause: err, detail: `${what} of ${sub}: ${String(err)}` });
    }
    if (res.status === 404) return undefined;
    if (!res.ok) {
      throw new TemporarilyUnavailableError('The user directory cannot answer; try again shortly.', { detail: `${what} of ${sub}: HTTP ${res.status}` });
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new TemporarilyUnavailableError('The user directory answered something unreadable.', { detail: `${what} of ${sub}: not a JSON object` });
    }
    return body as Record<string, unknown>;
  }
}
