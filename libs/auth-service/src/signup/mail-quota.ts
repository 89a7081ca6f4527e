import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AUTH_CLOCK, AUTH_SERVICE_DATA_SOURCE, nowSeconds, type Clock } from '../auth-service.tokens';

/** How many mails of each kind one account may be sent per hour. */
export const MAIL_QUOTAS = {
  /** Password reset links: enough for a person whose mail is slow, too few to flood them. */
  reset: { limit: 5, windowSeconds: 3600 },
  /** "Someone tried to sign up with your address." */
  signupNotice: { limit: 3, windowSeconds: 3600 },
  /** Email change confirmations to new addresses (each one a mail to an address the caller chose). */
  emailChange: { limit: 5, windowSeconds: 3600 },
  /** Verification mails asked for again. */
  verification: { limit: 5, windowSeconds: 3600 },
} as const;

export type MailQuotaKind = keyof typeof MAIL_QUOTAS;

/**
 * Caps the mails one account can be made to receive (or send to others), in a fixed window per
 * account and kind, counted in the database so that every replica shares the count. `take` is
 * one upsert, atomic on both engines.
 */
@Injectable()
export class MailQuota {
  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
  ) {}

  /** Counts one mail; `allowed` is false once the window's quota is spent (`retryAfter` seconds until it renews). */
  async take(kind: MailQuotaKind, sub: string, manager: EntityManager = this.dataSource.manager): Promise<{ allowed: boolean; retryAfter: number }> {
    const { limit, windowSeconds } = MAIL_QUOTAS[kind];
    const now = nowSeconds(this.clock);
    const stale = now - windowSeconds;
    const pg = this.dataSource.options.type === 'postgres';
    const p = (n: number) => (pg ? `$${n}` : '?');
    const rows = (await manager.query(
      `INSERT INTO "mail_quota" ("key", "count", "window_start") VALUES (${p(1)}, 1, ${p(2)})
       ON CONFLICT ("key") DO UPDATE SET
         "count" = CASE WHEN "mail_quota"."window_start" <= ${p(3)} THEN 1 ELSE "mail_quota"."count" + 1 END,
         "window_start" = CASE WHEN "mail_quota"."window_start" <= ${p(4)} THEN ${p(5)} ELSE "mail_quota"."window_start" END
       RETURNING "count", "window_start"`,
      [`${kind}:${sub}`, now, stale, stale, now],
    )) as Array<{ count: number | string; window_start: number | string }>;
    const count = Number(rows[0]?.count ?? 1);
    const windowStart = Number(rows[0]?.window_start ?? now);
    return { allowed: count <= limit, retryAfter: Math.max(1, windowStart + windowSeconds - now) };
  }
}
