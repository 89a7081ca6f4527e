import type { DataSource } from 'typeorm';
import { deleteBatch } from '@tessera/runtime';
import { ReplayCache } from '../../ports/replay-cache';
import { ReplayEntryEntity } from './entities';

/** The primary key makes "seen before?" atomic across replicas: the second insert inserts nothing. */
export class ReplayCacheTypeormStore extends ReplayCache {
  private readonly useOnceSql: string;
  private readonly seenSql: string;

  constructor(private readonly dataSource: DataSource) {
    super();
    const p = (n: number) => (dataSource.options.type === 'postgres' ? `$${n}` : '?');
    // ON CONFLICT … RETURNING: one statement on both engines, which never fails (so never aborts a
    // PostgreSQL transaction it runs in); a concurrent insert of the same key waits for the first
    // transaction, then inserts nothing.
    this.useOnceSql = `INSERT INTO "replay_cache" ("key", "expires_at") VALUES (${p(1)}, ${p(2)}) ON CONFLICT ("key") DO NOTHING RETURNING "key"`;
    this.seenSql = `SELECT 1 AS "seen" FROM "replay_cache" WHERE "key" = ${p(1)}`;
  }

  async useOnce(key: string, expiresAt: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(this.useOnceSql, [key, expiresAt]);
    return rows.length === 1;
  }

  async seen(key: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(this.seenSql, [key]);
    return rows.length > 0;
  }

  deleteExpired(now: number, limit: number) {
    return deleteBatch(this.dataSource, { table: ReplayEntryEntity, where: '"expires_at" < $1', params: [now], limit });
  }
}
