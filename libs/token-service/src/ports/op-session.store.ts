import type { Transaction } from './unit-of-work';

/** The token service's browser session (OIDC's OP session), on top of a login session. */
export interface OpSession {
  storageKey: string;
  sid: string;
  sub: string;
  loginSessionId: string;
  acr?: string;
  amr: string[];
  authTime: number;
  createdAt: number;
  expiresAt: number;
  endedAt?: number;
}

/** An OP session that one call just ended, with the clients it served (whom to notify). */
export interface EndedOpSession {
  sid: string;
  sub: string;
  loginSessionId: string;
  clientIds: string[];
}

/** A live OP session with the clients it served, for the account page and the admin API. */
export interface OpSessionActivity {
  sid: string;
  loginSessionId: string;
  createdAt: number;
  authTime: number;
  expiresAt: number;
  clients: Array<{ clientId: string; firstUsedAt: number; lastUsedAt: number }>;
}

/** Writes of a `last_used_at` (an OP session's clients, a grant) closer together than this are skipped: "last seen" is to the minute. */
export const ACTIVITY_RESOLUTION_SECONDS = 60;

export abstract class OpSessionStore {
  abstract insert(session: OpSession, tx?: Transaction): Promise<void>;
  /** The session if it exists, has not ended and has not expired at `now`. */
  abstract findActive(storageKey: string, now: number): Promise<OpSession | undefined>;
  abstract end(storageKey: string, at: number): Promise<boolean>;
  /**
   * Ends every live OP session on the login session, in one statement: a session already ended
   * (by a concurrent call, or an event delivered twice) is not returned again, so its clients
   * are notified once.
   */
  abstract endByLoginSession(loginSessionId: string, at: number, tx?: Transaction): Promise<EndedOpSession[]>;
  abstract endBySub(sub: string, at: number, tx?: Transaction): Promise<number>;
  /**
   * Records that `clientId` received a code or tokens on the session at `at`: a new row, or a
   * later `last_used_at` when the previous one is ACTIVITY_RESOLUTION_SECONDS old or more.
   */
  abstract addClient(sid: string, clientId: string, at: number): Promise<void>;
  /**
   * Forgets that `clientId` was served on the live OP sessions (not ended, not expired at `now`)
   * where it was first served at or before `servedUpTo`, only `sub`'s sessions when given: those
   * sessions go on, and no longer notify the client when they end. Returns them, each once; a
   * concurrent or repeated call does not return a session again.
   */
  abstract removeClient(clientId: string, servedUpTo: number, now: number, tx?: Transaction, sub?: string): Promise<Array<Pick<OpSession, 'sid' | 'sub'>>>;
  /** The user's live OP sessions (not ended, not expired at `now`), newest first, with their clients. */
  abstract listActiveBySub(sub: string, now: number): Promise<OpSessionActivity[]>;
  /** Housekeeping: deletes at most `limit` sessions that expired before `now` (with their clients), in one transaction; returns how many sessions. */
  abstract deleteExpired(now: number, limit: number): Promise<number>;
}
