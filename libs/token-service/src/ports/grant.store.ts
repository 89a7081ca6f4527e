import type { Transaction } from './unit-of-work';

export interface Grant {
  id: string;
  sub: string;
  clientId: string;
  scopes: string[];
  remember: boolean;
  createdAt: number;
  lastUsedAt?: number;
  revokedAt?: number;
}

/** Whose grant a use must be of: the user and the client a code or token was issued for. */
export interface GrantOwner {
  sub: string;
  clientId: string;
}

export abstract class GrantStore {
  abstract insert(grant: Grant, tx?: Transaction): Promise<void>;
  abstract find(id: string): Promise<Grant | undefined>;
  abstract markRevoked(id: string, at: number, tx?: Transaction): Promise<boolean>;
  /** Latest revocation instant of any grant of (sub, client), for JWT access-token checks. */
  abstract lastRevocation(sub: string, clientId: string): Promise<number | undefined>;
  /** The user's live remembered grant for the client, if any. */
  abstract findRemembered(sub: string, clientId: string): Promise<Grant | undefined>;
  abstract listActiveBySub(sub: string): Promise<Grant[]>;
  /**
   * Records a use of a live grant: sets `lastUsedAt` to `at`, unless it is less than
   * ACTIVITY_RESOLUTION_SECONDS older ("last used" is to the minute, as an OP session's clients).
   * True for a live grant of `owner` either way; false if the grant is gone, revoked, or not that
   * user's grant to that client (then nothing changes). The owner is required: whoever presents a
   * code or a token says whose grant it must be, and the store checks it where it writes.
   */
  abstract markUsed(id: string, at: number, owner: GrantOwner, tx?: Transaction): Promise<boolean>;
  /** Revokes every live grant of the user; returns the revoked grants. */
  abstract revokeBySub(sub: string, at: number, tx?: Transaction): Promise<Grant[]>;
  /**
   * Revokes, as of `at`, every live grant of the client that existed then (created at or before
   * `at`), only `sub`'s when given, in one statement; returns the revoked grants. A grant given
   * after `at` (the user consented again) stays.
   */
  abstract revokeByClient(clientId: string, at: number, tx?: Transaction, sub?: string): Promise<Grant[]>;
}
