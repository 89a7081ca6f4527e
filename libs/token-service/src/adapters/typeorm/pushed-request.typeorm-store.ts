import type { DataSource } from 'typeorm';
import { deleteBatch } from '@tessera/runtime';
import { PushedRequestStore, type PushedRequest } from '../../ports/pushed-request.store';
import type { Transaction } from '../../ports/unit-of-work';
import { managerOf } from './data-source';
import { PushedRequestEntity } from './entities';

export class PushedRequestTypeormStore extends PushedRequestStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async insert(request: PushedRequest, tx?: Transaction) {
    await managerOf(this.dataSource, tx).insert(PushedRequestEntity, { ...request, params: JSON.stringify(request.params) });
  }

  async take(storageKey: string, clientId: string): Promise<PushedRequest | undefined> {
    const row = await this.dataSource.manager.findOneBy(PushedRequestEntity, { storageKey, clientId });
    if (!row) return undefined;
    // The delete decides between two concurrent uses: only the one that removed the row wins.
    const { affected } = await this.dataSource.manager.delete(PushedRequestEntity, { storageKey, clientId });
    if (!affected) return undefined;
    return { storageKey: row.storageKey, clientId: row.clientId, params: JSON.parse(row.params) as Record<string, string[]>, expiresAt: row.expiresAt };
  }

  deleteExpired(now: number, limit: number) {
    return deleteBatch(this.dataSource, { table: PushedRequestEntity, where: '"expires_at" < $1', params: [now], limit });
  }
}
