import { IsNull, type DataSource } from 'typeorm';
import { GrantStore, type Grant } from '../../ports/grant.store';
import type { Transaction } from '../../ports/unit-of-work';
import { managerOf } from './data-source';
import { GrantEntity } from './entities';

export class GrantTypeormStore extends GrantStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }
  async insert(grant: Grant, tx?: Transaction) {
    await managerOf(this.dataSource, tx).insert(GrantEntity, {
      ...grant,
      lastUsedAt: grant.lastUsedAt ?? null,
      revokedAt: grant.revokedAt ?? null,
    });
  }
  async find(id: string) {
    const row = await this.dataSource.manager.findOneBy(GrantEntity, { id });
    return row ? { ...row, lastUsedAt: row.lastUsedAt ?? undefined, revokedAt: row.revokedAt ?? undefined } : undefined;
  }
  async markRevoked(id: string, at: number, tx?: Transaction) {
    const res = await managerOf(this.dataSource, tx).update(GrantEntity, { id, revokedAt: IsNull() }, { revokedAt: at });
    return (res.affected ?? 0) > 0;
  }
  async lastRevocation(sub: string, clientId: string) {
    const row = await this.dataSource.manager
      .createQueryBuilder(GrantEntity, 'g')
      .select('MAX(g.revoked_at)', 'at')
      .where('g.sub = :sub AND g.client_id = :clientId', { sub, clientId })
      .getRawOne<{ at: string | number | null }>();
    return row?.at == null ? undefined : Number(row.at);
  }
}
