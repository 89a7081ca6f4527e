import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, IsNull, LessThan, MoreThan } from 'typeorm';
import { inTransaction } from '@tessera/events';
import { MasterKeyring } from '@tessera/runtime';
import { AUTH_CLOCK, AUTH_SERVICE_DATA_SOURCE, nowSeconds, type Clock } from '../auth-service.tokens';
import type { UserEntity } from '../database/entities/user.entity';
import { FlowError } from '../http/flow-error';
import type { LoginSession } from '../sessions/login-sessions.service';
import { EmailCodeEntity } from './entities';
import { MailRequests } from '../mail/mail-requests';

/** A mailed code lives ten minutes. */
export const EMAIL_CODE_TTL = 600;
/** Tries per code (the login session's own limit applies on top). */
export const EMAIL_CODE_MAX_ATTEMPTS = 3;
/** Between two mails for one login session; and at most so many per session and per user and hour. */
export const EMAIL_CODE_RESEND_AFTER = 30;
export const EMAIL_CODES_PER_SESSION = 5;
export const EMAIL_CODES_PER_USER_HOUR = 10;
export const EMAIL_CODE_TEMPLATE = 'mfa-email-code';

const HMAC_LABEL = 'auth-service mfa email-code v1';

/** Whether the user can receive codes: only an address they proved they read. */
export const canReceiveEmailCodes = (user: UserEntity | null): user is UserEntity & { email: string } => !!user?.email && user.emailVerified;

/**
 * One-time codes mailed as a second factor (through `mail.requested`, written to the outbox with
 * the code row). A code belongs to one login session, is stored as an HMAC, and is good for ten
 * minutes, one use and a few tries; sending a new one retires the previous one.
 */
@Injectable()
export class EmailCodesService {
  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    private readonly keyring: MasterKeyring,
    private readonly mail: MailRequests,
  ) {}

  /** Mails a new code for this login session; returns how long it is good for. */
  async send(session: LoginSession, user: UserEntity): Promise<{ expires_in: number }> {
    if (!canReceiveEmailCodes(user)) throw new FlowError('forbidden', 'This account has no verified email address to send a code to.');
    const now = nowSeconds(this.clock);
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const id = randomUUID();
    await inTransaction(this.dataSource, async (manager) => {
      // Rows older than an hour count for nothing any more.
      await manager.delete(EmailCodeEntity, { sub: user.sub, createdAt: LessThan(now - 3600) });
      const recent = await manager.find(EmailCodeEntity, { where: { sub: user.sub }, order: { createdAt: 'DESC' } });
      const ofSession = recent.filter((c) => c.loginSessionId === session.id);
      const last = ofSession[0];
      if (last && now - last.createdAt < EMAIL_CODE_RESEND_AFTER) {
        throw new FlowError('too_many_attempts', 'A code was just sent; wait a moment before asking for another.', { retry_after: EMAIL_CODE_RESEND_AFTER - (now - last.createdAt) });
      }
      if (ofSession.length >= EMAIL_CODES_PER_SESSION || recent.length >= EMAIL_CODES_PER_USER_HOUR) {
        throw new FlowError('too_many_attempts', 'Too many codes were sent. Try again later.', { retry_after: 3600 - (now - (recent.at(-1)?.createdAt ?? now)) });
      }
      await manager.update(EmailCodeEntity, { loginSessionId: session.id, endedAt: IsNull() }, { endedAt: now });
      await manager.insert(EmailCodeEntity, {
        id,
        sub: user.sub,
        loginSessionId: session.id,
        codeHash: this.hashOf(id, code),
        attempts: 0,
        createdAt: now,
        expiresAt: now + EMAIL_CODE_TTL,
        endedAt: null,
      });
      // The code is sealed under the master key inside the event: the outbox and the queue never hold it in clear.
      await this.mail.request(manager, { to: user.email as string, template: EMAIL_CODE_TEMPLATE, secrets: { code } });
    });
    return { expires_in: EMAIL_CODE_TTL };
  }

  /**
   * Checks a code against the session's live code. A try is spent before comparing (so parallel
   * guesses cannot exceed the limit), and the code is marked used by a conditional UPDATE.
   * Throws `invalid_request` when there is nothing to check against (no code sent, expired).
   */
  async verify(session: LoginSession, input: string): Promise<boolean> {
    const now = nowSeconds(this.clock);
    const live = await this.dataSource.manager.findOne(EmailCodeEntity, {
      where: { loginSessionId: session.id, sub: session.sub, endedAt: IsNull() },
      order: { createdAt: 'DESC' },
    });
    if (!live) throw new FlowError('invalid_request', 'No code is waiting for this sign-in: send one first.');
    if (live.expiresAt <= now) throw new FlowError('invalid_request', 'The code has expired: send a new one.');
    return inTransaction(this.dataSource, async (manager) => {
      const spent = await manager
        .createQueryBuilder()
        .update(EmailCodeEntity)
        .set({ attempts: () => '"attempts" + 1' })
        .where('"id" = :id AND "ended_at" IS NULL AND "attempts" < :max', { id: live.id, max: EMAIL_CODE_MAX_ATTEMPTS })
        .execute();
      if (!spent.affected) throw new FlowError('invalid_request', 'No code is waiting for this sign-in: send one first.');
      const code = input.replace(/\s+/g, '');
      const right = /^\d{6}$/.test(code) && safeEqual(this.hashOf(live.id, code), live.codeHash);
      if (right) {
        const used = await manager.update(EmailCodeEntity, { id: live.id, endedAt: IsNull(), expiresAt: MoreThan(now) }, { endedAt: now });
        return (used.affected ?? 0) === 1;
      }
      if (live.attempts + 1 >= EMAIL_CODE_MAX_ATTEMPTS) await manager.update(EmailCodeEntity, { id: live.id }, { endedAt: now });
      return false;
    });
  }

  /** HMAC-SHA256 under a key derived from the master key (rotation only retires codes that live minutes). */
  private hashOf(id: string, code: string): string {
    return createHmac('sha256', this.keyring.deriveKey(HMAC_LABEL)).update(`${id}.${code}`).digest('base64url');
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
