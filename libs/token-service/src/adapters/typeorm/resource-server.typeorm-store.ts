import type { DataSource } from 'typeorm';
import { ResourceServerStore, type ResourceServer } from '../../ports/resource-server.store';
import type { Transaction } from '../../ports/unit-of-work';
import { managerOf } from './data-source';
import { ResourceServerEntity } from './entities';

export class ResourceServerTypeormStore extends ResourceServerStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }
  async findByIdentifier(identifier: string) {
    const row = await this.dataSource.manager.findOneBy(ResourceServerEntity, { identifier });
    return row ? toDomain(row) : undefined;
  }
  async findByClientId(clientId: string) {
    return (await this.dataSource.manager.findBy(ResourceServerEntity, { clientId })).map(toDomain);
  }
  async list() {
    // identifier breaks ties (same epoch second) so that every engine lists in the same order.
    const rows = await this.dataSource.manager.find(ResourceServerEntity, {
      order: { createdAt: 'ASC', identifier: 'ASC' },
    });
    return rows.map(toDomain);
  }
  async insert(rs: ResourceServer, tx?: Transaction) {
    await managerOf(this.dataSource, tx).insert(ResourceServerEntity, {
      ...rs,
      accessTokenFormat: rs.accessTokenFormat ?? null,
      clientId: rs.clientId ?? null,
    });
  }
  async delete(id: string, tx?: Transaction) {
    return ((await managerOf(this.dataSource, tx).delete(ResourceServerEntity, { id })).affected ?? 0) > 0;
  }
}

function toDomain(row: ResourceServerEntity): ResourceServer {
  return {
    id: row.id,
    identifier: row.identifier,
    name: row.name,
    scopes: row.scopes,
    accessTokenFormat: (row.accessTokenFormat as ResourceServer['accessTokenFormat']) ?? undefined,
    clientId: row.clientId ?? undefined,
    createdAt: row.createdAt,
  };
}
