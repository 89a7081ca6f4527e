import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In, IsNull, LessThan, MoreThan, type EntityManager } from 'typeorm';
import { AUTH_CLOCK, AUTH_SERVICE_DATA_SOURCE, nowSeconds, type Clock } from '../auth-service.tokens';
import { FlowError } from '../http/flow-error';
import { VerificationTokenEntity, type VerificationPurpose } from './verification-token.entity';

/** How long each kind of token lives (seconds). */
export const TOKEN_TTL: Record<VerificationPurpose, number> = {
  verify_email: 24 * 3600,
  change_email: 24 * 3600,
  // A reset link is as good as the password: short-lived.
  reset_password: 30 * 60,
  signup_signin: 30 * 60,
};

/** 256 random bits, base64url: 43 characters. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;
const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

export type VerificationToken = VerificationTokenEntity;

/**
 * Single-use tokens that prove control of an address (or of the browser that signed up). The
 * value goes to its holder once and is never stored, logged or put in an event in clear: the
 * table keeps its SHA-256. Using one is a single conditional UPDATE (unspent, unexpired, of the
 * expected purpose), so two concurrent uses cannot both succeed, on either engine.
 */
@Injectable()
export class VerificationTokens {
  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
  ) {}

  /** A new token for `sub`; the caller sends its value, which exists nowhere else. */
  async issue(manager: EntityManager, input: { purpose: VerificationPurpose; sub: string; email: string }): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = nowSeconds(this.clock);
    // Housekeeping on the way: this user's rows that ended more than a day ago.
    await manager.delete(VerificationTokenEntity, { sub: input.sub, expiresAt: LessThan(now - 86_400) });
    await manager.insert(VerificationTokenEntity, {
      tokenHash: hashOf(token),
      purpose: input.purpose,
      sub: input.sub,
      email: input.email,
      createdAt: now,
      expiresAt: now + TOKEN_TTL[input.purpose],
      consumedAt: null,
    });
    return token;
  }

  /** The live token of one of `purposes`, without using it; else `invalid_link` saying why. */
  async peek(token: unknown, purposes: VerificationPurpose[], manager = this.dataSource.manager): Promise<VerificationToken> {
    const row = await this.lookUp(token, manager);
    refuseUnusable(row, purposes, nowSeconds(this.clock));
    return row as VerificationToken;
  }

  /** Uses the token (once: atomically); `invalid_link` when it is unknown, spent, expired or of another purpose. */
  async consume(token: unknown, purposes: VerificationPurpose[], manager = this.dataSource.manager): Promise<VerificationToken> {
    if (typeof token === 'string' && TOKEN_FORMAT.test(token)) {
      const now = nowSeconds(this.clock);
      const tokenHash = hashOf(token);
      const result = await manager.update(
        VerificationTokenEntity,
        { tokenHash, purpose: In(purposes), consumedAt: IsNull(), expiresAt: MoreThan(now) },
        { consumedAt: now },
      );
      if (result.affected) return (await manager.findOneByOrFail(VerificationTokenEntity, { tokenHash })) as VerificationToken;
    }
    // Lost the race, or never usable: say which, from the row as it is now.
    refuseUnusable(await this.lookUp(token, manager), purposes, nowSeconds(this.clock));
    throw invalidLink('This link was used already, or a newer one replaced it.', 'used');
  }

  /** Spends every outstanding token of the user (of some purposes, or all): after a reset or an email change. */
  async revokeAllOf(manager: EntityManager, sub: string, purposes?: VerificationPurpose[]): Promise<void> {
    await manager.update(
      VerificationTokenEntity,
      { sub, consumedAt: IsNull(), ...(purposes ? { purpose: In(purposes) } : {}) },
      { consumedAt: nowSeconds(this.clock) },
    );
  }

  private async lookUp(token: unknown, manager: EntityManager): Promise<VerificationTokenEntity | null> {
    if (typeof token !== 'string' || !TOKEN_FORMAT.test(token)) return null;
    return manager.findOneBy(VerificationTokenEntity, { tokenHash: hashOf(token) });
  }
}

function refuseUnusable(row: VerificationTokenEntity | null, purposes: VerificationPurpose[], now: number): void {
  // A token of another purpose is as unknown here as a made-up one.
  if (!row || !purposes.includes(row.purpose)) throw invalidLink('This link is not valid. Check that you opened the whole link from the mail.', 'unknown');
  if (row.consumedAt !== null) throw invalidLink('This link was used already, or a newer one replaced it.', 'used');
  if (row.expiresAt <= now) throw invalidLink('This link has expired. Ask for a new one.', 'expired');
}

const invalidLink = (description: string, reason: 'unknown' | 'used' | 'expired') => new FlowError('invalid_link', description, { reason });

export const isTokenShaped = (value: unknown): value is string => typeof value === 'string' && TOKEN_FORMAT.test(value);
