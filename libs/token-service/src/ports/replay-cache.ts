/** One-time values (client assertion `jti`, a sign-in challenge, ...) remembered in the database until they expire. */
export abstract class ReplayCache {
  /** Records `key`; false if it was already recorded (a replay). */
  abstract useOnce(key: string, expiresAt: number): Promise<boolean>;
  /** Whether `key` was recorded (and not yet forgotten by housekeeping); records nothing. */
  abstract seen(key: string): Promise<boolean>;
  /** Housekeeping: deletes at most `limit` rows that expired before `now`, in one statement; returns how many. */
  abstract deleteExpired(now: number, limit: number): Promise<number>;
}
