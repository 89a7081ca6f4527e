import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DataSource, type EntityManager } from 'typeorm';
import { inTransaction, Outbox } from '@tessera/events';
import { AUTH_CLOCK, AUTH_SERVICE_DATA_SOURCE, nowSeconds, type Clock } from '../auth-service.tokens';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { clientIp, deleteBatch } from '@tessera/runtime';
import { FlowError } from '../http/flow-error';
import { AuthHousekeepingService } from '../housekeeping.service';
import { LoginSessionsService, type LoginSession } from '../sessions/login-sessions.service';
import { SecondFactorFailureEntity } from './entities';

/** Wrong codes one login session may send before it ends (the person starts the login again). */
export const SESSION_FAILURE_LIMIT = 5;
/**
 * Wrong codes per user across sessions within USER_FAILURE_WINDOW: someone who knows the
 * password cannot buy unlimited guesses by starting login after login.
 */
export const USER_FAILURE_LIMIT = 20;
export const USER_FAILURE_WINDOW = 3600;
/** A session's count lasts as long as a session could still be asked for a code; older rows are purged. */
const SESSION_FAILURE_WINDOW = 86_400;

const sessionKey = (session: LoginSession) => `session:${session.id}`;
const userKey = (sub: string) => `user:${sub}`;

/**
 * Brute-force protection for every second-factor code (TOTP, recovery, email): each try is
 * counted against the login session and the user *before* the code is checked, so requests
 * sent in parallel cannot exceed the limits. A wrong code keeps its count: at the session's
 * limit the session ends, at the user's limit codes are refused until the window passes. A
 * right code clears both counts; a try that checked nothing (no code to check) is refunded.
 */
@Injectable()
export class SecondFactorAttempts implements OnModuleInit {
  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
    private readonly sessions: LoginSessionsService,
    private readonly outbox: Outbox,
    private readonly housekeeping: AuthHousekeepingService,
  ) {}

  onModuleInit() {
    // Old counts go in the periodic sweep, not in each try's transaction (where concurrent
    // deletes of the same rows could deadlock on PostgreSQL).
    this.housekeeping.register('mfa_failures', (now, limit) =>
      deleteBatch(this.dataSource, { table: SecondFactorFailureEntity, where: '"first_failure_at" < $1', params: [now - SESSION_FAILURE_WINDOW], limit }),
    );
  }

  /**
   * Spends one try; returns how many the session has spent with it. Throws `too_many_attempts`
   * while the user is over their limit (spending nothing), and `login_required` (ending the
   * session) when the session has none left.
   */
  async spend(session: LoginSession): Promise<number> {
    const now = nowSeconds(this.clock);
    const spent = await inTransaction(this.dataSource, async (manager) => {
      const user = await this.increment(manager, userKey(session.sub), session.sub, now, USER_FAILURE_WINDOW);
      if (user.failures > USER_FAILURE_LIMIT) {
        // Thrown inside the transaction: the increments roll back, the window keeps its start.
        throw new FlowError('too_many_attempts', 'Too many wrong codes for this account. Try again later.', { retry_after: user.firstFailureAt + USER_FAILURE_WINDOW - now });
      }
      return (await this.increment(manager, sessionKey(session), session.sub, now, SESSION_FAILURE_WINDOW)).failures;
    });
    if (spent > SESSION_FAILURE_LIMIT) await this.endSession(session);
    return spent;
  }

  /** Gives back a try that checked no code (there was none to check against). */
  async refund(session: LoginSession): Promise<void> {
    await inTransaction(this.dataSource, (manager) =>
      manager
        .createQueryBuilder()
        .update(SecondFactorFailureEntity)
        .set({ failures: () => '"failures" - 1' })
        .where('"key" IN (:...keys) AND "failures" > 0', { keys: [sessionKey(session), userKey(session.sub)] })
        .execute(),
    );
  }

  /**
   * A wrong code (its try already spent): recorded as a failed login, then refused with
   * `invalid_credentials` and the tries left, or `login_required` when it was the session's last.
   */
  async failed(req: FastifyRequest, session: LoginSession, spent: number, clientId?: string): Promise<never> {
    await inTransaction(this.dataSource, (manager) =>
      this.outbox.add(manager, 'login.failed', { sub: session.sub, ip: clientIp(req, this.config.trustedProxies), ...(clientId ? { clientId } : {}) }),
    );
    if (spent >= SESSION_FAILURE_LIMIT) await this.endSession(session);
    throw new FlowError('invalid_credentials', 'The code is not correct.', { attempts_remaining: SESSION_FAILURE_LIMIT - spent });
  }

  async succeeded(session: LoginSession): Promise<void> {
    await inTransaction(this.dataSource, (manager) => manager.delete(SecondFactorFailureEntity, [{ key: sessionKey(session) }, { key: userKey(session.sub) }]));
  }

  private async endSession(session: LoginSession): Promise<never> {
    // The session's count stays (purged a day later): requests already past the session check
    // must still find its tries used up.
    await this.sessions.end(undefined, session);
    throw new FlowError('login_required', 'Too many wrong codes: this sign-in has ended. Start again with your password.');
  }

  /**
   * One more try under `key`, in one atomic statement on both engines: an upsert that restarts
   * the count when the previous window has passed, returning the row as it now is. (An
   * insert-then-update pair could lose the row to a concurrent success deleting it in between.)
   */
  private async increment(manager: EntityManager, key: string, sub: string, now: number, windowSeconds: number): Promise<{ failures: number; firstFailureAt: number }> {
    const windowStart = Math.max(0, now - windowSeconds);
    const p = (n: number) => (this.dataSource.options.type === 'postgres' ? `$${n}` : '?');
    const rows = (await manager.query(
      `INSERT INTO "mfa_failures" ("key", "sub", "failures", "first_failure_at") VALUES (${p(1)}, ${p(2)}, 1, ${p(3)})
       ON CONFLICT ("key") DO UPDATE SET
         "failures" = CASE WHEN "mfa_failures"."first_failure_at" < ${p(4)} THEN 1 ELSE "mfa_failures"."failures" + 1 END,
         "first_failure_at" = CASE WHEN "mfa_failures"."first_failure_at" < ${p(5)} THEN ${p(6)} ELSE "mfa_failures"."first_failure_at" END
       RETURNING "failures", "first_failure_at"`,
      [key, sub, now, windowStart, windowStart, now],
    )) as Array<{ failures: number | string; first_failure_at: number | string }>;
    const row = rows[0];
    if (!row) throw new Error(`upsert of ${key} returned no row`);
    return { failures: Number(row.failures), firstFailureAt: Number(row.first_failure_at) };
  }
}
