import type { FastifyReply } from 'fastify';

/** One password attempt, as throttling sees it. */
export interface LoginAttempt {
  /** The account the attempt names: the normalised email (also for accounts that do not exist). */
  account: string;
  /** The user, when the account exists. */
  sub?: string;
  ip: string;
  /** The browser's device cookie, proof that it signed in to this account before (when it has one). */
  device?: string;
}

/**
 * Brute-force protection for password checks (login and the password grant): per account and
 * per client IP. `check` runs before any hash work and throws `too_many_attempts` (with
 * `retry_after`) when the attempt must wait; `failed` and `succeeded` record the outcome.
 * `rememberDevice` marks a browser that signed in, so that a lock caused by strangers never
 * locks its owner out.
 */
export abstract class LoginThrottle {
  abstract check(attempt: LoginAttempt): Promise<void>;
  abstract failed(attempt: LoginAttempt): Promise<void>;
  abstract succeeded(attempt: LoginAttempt): Promise<void>;
  abstract rememberDevice(reply: FastifyReply, sub: string): Promise<void>;
  /** The name of the device cookie the attempt's `device` is read from. */
  abstract readonly deviceCookie: string;
}
