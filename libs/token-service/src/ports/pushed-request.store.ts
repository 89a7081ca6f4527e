import type { Transaction } from './unit-of-work';

/** A pushed authorization request (RFC 9126), stored under the hash of its request_uri. */
export interface PushedRequest {
  storageKey: string;
  clientId: string;
  /** Every parameter with its values, as pushed (and, for a request object, as it carried them). */
  params: Record<string, string[]>;
  expiresAt: number;
}

export abstract class PushedRequestStore {
  abstract insert(request: PushedRequest, tx?: Transaction): Promise<void>;
  /**
   * Removes and returns it, if `clientId` pushed it: a request_uri is used once (RFC 9126 §4),
   * and another client presenting it neither uses nor spends it.
   */
  abstract take(storageKey: string, clientId: string): Promise<PushedRequest | undefined>;
  /** Housekeeping: deletes at most `limit` rows that expired before `now`, in one statement; returns how many. */
  abstract deleteExpired(now: number, limit: number): Promise<number>;
}
