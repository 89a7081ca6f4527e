import type { DataSource } from 'typeorm';
import { deleteBatch } from '@tessera/runtime';
import {
  BackchannelDeliveryStore,
  type BackchannelDelivery,
  type BackchannelDeliveryQuery,
  type BackchannelDeliveryStatus,
} from '../../ports/backchannel-delivery.store';
import type { Transaction } from '../../ports/unit-of-work';
import { managerOf } from './data-source';
import { BackchannelDeliveryEntity } from './entities';

export class BackchannelDeliveryTypeormStore extends BackchannelDeliveryStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async find(eventId: string): Promise<BackchannelDelivery | undefined> {
    const row = await this.dataSource.manager.findOneBy(BackchannelDeliveryEntity, { eventId });
    return row ? toDomain(row) : undefined;
  }

  async findDelivered(clientId: string, sid: string): Promise<BackchannelDelivery | undefined> {
    const row = await this.dataSource.manager.findOneBy(BackchannelDeliveryEntity, { clientId, sid, status: 'delivered' });
    return row ? toDomain(row) : undefined;
  }

  async save(delivery: BackchannelDelivery, tx?: Transaction): Promise<void> {
    await managerOf(this.dataSource, tx).upsert(BackchannelDeliveryEntity, toEntity(delivery), ['eventId']);
  }

  deleteFinishedBefore(cutoff: number, limit: number): Promise<number> {
    // A delivery still retrying stays, however old.
    return deleteBatch(this.dataSource, { table: BackchannelDeliveryEntity, where: `"updated_at" < $1 AND "status" IN ('delivered', 'failed')`, params: [cutoff], limit });
  }

  async list(query: BackchannelDeliveryQuery): Promise<BackchannelDelivery[]> {
    const rows = await this.dataSource.manager.find(BackchannelDeliveryEntity, {
      where: {
        ...(query.clientId === undefined ? {} : { clientId: query.clientId }),
        ...(query.status === undefined ? {} : { status: query.status }),
      },
      // event_id breaks ties (same second) so that every engine lists in the same order.
      order: { updatedAt: 'DESC', eventId: 'ASC' },
      take: query.limit,
    });
    return rows.map(toDomain);
  }
}

function toEntity(d: BackchannelDelivery): BackchannelDeliveryEntity {
  return Object.assign(new BackchannelDeliveryEntity(), {
    eventId: d.eventId,
    clientId: d.clientId,
    sub: d.sub,
    sid: d.sid ?? null,
    status: d.status,
    attempts: d.attempts,
    lastError: d.lastError ?? null,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  });
}

function toDomain(row: BackchannelDeliveryEntity): BackchannelDelivery {
  return {
    eventId: row.eventId,
    clientId: row.clientId,
    sub: row.sub,
    sid: row.sid ?? undefined,
    status: row.status as BackchannelDeliveryStatus,
    attempts: row.attempts,
    lastError: row.lastError ?? undefined,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
