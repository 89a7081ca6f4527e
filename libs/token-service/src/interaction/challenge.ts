import type { OAuthErrorCode } from '@tessera/oauth-errors';
import type { AuthorizationRequest, LoginResult } from '../authorize/authorization-request';

export type ChallengeKind = 'login' | 'consent';

export type ChallengeOutcome =
  | { kind: 'login'; login: LoginResult }
  | { kind: 'consent'; grantedScope: string[]; remember: boolean }
  | { kind: 'rejected'; error: OAuthErrorCode; errorDescription?: string };

/** A login or consent step handed to the auth-service, as its sealed value holds it (ChallengesService). */
export interface Challenge {
  /** Unique and time-ordered: the key its single use is recorded under. */
  id: string;
  kind: ChallengeKind;
  /** SHA-256 of the verifier that only the browser's binding cookie holds. */
  verifierHash: string;
  /** The name of that cookie. */
  bindingCookie: string;
  clientId: string;
  request: AuthorizationRequest;
  /** The authenticated user (consent challenges, or a login challenge under an OP session). */
  login?: LoginResult & { sid?: string };
  createdAt: number;
  expiresAt: number;
}

/** A challenge with the login or consent UI's answer, as the browser brings it back. */
export interface AnsweredChallenge extends Challenge {
  outcome: ChallengeOutcome;
}
