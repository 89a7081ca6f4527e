import { createHash, createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { deleteBatch, isUniqueViolation, MasterKeyring } from '@tessera/runtime';
import { DataSource } from 'typeorm';
import { ADMIN_API_DATA_SOURCE, ADMIN_CLOCK, type Clock } from '../admin-api.tokens';
import type { Actor } from '../auth/admin.guard';
import { IdempotencyKeyEntity } from '../database/entities/idempotency-key.entity';
import { Problem } from './problem';

const KEEP_MS = 24 * 3600 * 1000;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Idempotency keys on creates (the IETF `Idempotency-Key` header draft): a retried create with
 * the same key and the same body gets the first answer again, however often it is sent (a
 * client is created once, its secret shown in that one answer, which is kept encrypted); the
 * same key with another body is refused (422), and while the first is still running (409).
 */
@Injectable()
export class Idempotency {
  constructor(
    @Inject(ADMIN_API_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(ADMIN_CLOCK) private readonly clock: Clock,
    private readonly keyring: MasterKeyring,
  ) {}

  async run<T>(actor: Actor, route: string, key: string | string[] | undefined, body: unknown, create: () => Promise<T>): Promise<T> {
    if (key === undefined) return create();
    if (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key)) throw Problem.badRequest('Idempotency-Key must be 1 to 255 visible ASCII characters, given once.');
    const storageKey = sha256(`${actor.type}:${actor.id}\n${route}\n${key}`);
    // Keyed: a create's body may hold a password or an upstream secret, which a plain hash would
    // leave open to guessing offline.
    const requestHash = createHmac('sha256', this.keyring.deriveKey('admin-api.idempotency')).update(JSON.stringify(body ?? null)).digest('hex');
    try {
      await this.dataSource.manager.insert(IdempotencyKeyEntity, { storageKey, requestHash, status: null, response: null, createdAt: this.clock() });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return this.replay<T>(storageKey, requestHash);
    }
    let result: T;
    try {
      result = await create();
    } catch (err) {
      // Nothing was created: the key may be used again.
      await this.dataSource.manager.delete(IdempotencyKeyEntity, { storageKey });
      throw err;
    }
    const response = await this.keyring.encrypt(JSON.stringify(result), `idempotency:${storageKey}`);
    await this.dataSource.manager.update(IdempotencyKeyEntity, { storageKey }, { status: 201, response });
    return result;
  }

  /** Housekeeping: keys older than a day go, at most `limit` in one statement; returns how many. */
  deleteExpired(limit: number): Promise<number> {
    return deleteBatch(this.dataSource, { table: IdempotencyKeyEntity, where: '"created_at" < $1', params: [this.clock() - KEEP_MS], limit });
  }

  private async replay<T>(storageKey: string, requestHash: string): Promise<T> {
    const found = await this.dataSource.manager.findOneBy(IdempotencyKeyEntity, { storageKey });
    if (!found) throw Problem.conflict('A request with this Idempotency-Key just failed; send it again.');
    if (found.requestHash !== requestHash) throw new Problem(422, 'idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
    if (found.response === null) throw Problem.conflict('A request with this Idempotency-Key is still being processed.');
    return JSON.parse(await this.keyring.decrypt(found.response, `idempotency:${storageKey}`)) as T;
  }
}
