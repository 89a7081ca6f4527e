import { createHash, randomBytes } from 'node:crypto';
import * as ipaddr from 'ipaddr.js';
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

/** How long one password check may hold its account's slot (a crashed request frees it then). */
const IN_FLIGHT_SECONDS = 10;

/**
 * Password throttling in the database, so that every replica sees the same counts (and a
 * restart forgets nothing).
 *
 * Per account: one password check at a time (an atomic claim of the account's row, so that
 * parallel guesses cannot all pass the check before any is counted); after a few failures each
 * attempt must wait a doubling delay; at ten the account's password attempts lock for 15
 * minutes (`account.locked`, and a mail to the owner). A browser that signed in to the account
 * before (device cookie) is counted separately (`dev:<device>:<account>`, same rules), so
 * strangers cannot lock its owner out, and a stolen or shared browser still cannot guess
 * without limit; device cookies die with a password change. The lock never touches sessions.
 *
 * Per client IP (IPv6 per /64, what one subscriber gets): delays and a lock with more room.
 * Unknown accounts are counted exactly like known ones, so the throttle reveals nothing.
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
    const ip = await this.dataSource.manager.findOneBy(LoginThrottleEntity, { key: ipKey(attempt.ip) });
    const ipWait = ip?.nextAllowedAt ?? 0;
    if (ipWait > now) throw tooMany(ipWait - now);
    const key = await this.accountKey(attempt);
    if (!(await this.claim(key, now))) {
      const row = await this.dataSource.manager.findOneBy(LoginThrottleEntity, { key });
      const wait = Math.max(1, Math.max(row?.nextAllowedAt ?? 0, row?.inFlightUntil ?? 0) - now);
      // Not a failure: another check of this account is running (or died in the last seconds).
      if ((row?.nextAllowedAt ?? 0) <= now) throw inProgress(wait);
      throw tooMany(wait);
    }
  }

  async failed(attempt: LoginAttempt): Promise<void> {
    const now = nowSeconds(this.clock);
    const ip = await this.count(ipKey(attempt.ip), IP_POLICY, now);
    await this.settle(ipKey(attempt.ip), ip, now);
    const key = await this.accountKey(attempt);
    const account = await this.count(key, ACCOUNT_POLICY, now);
    await this.settle(key, account, now);
    if (account.lockedUntil && attempt.sub && key.startsWith('acct:')) await this.notifyLock(attempt.sub, account.lockedUntil);
  }

  async succeeded(attempt: LoginAttempt): Promise<void> {
    // The account's count starts over (and its slot is free); the IP's does not (one success does not excuse a spray).
    await this.dataSource.manager.delete(LoginThrottleEntity, { key: await this.accountKey(attempt) });
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

  /** The account's counter, or this known browser's own counter for the account. */
  private async accountKey(attempt: LoginAttempt): Promise<string> {
    return (await this.isKnownDevice(attempt)) ? `dev:${hashOf(attempt.device as string)}:${attempt.account}` : `acct:${attempt.account}`;
  }

  private async isKnownDevice(attempt: LoginAttempt): Promise<boolean> {
    if (!attempt.device || !attempt.sub || attempt.device.length > 64) return false;
    const row = await this.dataSource.manager.findOneBy(KnownDeviceEntity, { storageKey: hashOf(attempt.device), sub: attempt.sub });
    return row !== null && row.lastSeenAt > nowSeconds(this.clock) - DEVICE_TTL;
  }

  /** Takes the key's slot if its next attempt is due and no other check holds it: one conditional UPDATE. */
  private async claim(key: string, now: number): Promise<boolean> {
    const m = this.dataSource.manager;
    await m.createQueryBuilder().insert().into(LoginThrottleEntity).values({ key, failures: 0, firstFailureAt: now, lastFailureAt: 0, lockedUntil: null, nextAllowedAt: 0, inFlightUntil: null }).orIgnore().execute();
    const result = await m
      .createQueryBuilder()
      .update(LoginThrottleEntity)
      .set({ inFlightUntil: now + IN_FLIGHT_SECONDS })
      .where('"key" = :key AND "next_allowed_at" <= :now AND ("in_flight_until" IS NULL OR "in_flight_until" <= :now)', { key, now })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Counts a failure atomically (one upsert, safe across replicas). */
  private async count(key: string, policy: ThrottlePolicy, now: number): Promise<{ failures: number; lockedUntil: number; policy: ThrottlePolicy }> {
    const stale = now - policy.windowSeconds;
    const pg = this.dataSource.options.type === 'postgres';
    const p = (n: number) => (pg ? `$${n}` : '?');
    const rows = (await this.dataSource.query(
      `INSERT INTO "login_throttle" ("key", "failures", "first_failure_at", "last_failure_at", "locked_until", "next_allowed_at") VALUES (${p(1)}, 1, ${p(2)}, ${p(3)}, NULL, 0)
       ON CONFLICT ("key") DO UPDATE SET
         "failures" = CASE WHEN "login_throttle"."last_failure_at" < ${p(4)} THEN 1 ELSE "login_throttle"."failures" + 1 END,
         "first_failure_at" = CASE WHEN "login_throttle"."last_failure_at" < ${p(5)} THEN ${p(6)} ELSE "login_throttle"."first_failure_at" END,
         "last_failure_at" = ${p(7)}
       RETURNING "failures"`,
      [key, now, now, stale, stale, now, now],
    )) as Array<{ failures: number | string }>;
    const failures = Number(rows[0]?.failures ?? 1);
    // Locks at the threshold, and again after as many more failures once a lock has passed.
    const lockedUntil = failures % policy.lockAfter === 0 ? now + policy.lockSeconds : 0;
    return { failures, lockedUntil, policy };
  }

  /** Records when the key's next attempt may run, and frees its slot. */
  private async settle(key: string, counted: { failures: number; lockedUntil: number; policy: ThrottlePolicy }, now: number) {
    const delay = delayAfter(counted.failures, counted.policy);
    const next = Math.max(counted.lockedUntil, delay ? now + delay : 0);
    await this.dataSource.manager.update(
      LoginThrottleEntity,
      { key },
      { nextAllowedAt: next, inFlightUntil: null, ...(counted.lockedUntil ? { lockedUntil: counted.lockedUntil } : {}) },
    );
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

/** The wait after `failures` failures in a row: none for the first few, then doubling up to the cap. */
export function delayAfter(failures: number, policy: ThrottlePolicy): number {
  return failures < policy.freeFailures ? 0 : Math.min(policy.maxDelaySeconds, 2 ** (failures - policy.freeFailures));
}

/** An IPv4 address counts alone; an IPv6 address by its /64 (one subscriber's usual allocation). */
export function ipKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return `ip:${ip}`;
  const parsed = ipaddr.process(ip);
  if (parsed.kind() === 'ipv4') return `ip:${parsed.toString()}`;
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `ip:${parts.join(':')}::/64`;
}

const tooMany = (retryAfter: number) =>
  new FlowError('too_many_attempts', `Too many failed sign-in attempts. Try again in ${describeWait(retryAfter)}.`, { retry_after: retryAfter });

const inProgress = (retryAfter: number) =>
  new FlowError('too_many_attempts', `Another sign-in to this account is in progress. Try again in ${describeWait(retryAfter)}.`, { retry_after: retryAfter });
const describeWait = (seconds: number) => (seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`);
