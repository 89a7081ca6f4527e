import type { ClaimsRequest } from '@tessera/scopes';
import type { IssuedJwt } from './refresh-token.store';
import type { Transaction } from './unit-of-work';

export interface AuthorizationCode {
  storageKey: string;
  clientId: string;
  grantId: string;
  sub: string;
  scope: string[];
  resource: string[];
  redirectUri: string;
  redirectUriSent: boolean;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256';
  nonce?: string;
  /** OpenID Connect: the claims request (less declined scopes' claims) and claims_locales. */
  claims?: ClaimsRequest;
  claimsLocales?: string[];
  sid?: string;
  acr?: string;
  amr: string[];
  authTime: number;
  issuedAt: number;
  expiresAt: number;
  consumedAt?: number;
  familyId?: string;
  /** The JWT access token its redemption issued, to deny-list if the code is replayed. */
  accessJti?: string;
  accessExpiresAt?: number;
}

export abstract class AuthorizationCodeStore {
  abstract insert(code: AuthorizationCode, tx?: Transaction): Promise<void>;
  abstract find(storageKey: string): Promise<AuthorizationCode | undefined>;
  /** Marks the code used, starting `familyId`; false if it was already used (a replay). */
  abstract consume(storageKey: string, at: number, familyId: string, tx?: Transaction): Promise<boolean>;
  /** Remembers the JWT access token the redemption issued (nothing else records a JWT's jti). */
  abstract recordAccessToken(storageKey: string, jwt: IssuedJwt, tx?: Transaction): Promise<void>;
  /**
   * Housekeeping: deletes at most `limit` codes that expired before `now`, in one statement;
   * returns how many. A used code is kept until it expires, so that a replay is still recognised.
   */
  abstract deleteExpired(now: number, limit: number): Promise<number>;
}
