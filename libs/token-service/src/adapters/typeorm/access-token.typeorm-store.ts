import { LessThanOrEqual, type DataSource } from 'typeorm';
import { commitSqliteGroupNow, deleteBatch } from '@tessera/runtime';
import { AccessTokenStore, RevokedTokenStore, type AccessTokenRecord } from '../../ports/access-token.store';
import type { Transaction } from '../../ports/unit-of-work';
import { managerOf } from './data-source';
import { GroupCommit } from './group-commit';
import { AccessTokenEntity, RevokedTokenEntity } from './entities';

const COLUMNS = 'storage_key, client_id, sub, scope, audience, grant_id, family_id, jti, issued_at, expires_at, claims';
const COLUMN_COUNT = 11;

/**
 * The token endpoint inserts a row per reference token and introspection reads one: both run
 * fixed SQL (prepared once by the driver) instead of TypeORM's query builder, which cost more
 * CPU than the database itself on these paths (see docs/benchmarks.md).
 */
function hotPathSql(engine: string) {
  const p = (n: number) => (engine === 'postgres' ? `$${n}` : '?');
  const values = (rows: number) =>
    Array.from({ length: rows }, (_, r) => `(${Array.from({ length: COLUMN_COUNT }, (_, i) => p(r * COLUMN_COUNT + i + 1)).join(', ')})`).join(', ');
  return {
    insert: (rows: number) => `INSERT INTO access_tokens (${COLUMNS}) VALUES ${values(rows)}`,
    find: `SELECT ${COLUMNS} FROM access_tokens WHERE storage_key = ${p(1)}`,
  };
}

const toParams = (token: AccessTokenRecord) => [
  token.storageKey,
  token.clientId,
  token.sub,
  token.scope,
  JSON.stringify(token.audience),
  token.grantId ?? null,
  token.familyId ?? null,
  token.jti,
  token.issuedAt,
  token.expiresAt,
  token.claims ? JSON.stringify(token.claims) : null,
];

/**
 * Introspection's lookup on SQLite: a better-sqlite3 statement prepared once and run directly,
 * without TypeORM's per-query work. It does not wait for a transaction in progress (the one
 * connection's reads see its uncommitted rows): a token written in an open transaction has not
 * been handed to anyone yet, and one deleted in it reads as inactive a moment early, the safe side.
 */
function preparedSqliteGet(dataSource: DataSource, sql: string): (key: string) => Promise<AccessTokenRow | undefined> {
  let statement: { get(...params: unknown[]): unknown } | undefined;
  return async (key) => {
    statement ??= (dataSource.driver as unknown as { databaseConnection: { prepare(sql: string): { get(...params: unknown[]): unknown } } }).databaseConnection.prepare(sql);
    return statement.get(key) as AccessTokenRow | undefined;
  };
}

interface AccessTokenRow {
  storage_key: string;
  client_id: string;
  sub: string;
  scope: string;
  audience: string;
  grant_id: string | null;
  family_id: string | null;
  jti: string;
  issued_at: string | number;
  expires_at: string | number;
  claims: string | null;
}

export class AccessTokenTypeormStore extends AccessTokenStore {
  private readonly sql: ReturnType<typeof hotPathSql>;
  private readonly batches: GroupCommit<AccessTokenRecord>;
  private readonly findRow: (storageKey: string) => Promise<AccessTokenRow | undefined>;

  constructor(private readonly dataSource: DataSource) {
    super();
    this.sql = hotPathSql(dataSource.options.type);
    this.batches = new GroupCommit((rows) => {
      const written = this.dataSource.query(this.sql.insert(rows.length), rows.flatMap(toParams));
      // SQLite: the INSERT ran (synchronously) in the connection's group; this batch runs at
      // setImmediate, after the turn's other writes, so the group can commit now instead of a
      // turn later (which would halve the requests per commit under load).
      commitSqliteGroupNow(this.dataSource);
      return written;
    });
    this.findRow = dataSource.options.type === 'better-sqlite3' ? preparedSqliteGet(dataSource, this.sql.find) : async (key) => ((await dataSource.query(this.sql.find, [key])) as AccessTokenRow[])[0];
  }
  async insert(token: AccessTokenRecord, tx?: Transaction) {
    // Inside a caller's transaction the row commits with it; alone, it joins a group commit.
    if (tx) await tx.query(this.sql.insert(1), toParams(token));
    else await this.batches.add(token);
  }
  async find(storageKey: string): Promise<AccessTokenRecord | undefined> {
    const row = await this.findRow(storageKey);
    if (!row) return undefined;
    return {
      storageKey: row.storage_key,
      clientId: row.client_id,
      sub: row.sub,
      scope: row.scope,
      audience: JSON.parse(row.audience) as string[],
      grantId: row.grant_id ?? undefined,
      familyId: row.family_id ?? undefined,
      jti: row.jti,
      issuedAt: Number(row.issued_at),
      expiresAt: Number(row.expires_at),
      ...(row.claims ? { claims: JSON.parse(row.claims) as AccessTokenRecord['claims'] } : {}),
    };
  }
  async delete(storageKey: string, tx?: Transaction) {
    return ((await managerOf(this.dataSource, tx).delete(AccessTokenEntity, { storageKey })).affected ?? 0) > 0;
  }
  async deleteByClient(clientId: string, tx?: Transaction, issuedAtOrBefore?: number) {
    const where = issuedAtOrBefore === undefined ? { clientId } : { clientId, issuedAt: LessThanOrEqual(issuedAtOrBefore) };
    return (await managerOf(this.dataSource, tx).delete(AccessTokenEntity, where)).affected ?? 0;
  }
  async deleteByGrant(grantId: string, tx?: Transaction) {
    return (await managerOf(this.dataSource, tx).delete(AccessTokenEntity, { grantId })).affected ?? 0;
  }
  async deleteByFamily(familyId: string, tx?: Transaction) {
    return (await managerOf(this.dataSource, tx).delete(AccessTokenEntity, { familyId })).affected ?? 0;
  }
  async deleteBySub(sub: string, tx?: Transaction) {
    return (await managerOf(this.dataSource, tx).delete(AccessTokenEntity, { sub })).affected ?? 0;
  }
  deleteExpired(now: number, limit: number) {
    return deleteBatch(this.dataSource, { table: AccessTokenEntity, where: '"expires_at" < $1', params: [now], limit });
  }
}

export class RevokedTokenTypeormStore extends RevokedTokenStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }
  async add(jti: string, expiresAt: number, tx?: Transaction) {
    // Revoking twice is revoking once (RFC 7009); ON CONFLICT keeps a PostgreSQL transaction usable.
    await managerOf(this.dataSource, tx)
      .createQueryBuilder()
      .insert()
      .into(RevokedTokenEntity)
      .values({ jti, expiresAt })
      .orIgnore()
      .execute();
  }
  async isRevoked(jti: string) {
    return (await this.dataSource.manager.countBy(RevokedTokenEntity, { jti })) > 0;
  }
  deleteExpired(now: number, limit: number) {
    return deleteBatch(this.dataSource, { table: RevokedTokenEntity, where: '"expires_at" < $1', params: [now], limit });
  }
}
