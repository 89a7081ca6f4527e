import { IsNull, type DataSource } from 'typeorm';
import { GrantStore, type Grant, type GrantOwner } from '../../ports/grant.store';
import { ACTIVITY_RESOLUTION_SECONDS } from '../../ports/op-session.store';
import type { Transaction } from '../../ports/unit-of-work';
import { managerOf } from './data-source';
import { GrantEntity } from './entities';
import { FixedSql } from '@tessera/runtime';

export class GrantTypeormStore extends GrantStore {
  private readonly sql: FixedSql<GrantEntity>;
  /** Is the grant live and its owner's? (markUsed, when there was nothing to write.) */
  private readonly liveSql: string;

  constructor(private readonly dataSource: DataSource) {
    super();
    this.sql = new FixedSql(dataSource, GrantEntity);
    this.liveSql =
      dataSource.options.type === 'postgres'
        ? 'SELECT 1 FROM "grants" WHERE "id" = $1 AND "revoked_at" IS NULL AND "sub" = $2 AND "client_id" = $3 FOR SHARE'
        : 'SELECT 1 FROM "grants" WHERE "id" = ? AND "revoked_at" IS NULL AND "sub" = ? AND "client_id" = ?';
  }
  async insert(grant: Grant, tx?: Transaction) {
    await this.sql.insert(Object.assign(new GrantEntity(), { ...grant, lastUsedAt: grant.lastUsedAt ?? null, revokedAt: grant.revokedAt ?? null }), tx);
  }
  async find(id: string) {
    const row = await this.sql.findOne('"id" = $1', [id]);
    return row ? toGrant(row) : undefined;
  }
  async findRemembered(sub: string, clientId: string) {
    const row = await this.sql.findOne(
      '"sub" = $1 AND "client_id" = $2 AND "remember" IS TRUE AND "revoked_at" IS NULL ORDER BY "created_at" DESC, "id" ASC',
      [sub, clientId],
    );
    return row ? toGrant(row) : undefined;
  }
  async listActiveBySub(sub: string) {
    const rows = await this.dataSource.manager.find(GrantEntity, { where: { sub, revokedAt: IsNull() }, order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map(toGrant);
  }
  async markUsed(id: string, at: number, owner: GrantOwner, tx?: Transaction) {
    const manager = managerOf(this.dataSource, tx);
    const stale = '"id" = $2 AND "sub" = $3 AND "client_id" = $4 AND "revoked_at" IS NULL AND ("last_used_at" IS NULL OR "last_used_at" <= $5)';
    const params = [id, owner.sub, owner.clientId, at - ACTIVITY_RESOLUTION_SECONDS];
    if ((await this.sql.update({ lastUsedAt: at }, stale, params, manager)) > 0) return true;
    // Used within the last minute (nothing to write: an SSO sign-in or a refresh saves a page write
    // to a random place in the table), or revoked, or gone, or not the owner's. FOR SHARE on
    // PostgreSQL waits for a revocation in progress on the row, as the UPDATE would have, so a
    // grant revoked during a redemption is seen revoked.
    const rows: unknown[] = await manager.query(this.liveSql, [id, owner.sub, owner.clientId]);
    return rows.length > 0;
  }

  async revokeBySub(sub: string, at: number, tx?: Transaction) {
    const manager = managerOf(this.dataSource, tx);
    const live = await manager.find(GrantEntity, { where: { sub, revokedAt: IsNull() } });
    if (live.length) await manager.update(GrantEntity, { sub, revokedAt: IsNull() }, { revokedAt: at });
    return live.map((row) => ({ ...toGrant(row), revokedAt: at }));
  }
  async revokeByClient(clientId: string, at: number, tx?: Transaction, sub?: string) {
    // UPDATE … RETURNING: exactly the grants this call revoked, even beside a concurrent revocation.
    const live = '"client_id" = $2 AND "revoked_at" IS NULL AND "created_at" <= $3';
    const rows = await this.sql.updateReturningRows(
      { revokedAt: at },
      sub === undefined ? live : `${live} AND "sub" = $4`,
      sub === undefined ? [clientId, at] : [clientId, at, sub],
      tx,
    );
    return rows.map(toGrant);
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

const toGrant = (row: GrantEntity): Grant => ({ ...row, lastUsedAt: row.lastUsedAt ?? undefined, revokedAt: row.revokedAt ?? undefined });
