/** What the password grant asks the authentication service (RFC 6749 §4.3.2). */
export interface CredentialCheckRequest {
  username: string;
  /** Forwarded as received; never stored, never logged. */
  password: string;
  clientId: string;
  /** The end user's IP address as the token service saw the token request (for throttling). */
  ip: string;
}

/** The authentication service's answer. A transport failure is thrown (`temporarily_unavailable`), not answered. */
export type CredentialCheckResult =
  | { outcome: 'authenticated'; sub: string; amr: string[]; authTime: number }
  /** Wrong password, unknown user or no password: one answer for all three. */
  | { outcome: 'invalid_credentials' }
  /** Throttled; `retryAfter` in seconds when the service said. */
  | { outcome: 'too_many_attempts'; retryAfter?: number }
  /** The user has a second factor, which the password grant cannot ask for. */
  | { outcome: 'second_factor_required' }
  | { outcome: 'account_disabled' }
  /** The service found the request malformed. */
  | { outcome: 'invalid_request' };

/**
 * The credential check behind the legacy password grant: the authentication service owns users
 * and passwords, so the token service forwards the resource owner's credentials and keeps
 * nothing of them.
 */
export abstract class CredentialCheck {
  abstract check(request: CredentialCheckRequest): Promise<CredentialCheckResult>;
}
