import { LessThan, type DataSource } from 'typeorm';
import { SigningKeyStore, type StoredSigningKey } from '../../ports/signing-key.store';
import type { Transaction } from '../../ports/unit-of-work';
import { managerOf } from './data-source';
import { SigningKeyEntity } from './entities';

export class SigningKeyTypeormStore extends SigningKeyStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }
  async list(): Promise<StoredSigningKey[]> {
    const rows = await this.dataSource.manager.find(SigningKeyEntity, { order: { createdAt: 'ASC', kid: 'ASC' } });
    return rows.map((r) => ({
      ...r,
      state: r.state as StoredSigningKey['state'],
      publicJwk: r.publicJwk as Record<string, unknown>,
      activatedAt: r.activatedAt ?? undefined,
      retiredAt: r.retiredAt ?? undefined,
      publishUntil: r.publishUntil ?? undefined,
    }));
  }
  async insert(key: StoredSigningKey, tx?: Transaction) {
    await managerOf(this.dataSource, tx).insert(SigningKeyEntity, toRow(key));
  }
  async save(key: StoredSigningKey, tx?: Transaction) {
    await managerOf(this.dataSource, tx).save(SigningKeyEntity, toRow(key));
  }
  async deleteUnpublished(now: number) {
    return (await this.dataSource.manager.delete(SigningKeyEntity, { state: 'retired', publishUntil: LessThan(now) })).affected ?? 0;
  }
}

const toRow = (k: StoredSigningKey) =>
  Object.assign(new SigningKeyEntity(), {
    ...k,
    activatedAt: k.activatedAt ?? null,
    retiredAt: k.retiredAt ?? null,
    publishUntil: k.publishUntil ?? null,
  });
