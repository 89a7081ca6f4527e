import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { inTransaction, Outbox } from '@tessera/events';
import { AUTH_CLOCK, AUTH_SERVICE_DATA_SOURCE, nowSeconds, type Clock } from '../auth-service.tokens';
import { RecoveryCodeEntity } from './entities';

export const RECOVERY_CODE_COUNT = 10;

/** Crockford's base32 alphabet: no I, L, O, U, so that nothing written down is misread. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** 16 symbols of 5 bits: 80 random bits, too many to guess or to brute-force from a SHA-256. */
const SYMBOLS = 16;

/** A new code, as `xxxx-xxxx-xxxx-xxxx`. */
export function newRecoveryCode(): string {
  const bytes = randomBytes(SYMBOLS);
  // 256 is a multiple of 32: taking 5 bits of each byte is unbiased.
  const symbols = Array.from(bytes, (b) => ALPHABET[b & 31]).join('');
  return (symbols.match(/.{4}/g) as string[]).join('-');
}

/**
 * The canonical form of what a person typed: case, spaces and dashes ignored, and the letters
 * Crockford's base32 reads as digits (I and L as 1, O as 0) mapped. Null when it cannot be a code.
 */
export function normalizeRecoveryCode(input: string): string | null {
  const compact = input
    .toLowerCase()
    .replace(/[\s-]+/g, '')
    .replace(/[il]/g, '1')
    .replace(/o/g, '0');
  if (compact.length !== SYMBOLS || ![...compact].every((c) => ALPHABET.includes(c))) return null;
  return compact;
}

const hashOf = (normalized: string) => createHash('sha256').update(normalized).digest('base64url');

/**
 * Recovery codes: a set of ten, shown once when generated, stored hashed, each usable once.
 * Generating a new set replaces the old one entirely.
 */
@Injectable()
export class RecoveryCodesService {
  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    private readonly outbox: Outbox,
  ) {}

  /** Unused codes left (0 when there is no set). */
  remaining(sub: string): Promise<number> {
    return this.dataSource.manager.countBy(RecoveryCodeEntity, { sub, usedAt: IsNull() });
  }

  /** When the current set was generated, or null. */
  async generatedAt(sub: string): Promise<number | null> {
    const one = await this.dataSource.manager.findOne(RecoveryCodeEntity, { where: { sub }, order: { createdAt: 'DESC' } });
    return one?.createdAt ?? null;
  }

  /** Replaces the user's set with ten new codes, returned in clear this once (`mfa.changed`). */
  async generate(sub: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    const now = nowSeconds(this.clock);
    await inTransaction(this.dataSource, async (manager) => {
      await manager.delete(RecoveryCodeEntity, { sub });
      await manager.insert(
        RecoveryCodeEntity,
        codes.map((code) => ({ id: randomUUID(), sub, codeHash: hashOf(normalizeRecoveryCode(code) as string), createdAt: now, usedAt: null })),
      );
      await this.outbox.add(manager, 'mfa.changed', { sub, factor: 'recovery_code', change: 'added' });
    });
    return codes;
  }

  /** An administrator's MFA reset: the set goes (`mfa.changed`); true when there was one. */
  async reset(sub: string): Promise<boolean> {
    return inTransaction(this.dataSource, async (manager) => {
      const removed = (await manager.delete(RecoveryCodeEntity, { sub })).affected ?? 0;
      if (removed > 0) await this.outbox.add(manager, 'mfa.changed', { sub, factor: 'recovery_code', change: 'removed' });
      return removed > 0;
    });
  }

  /** Uses one code: true only for an unused code of this user, and only once (conditional UPDATE). */
  async consume(sub: string, input: string): Promise<boolean> {
    const normalized = normalizeRecoveryCode(input);
    if (!normalized) return false;
    return inTransaction(this.dataSource, async (manager) => {
      const result = await manager.update(RecoveryCodeEntity, { sub, codeHash: hashOf(normalized), usedAt: IsNull() }, { usedAt: nowSeconds(this.clock) });
      return (result.affected ?? 0) === 1;
    });
  }
}
