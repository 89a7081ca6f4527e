import type { Transaction } from './unit-of-work';

/** A reference access token's record; the token itself is never stored, only its hash. */
export interface AccessTokenRecord {
  storageKey: string;
  jti: string;
  clientId: string;
  sub: string;
  scope: string;
  audience: string[];
  grantId?: string;
  /** The refresh-token family (code redemption) it belongs to. */
  familyId?: string;
  issuedAt: number;
  expiresAt: number;
  /** What UserInfo releases beyond the scopes' claims (OpenID Connect Core §5.5, §5.2). */
  claims?: UserinfoClaimsRequest;
}

/** The part of an authorization's claims request that UserInfo honours. */
export interface UserinfoClaimsRequest {
  /** The `userinfo` member of the `claims` parameter. */
  userinfo?: Record<string, unknown>;
  locales?: string[];
}

export abstract class AccessTokenStore {
  abstract insert(token: AccessTokenRecord, tx?: Transaction): Promise<void>;
  abstract find(storageKey: string): Promise<AccessTokenRecord | undefined>;
  abstract delete(storageKey: string, tx?: Transaction): Promise<boolean>;
  /** Deletes the client's tokens; only those issued at or before `issuedAtOrBefore` when given. */
  abstract deleteByClient(clientId: string, tx?: Transaction, issuedAtOrBefore?: number): Promise<number>;
  abstract deleteByGrant(grantId: string, tx?: Transaction): Promise<number>;
  abstract deleteByFamily(familyId: string, tx?: Transaction): Promise<number>;
  abstract deleteBySub(sub: string, tx?: Transaction): Promise<number>;
  /** Housekeeping: deletes at most `limit` rows that expired before `now`, in one statement; returns how many. */
  abstract deleteExpired(now: number, limit: number): Promise<number>;
}

/** JWT access tokens are not stored at issuance; a revoked one is remembered until it expires. */
export abstract class RevokedTokenStore {
  abstract add(jti: string, expiresAt: number, tx?: Transaction): Promise<void>;
  abstract isRevoked(jti: string): Promise<boolean>;
  /** Housekeeping: forgets at most `limit` revoked JWTs that expired before `now` (they fail verification anyway), in one statement. */
  abstract deleteExpired(now: number, limit: number): Promise<number>;
}
