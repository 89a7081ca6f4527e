/**
 * An initial access token (RFC 7591 §3): what an administrator hands a developer so that they
 * may register clients dynamically, with an expiry and the scopes those clients may ask for.
 */
export interface InitialAccessToken {
  id: string;
  /** SHA-256 of the token (the value is shown once, at creation). */
  tokenHash: string;
  description?: string;
  /** Scopes a client registered with it may ask for (within TESSERA_REGISTRATION_SCOPES); undefined: those. */
  scopes?: string[];
  expiresAt?: number;
  createdAt: number;
  revokedAt?: number;
  lastUsedAt?: number;
  uses: number;
}

export abstract class InitialAccessTokenStore {
  abstract insert(token: InitialAccessToken): Promise<void>;
  /** The token with this hash if it is neither revoked nor expired at `now`. */
  abstract findActive(tokenHash: string, now: number): Promise<InitialAccessToken | undefined>;
  abstract list(): Promise<InitialAccessToken[]>;
  /** False: no such token, or revoked already. */
  abstract revoke(id: string, at: number): Promise<boolean>;
  abstract recordUse(id: string, at: number): Promise<void>;
  /** Tokens revoked or expired before `cutoff` (they can register nothing any more), at most `limit`, in one statement; returns how many. */
  abstract deleteFinishedBefore(cutoff: number, limit: number): Promise<number>;
}
