import { IsNull, LessThan, type DataSource } from 'typeorm';
import { OpSessionStore, type OpSession } from '../../ports/op-session.store';
import type { Transaction } from '../../ports/unit-of-work';
import { managerOf } from './data-source';
import { OpSessionEntity } from './entities';
import { FixedSql } from './fixed-sql';

export class OpSessionTypeormStore extends OpSessionStore {
  private readonly sql: FixedSql<OpSessionEntity>;

  constructor(private readonly dataSource: DataSource) {
    super();
    this.sql = new FixedSql(dataSource, OpSessionEntity);
  }
  async insert(s: OpSession, tx?: Transaction) {
    await this.sql.insert(Object.assign(new OpSessionEntity(), { ...s, acr: s.acr ?? null, endedAt: s.endedAt ?? null }), tx);
  }
  async findActive(storageKey: string, now: number) {
    const row = await this.sql.findOne('"storage_key" = $1 AND "ended_at" IS NULL AND "expires_at" > $2', [storageKey, now]);
    return row ? { ...row, acr: row.acr ?? undefined, endedAt: undefined } : undefined;
  }
  async end(storageKey: string, at: number) {
    return ((await this.dataSource.manager.update(OpSessionEntity, { storageKey, endedAt: IsNull() }, { endedAt: at })).affected ?? 0) > 0;
  }
  async endByLoginSession(loginSessionId: string, at: number, tx?: Transaction) {
    return (await managerOf(this.dataSource, tx).update(OpSessionEntity, { loginSessionId, endedAt: IsNull() }, { endedAt: at })).affected ?? 0;
  }
  async endBySub(sub: string, at: number, tx?: Transaction) {
    return (await managerOf(this.dataSource, tx).update(OpSessionEntity, { sub, endedAt: IsNull() }, { endedAt: at })).affected ?? 0;
  }
  async deleteExpired(now: number) {
    return (await this.dataSource.manager.delete(OpSessionEntity, { expiresAt: LessThan(now) })).affected ?? 0;
  }
}
