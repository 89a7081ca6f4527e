import { internalCredential } from '@tessera/runtime';
import { FlowError } from '../http/flow-error';

const TIMEOUT_MS = 5_000;

/** What the token service tells about a pending login or consent challenge (its internal API). */
/**
 * The longest challenge value passed on to the token service: its challenges are the pending
 * request sealed (at most 7,680 characters), so anything longer is not one.
 */
export const MAX_CHALLENGE_VALUE_LENGTH = 8 * 1024;

export interface ChallengeView {
  kind: 'login' | 'consent';
  challenge: string;
  binding_cookie: string;
  expires_at: number;
  client?: {
    client_id: string;
    client_name?: string;
    client_uri?: string;
    logo_uri?: string;
    policy_uri?: string;
    tos_uri?: string;
    first_party?: boolean;
    mfa_policy?: 'none' | 'optional' | 'required';
  };
  requested_scope: string[];
  scope_details?: unknown;
  required_scope?: string[];
  requested_resource?: string[];
  prompt?: string[];
  max_age?: number;
  acr_values?: string[];
  login_hint?: string;
  id_token_hint_sub?: string;
  ui_locales?: string[];
  display?: string;
  requested_claims?: { id_token?: string[]; userinfo?: string[] };
  subject?: string;
  auth_time?: number;
}

export interface LoginAcceptance {
  sub: string;
  login_session_id: string;
  acr?: string;
  amr: string[];
  auth_time: number;
  remember: boolean;
  /** The OP session ends no later than the login session. */
  session_expires_at?: number;
}

export interface ConsentAcceptance {
  grant_scope: string[];
  remember: boolean;
}

export interface GrantView {
  id: string;
  client_id: string;
  client_name?: string;
  logo_uri?: string;
  scopes: string[];
  remembered: boolean;
  granted_at: number;
  last_used_at?: number;
}

/** A live OP session at the token service: which apps it served, and when (GET /internal/op-sessions). */
export interface OpSessionView {
  sid: string;
  login_session_id: string;
  created_at: number;
  auth_time: number;
  expires_at: number;
  clients: Array<{ client_id: string; client_name?: string; first_used_at: number; last_used_at: number }>;
}

export interface IntrospectedToken {
  active: boolean;
  sub?: string;
  client_id?: string;
  scope?: string;
  exp?: number;
  iat?: number;
  auth_time?: number;
  [key: string]: unknown;
}

/**
 * The token service's internal API, as the authentication service calls it: challenges (read,
 * accept, reject with the browser's verifier), a user's grants, and token introspection for
 * the account API. It authenticates as `auth-service`.
 */
export class TokenServiceClient {
  private readonly authorization: string;

  constructor(
    private readonly baseUrl: string,
    internalSecret: string,
  ) {
    this.authorization = `Bearer ${internalCredential(internalSecret, 'auth-service')}`;
  }

  readChallenge(challenge: string): Promise<ChallengeView> {
    return this.call('GET', `/internal/challenges/${encodeURIComponent(challenge)}`);
  }

  accept(challenge: string, verifier: string | undefined, body: LoginAcceptance | ConsentAcceptance): Promise<{ redirect_to: string }> {
    return this.call('POST', `/internal/challenges/${encodeURIComponent(challenge)}/accept`, { ...body, verifier });
  }

  reject(challenge: string, verifier: string | undefined, error: string, description?: string): Promise<{ redirect_to: string }> {
    return this.call('POST', `/internal/challenges/${encodeURIComponent(challenge)}/reject`, { verifier, error, error_description: description });
  }

  grantsOf(sub: string): Promise<GrantView[]> {
    return this.call('GET', `/internal/grants?sub=${encodeURIComponent(sub)}`);
  }

  /** Revokes one of the user's grants (only theirs: the token service checks `sub`). */
  async revokeGrant(sub: string, id: string): Promise<void> {
    await this.call('DELETE', `/internal/grants/${encodeURIComponent(id)}?sub=${encodeURIComponent(sub)}`);
  }

  opSessionsOf(sub: string): Promise<OpSessionView[]> {
    return this.call('GET', `/internal/op-sessions?sub=${encodeURIComponent(sub)}`);
  }

  introspect(token: string): Promise<IntrospectedToken> {
    return this.call('POST', '/internal/tokens/introspect', { token });
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    // Logged on failure: the route's shape, never the challenge or id in it (they are bearer-like values).
    const route = path.replace(/\/internal\/(challenges|grants)\/[^/?]+/, '/internal/$1/:id').replace(/\?.*$/, '');
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
        method,
        headers: { authorization: this.authorization, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new FlowError('temporarily_unavailable', 'The token service cannot be reached; try again shortly.', {}, `${method} ${route}: ${String(err)}`);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = undefined;
    }
    if (res.ok && parsed !== undefined) return parsed as T;
    const error = (parsed as { error?: string; error_description?: string } | undefined) ?? {};
    if (res.status === 404) throw new FlowError('not_found', error.error_description ?? 'No such challenge (it may have expired or been used already).');
    if (res.status >= 400 && res.status < 500 && res.status !== 401) {
      throw new FlowError('invalid_request', error.error_description ?? 'The token service refused the request.', error.error ? { reason: error.error } : {});
    }
    throw new FlowError('temporarily_unavailable', 'The token service cannot answer; try again shortly.', {}, `${method} ${route}: HTTP ${res.status}`);
  }
}
