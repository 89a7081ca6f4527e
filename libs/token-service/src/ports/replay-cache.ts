/** One-time values (client assertion `jti`, ...) remembered in the database until they expire. */
export abstract class ReplayCache {
  /** Records `key`; false if it was already recorded (a replay). */
  abstract useOnce(key: string, expiresAt: number): Promise<boolean>;
  abstract deleteExpired(now: number): Promise<number>;
}
