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

export abstract class OpSessionStore {
  abstract insert(session: OpSession, tx?: Transaction): Promise<void>;
  /** The session if it exists, has not ended and has not expired at `now`. */
  abstract findActive(storageKey: string, now: number): Promise<OpSession | undefined>;
  abstract end(storageKey: string, at: number): Promise<boolean>;
  abstract endByLoginSession(loginSessionId: string, at: number, tx?: Transaction): Promise<number>;
  abstract endBySub(sub: string, at: number, tx?: Transaction): Promise<number>;
  abstract deleteExpired(now: number): Promise<number>;
}
