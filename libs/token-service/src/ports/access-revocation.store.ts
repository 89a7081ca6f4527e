import type { Transaction } from './unit-of-work';

/**
 * An access revocation (`revocation.requested`) this service carried out, kept by its id so that
 * the same request delivered again, or sent again as a new event, is answered without revoking
 * anything more.
 */
export interface AccessRevocation {
  revocationId: string;
  clientId: string;
  /** The one user whose access to the client was revoked; absent: every user's. */
  sub?: string;
  /** The instant the administrator asked at (epoch seconds): what it revoked existed by then. */
  requestedAt: number;
  /** Grants revoked. */
  grants: number;
  /** OP sessions the client was signed out of. */
  sessions: number;
  completedAt: number;
}

export abstract class AccessRevocationStore {
  /**
   * Records the revocation in `tx` unless one with the same id exists, and says whether it did.
   * A second call with the same id while the first's transaction is open waits for it
   * (PostgreSQL) or for its turn (SQLite), then returns false: one delivery carries it out.
   */
  abstract claim(revocation: AccessRevocation, tx: Transaction): Promise<boolean>;
  /** Sets what a claimed revocation ended, in the transaction that ended it. */
  abstract recordOutcome(revocationId: string, outcome: Pick<AccessRevocation, 'grants' | 'sessions'>, tx: Transaction): Promise<void>;
  abstract find(revocationId: string, tx?: Transaction): Promise<AccessRevocation | undefined>;
  /** Revocations completed before `cutoff`, long past any redelivery of their request: at most `limit`, in one statement; returns how many. */
  abstract deleteCompletedBefore(cutoff: number, limit: number): Promise<number>;
}
