import type { ClaimsRequest } from '@tessera/scopes';
import type { Transaction } from './unit-of-work';

export interface RefreshToken {
  storageKey: string;
  familyId: string;
  grantId?: string;
  clientId: string;
  sub: string;
  scope: string[];
  resource: string[];
  acr?: string;
  amr: string[];
  authTime: number;
  sid?: string;
  /** OpenID Connect: the original authorization's claims request, for refreshed ID tokens and UserInfo. */
  claims?: ClaimsRequest;
  claimsLocales?: string[];
  accessJti?: string;
  accessExpiresAt?: number;
  issuedAt: number;
  expiresAt: number;
  consumedAt?: number;
  revokedAt?: number;
}

/** JWT access tokens issued in a family, to deny-list when the family is revoked. */
export interface IssuedJwt {
  jti: string;
  expiresAt: number;
}

export abstract class RefreshTokenStore {
  abstract insert(token: RefreshToken, tx?: Transaction): Promise<void>;
  abstract find(storageKey: string): Promise<RefreshToken | undefined>;
  /** Marks the token exchanged for its successor; false if it already was (a reuse). */
  abstract consume(storageKey: string, at: number, tx?: Transaction): Promise<boolean>;
  /**
   * Records another access token as the one issued with a live (neither consumed nor revoked)
   * token, as a grace-period retry does, and returns the JWT it replaces (to deny-list); undefined,
   * changing nothing, if the token is not live.
   */
  abstract replaceAccessToken(storageKey: string, jwt: IssuedJwt | undefined, tx: Transaction): Promise<{ replaced?: IssuedJwt } | undefined>;
  /** Revokes every refresh token of the family; returns the access-token jtis issued with them. */
  abstract revokeFamily(familyId: string, at: number, tx?: Transaction): Promise<IssuedJwt[]>;
  abstract revokeByGrant(grantId: string, at: number, tx?: Transaction): Promise<IssuedJwt[]>;
  /** Revokes the client's tokens; only those issued at or before `issuedAtOrBefore` when given. */
  abstract revokeByClient(clientId: string, at: number, tx?: Transaction, issuedAtOrBefore?: number): Promise<number>;
  abstract revokeBySub(sub: string, at: number, tx?: Transaction): Promise<IssuedJwt[]>;
  /**
   * Housekeeping: deletes at most `limit` tokens that expired before `now`, in one statement;
   * returns how many. A rotated-out or revoked token is kept until it expires, so that its reuse
   * is still recognised (and revokes the family).
   */
  abstract deleteExpired(now: number, limit: number): Promise<number>;
}
