import { IsNull, LessThan, MoreThan, type DataSource } from 'typeorm';
import { OpSessionStore, type OpSession } from '../../ports/op-session.store';
import type { Transaction } from '../../ports/unit-of-work';
import { managerOf } from './data-source';
import { OpSessionEntity } from './entities';

export class OpSessionTypeormStore extends OpSessionStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }
  async insert(s: OpSession, tx?: Transaction) {
    await managerOf(this.dataSource, tx).insert(OpSessionEntity, { ...s, acr: s.acr ?? null, endedAt: s.endedAt ?? null });
  }
  async findActive(storageKey: string, now: number) {
    const row = await this.dataSource.manager.findOneBy(OpSessionEntity, { storageKey, endedAt: IsNull(), expiresAt: MoreThan(now) });
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
