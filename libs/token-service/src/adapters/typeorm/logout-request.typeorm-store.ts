import type { DataSource } from 'typeorm';
import { deleteBatch, FixedSql } from '@tessera/runtime';
import { LogoutRequestStore, type LogoutRequest, type ValidatedLogoutRequest } from '../../ports/logout-request.store';
import { LogoutRequestEntity } from './entities';

export class LogoutRequestTypeormStore extends LogoutRequestStore {
  private readonly sql: FixedSql<LogoutRequestEntity>;

  constructor(private readonly dataSource: DataSource) {
    super();
    this.sql = new FixedSql(dataSource, LogoutRequestEntity);
  }

  async insert(r: LogoutRequest) {
    await this.sql.insert(Object.assign(new LogoutRequestEntity(), { ...r, sid: r.sid ?? null, usedAt: null }));
  }

  async consume(storageKey: string, verifierHash: string, now: number) {
    const [row] = await this.sql.updateReturningRows(
      { usedAt: now },
      '"storage_key" = $2 AND "verifier_hash" = $3 AND "used_at" IS NULL AND "expires_at" > $4',
      [storageKey, verifierHash, now],
    );
    if (!row) return undefined;
    return {
      storageKey: row.storageKey,
      verifierHash: row.verifierHash,
      sid: row.sid ?? undefined,
      request: row.request as ValidatedLogoutRequest,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
    };
  }

  deleteExpired(now: number, limit: number) {
    return deleteBatch(this.dataSource, { table: LogoutRequestEntity, where: '"expires_at" < $1', params: [now], limit });
  }
}
