import type { DataSource } from 'typeorm';
import { deleteBatch } from '@tessera/runtime';
import { ReplayCache } from '../../ports/replay-cache';
import { isUniqueViolation } from './data-source';
import { ReplayEntryEntity } from './entities';

/** The primary key makes "seen before?" atomic across replicas: the second insert fails. */
export class ReplayCacheTypeormStore extends ReplayCache {
  constructor(private readonly dataSource: DataSource) {
    super();
  }
  async useOnce(key: string, expiresAt: number): Promise<boolean> {
    try {
      await this.dataSource.manager.insert(ReplayEntryEntity, { key, expiresAt });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }
  deleteExpired(now: number, limit: number) {
    return deleteBatch(this.dataSource, { table: ReplayEntryEntity, where: '"expires_at" < $1', params: [now], limit });
  }
}
