import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { inTransaction, Outbox } from '@tessera/events';
import { AUTH_CLOCK, AUTH_SERVICE_DATA_SOURCE, nowSeconds, type Clock } from '../auth-service.tokens';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { KnownDeviceEntity, LoginThrottleEntity } from '../database/entities/throttle.entity';
import { UserEntity } from '../database/entities/user.entity';
import { FlowError } from '../http/flow-error';
import { LoginThrottle, type LoginAttempt } from './login-throttle';

/** How throttling grows: free attempts, then doubling delays up to a cap, then a temporary lock. */
export interface ThrottlePolicy {
  freeFailures: number;
  maxDelaySeconds: number;
  lockAfter: number;
  lockSeconds: number;
  /** Failures this long after the previous one start a new count. */
  windowSeconds: number;
}

export const ACCOUNT_POLICY: ThrottlePolicy = { freeFailures: 3, maxDelaySeconds: 30, lockAfter: 10, lockSeconds: 900, windowSeconds: 3600 };
/** An IP (an office, a carrier NAT) may carry many people: more room before it waits. */
export const IP_POLICY: ThrottlePolicy = { freeFailures: 10, maxDelaySeconds: 60, lockAfter: 100, lockSeconds: 900, windowSeconds: 3600 };

const DEVICE_COOKIE = 'tessera_device';
const DEVICE_TTL = 365 * 86_400;
const hashOf = (secret: string) => createHash('sha256').update(secret).digest('base64url');

/**
 * Password throttling in the database, so that every replica sees the same counts (and a
 * restart forgets nothing). Per account: after a few failures each attempt must wait a doubling
 * delay, and at ten the account's password attempts lock for 15 minutes (`account.locked`, and
 * a mail to the owner). Per IP likewise, with more room. A browser that signed in to the
 * account before (device cookie) is exempt from the account's delays and lock, so strangers
 * cannot lock its owner out; the lock never touches existing sessions. Unknown accounts are
 * counted exactly like known ones, so the throttle reveals nothing about which exist.
 */
@Injectable()
export class DatabaseLoginThrottle extends LoginThrottle {
  readonly deviceCookie = DEVICE_COOKIE;

  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
    private readonly outbox: Outbox,
  ) {
    super();
  }

  async check(attempt: LoginAttempt): Promise<void> {
    const now = nowSeconds(this.clock);
    const keys = [`ip:${attempt.ip}`];
    if (!(await this.isKnownDevice(attempt))) keys.push(`acct:${attempt.account}`);
    const rows = await this.dataSource.manager.findBy(LoginThrottleEntity, keys.map((key) => ({ key })));
    let waitUntil = 0;
    for (const row of rows) waitUntil = Math.max(waitUntil, nextAllowed(row, row.key.startsWith('ip:') ? IP_POLICY : ACCOUNT_POLICY));
    if (waitUntil > now) {
      const retryAfter = waitUntil - now;
      throw new FlowError('too_many_attempts', `Too many failed sign-in attempts. Try again in ${describeWait(retryAfter)}.`, { retry_after: retryAfter });
    }
  }

  async failed(attempt: LoginAttempt): Promise<void> {
    await this.count(`ip:${attempt.ip}`, IP_POLICY);
    if (await this.isKnownDevice(attempt)) return;
    const account = await this.count(`acct:${attempt.account}`, ACCOUNT_POLICY);
    if (account.lockedNow && attempt.sub) await this.notifyLock(attempt.sub, account.lockedUntil);
  }

  async succeeded(attempt: LoginAttempt): Promise<void> {
    // The account's count starts over; the IP's does not (one success does not excuse a spray).
    await this.dataSource.manager.delete(LoginThrottleEntity, { key: `acct:${attempt.account}` });
  }

  async rememberDevice(reply: FastifyReply, sub: string): Promise<void> {
    const req = reply.request;
    let secret = req.cookies[DEVICE_COOKIE];
    if (!secret || !/^[A-Za-z0-9_-]{43}$/.test(secret)) {
      secret = randomBytes(32).toString('base64url');
      void reply.setCookie(DEVICE_COOKIE, secret, { path: '/', httpOnly: true, sameSite: 'lax', secure: this.config.secureCookies, maxAge: DEVICE_TTL });
    }
    await this.dataSource.manager.upsert(KnownDeviceEntity, { storageKey: hashOf(secret), sub, lastSeenAt: nowSeconds(this.clock) }, ['storageKey', 'sub']);
  }

  private async isKnownDevice(attempt: LoginAttempt): Promise<boolean> {
    if (!attempt.device || !attempt.sub || attempt.device.length > 64) return false;
    const row = await this.dataSource.manager.findOneBy(KnownDeviceEntity, { storageKey: hashOf(attempt.device), sub: attempt.sub });
    return row !== null && row.lastSeenAt > nowSeconds(this.clock) - DEVICE_TTL;
  }

  /** Counts a failure atomically (one upsert, safe across replicas) and locks at the threshold. */
  private async count(key: string, policy: ThrottlePolicy): Promise<{ lockedNow: boolean; lockedUntil: number }> {
    const now = nowSeconds(this.clock);
    const stale = now - policy.windowSeconds;
    const pg = this.dataSource.options.type === 'postgres';
    const p = (n: number) => (pg ? `$${n}` : '?');
    const rows = (await this.dataSource.query(
      `INSERT INTO "login_throttle" ("key", "failures", "first_failure_at", "last_failure_at", "locked_until") VALUES (${p(1)}, 1, ${p(2)}, ${p(3)}, NULL)
       ON CONFLICT ("key") DO UPDATE SET
         "failures" = CASE WHEN "login_throttle"."last_failure_at" < ${p(4)} THEN 1 ELSE "login_throttle"."failures" + 1 END,
         "first_failure_at" = CASE WHEN "login_throttle"."last_failure_at" < ${p(5)} THEN ${p(6)} ELSE "login_throttle"."first_failure_at" END,
         "last_failure_at" = ${p(7)}
       RETURNING "failures", "locked_until"`,
      [key, now, now, stale, stale, now, now],
    )) as Array<{ failures: number | string; locked_until: number | string | null }>;
    const failures = Number(rows[0]?.failures ?? 1);
    // Locks at the threshold, and again after as many more failures once a lock has passed.
    if (failures % policy.lockAfter !== 0) return { lockedNow: false, lockedUntil: 0 };
    const lockedUntil = now + policy.lockSeconds;
    await this.dataSource.manager.update(LoginThrottleEntity, { key }, { lockedUntil });
    return { lockedNow: true, lockedUntil };
  }

  private async notifyLock(sub: string, lockedUntil: number) {
    await inTransaction(this.dataSource, async (manager) => {
      const user = await manager.findOneBy(UserEntity, { sub });
      await this.outbox.add(manager, 'account.locked', { sub });
      if (user?.email) {
        await this.outbox.add(manager, 'mail.requested', {
          to: user.email,
          template: 'account-locked',
          params: { locked_until: new Date(lockedUntil * 1000).toISOString() },
        });
      }
    });
  }
}

/** When the next attempt may run, given the failures so far. */
export function nextAllowed(row: Pick<LoginThrottleEntity, 'failures' | 'lastFailureAt' | 'lockedUntil'>, policy: ThrottlePolicy): number {
  const locked = row.lockedUntil ?? 0;
  if (row.failures < policy.freeFailures) return locked;
  const delay = Math.min(policy.maxDelaySeconds, 2 ** (row.failures - policy.freeFailures));
  return Math.max(locked, row.lastFailureAt + delay);
}

const describeWait = (seconds: number) => (seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`);
