import { IsNull, type DataSource } from 'typeorm';
import { deleteBatch } from '@tessera/runtime';
import { InitialAccessTokenStore, type InitialAccessToken } from '../../ports/initial-access-token.store';
import { InitialAccessTokenEntity } from './entities/initial-access-token.entity';

export class InitialAccessTokenTypeormStore extends InitialAccessTokenStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }
  async insert(t: InitialAccessToken) {
    await this.dataSource.manager.insert(InitialAccessTokenEntity, {
      ...t,
      description: t.description ?? null,
      scopes: t.scopes ?? null,
      expiresAt: t.expiresAt ?? null,
      revokedAt: t.revokedAt ?? null,
      lastUsedAt: t.lastUsedAt ?? null,
    });
  }
  async findActive(tokenHash: string, now: number) {
    const row = await this.dataSource.manager.findOneBy(InitialAccessTokenEntity, { tokenHash, revokedAt: IsNull() });
    if (!row || (row.expiresAt !== null && row.expiresAt <= now)) return undefined;
    return toDomain(row);
  }
  async list() {
    return (await this.dataSource.manager.find(InitialAccessTokenEntity, { order: { createdAt: 'DESC', id: 'ASC' } })).map(toDomain);
  }
  async revoke(id: string, at: number) {
    return ((await this.dataSource.manager.update(InitialAccessTokenEntity, { id, revokedAt: IsNull() }, { revokedAt: at })).affected ?? 0) > 0;
  }
  deleteFinishedBefore(cutoff: number, limit: number) {
    return deleteBatch(this.dataSource, { table: InitialAccessTokenEntity, where: '"revoked_at" < $1 OR "expires_at" < $1', params: [cutoff], limit });
  }
  async recordUse(id: string, at: number) {
    await this.dataSource.manager.increment(InitialAccessTokenEntity, { id }, 'uses', 1);
    await this.dataSource.manager.update(InitialAccessTokenEntity, { id }, { lastUsedAt: at });
  }
}

function toDomain(row: InitialAccessTokenEntity): InitialAccessToken {
  return {
    id: row.id,
    tokenHash: row.tokenHash,
    ...(row.description !== null ? { description: row.description } : {}),
    ...(row.scopes !== null ? { scopes: row.scopes } : {}),
    ...(row.expiresAt !== null ? { expiresAt: row.expiresAt } : {}),
    createdAt: row.createdAt,
    ...(row.revokedAt !== null ? { revokedAt: row.revokedAt } : {}),
    ...(row.lastUsedAt !== null ? { lastUsedAt: row.lastUsedAt } : {}),
    uses: row.uses,
  };
}
