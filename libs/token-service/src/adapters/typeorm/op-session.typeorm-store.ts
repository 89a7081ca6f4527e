import { In, IsNull, MoreThan, type DataSource } from 'typeorm';
import { deleteBatchReturning, FixedSql } from '@tessera/runtime';
import { inTransaction } from '@tessera/events';
import { ACTIVITY_RESOLUTION_SECONDS, OpSessionStore, type EndedOpSession, type OpSession, type OpSessionActivity } from '../../ports/op-session.store';
import type { Transaction } from '../../ports/unit-of-work';
import { managerOf } from './data-source';
import { OpSessionClientEntity, OpSessionEntity } from './entities';

/** Sessions looked up per statement: far below either engine's limit on bound parameters. */
const IN_LIST_CHUNK = 500;

export class OpSessionTypeormStore extends OpSessionStore {
  private readonly sql: FixedSql<OpSessionEntity>;
  private readonly addClientSql: string;

  constructor(private readonly dataSource: DataSource) {
    super();
    this.sql = new FixedSql(dataSource, OpSessionEntity);
    // Every authorization on the session records its client again: an upsert that writes only
    // when the last use moved by a minute or more, so SSO traffic does not rewrite the row each time.
    this.addClientSql =
      `INSERT INTO "op_session_clients" ("sid", "client_id", "created_at", "last_used_at") VALUES (${this.param(1)}, ${this.param(2)}, ${this.param(3)}, ${this.param(4)}) ` +
      `ON CONFLICT ("sid", "client_id") DO UPDATE SET "last_used_at" = excluded."last_used_at" ` +
      `WHERE "op_session_clients"."last_used_at" IS NULL OR "op_session_clients"."last_used_at" <= excluded."last_used_at" - ${ACTIVITY_RESOLUTION_SECONDS}`;
  }
  async insert(s: OpSession, tx?: Transaction) {
    await this.sql.insert(Object.assign(new OpSessionEntity(), { ...s, acr: s.acr ?? null, endedAt: s.endedAt ?? null }), tx);
  }
  async findActive(storageKey: string, now: number) {
    const row = await this.sql.findOne('"storage_key" = $1 AND "ended_at" IS NULL AND "expires_at" > $2', [storageKey, now]);
    return row ? { ...row, acr: row.acr ?? undefined, endedAt: undefined } : undefined;
  }
  async end(storageKey: string, at: number) {
    return ((await this.dataSource.manager.update(OpSessionEntity, { storageKey, endedAt: IsNull() }, { endedAt: at })).affected ?? 0) > 0;
  }
  async endByLoginSession(loginSessionId: string, at: number, tx?: Transaction): Promise<EndedOpSession[]> {
    // UPDATE … RETURNING: on PostgreSQL a concurrent second UPDATE waits for the first, then
    // re-checks "ended_at" IS NULL and returns nothing; SQLite runs one writer at a time.
    const ended = await this.sql.updateReturningRows({ endedAt: at }, '"login_session_id" = $2 AND "ended_at" IS NULL', [loginSessionId], tx);
    if (ended.length === 0) return [];
    const clients = await managerOf(this.dataSource, tx).find(OpSessionClientEntity, { where: { sid: In(ended.map((s) => s.sid)) }, order: { createdAt: 'ASC', clientId: 'ASC' } });
    return ended.map((s) => ({
      sid: s.sid,
      sub: s.sub,
      loginSessionId: s.loginSessionId,
      clientIds: clients.filter((c) => c.sid === s.sid).map((c) => c.clientId),
    }));
  }
  async endBySub(sub: string, at: number, tx?: Transaction) {
    return (await managerOf(this.dataSource, tx).update(OpSessionEntity, { sub, endedAt: IsNull() }, { endedAt: at })).affected ?? 0;
  }
  async addClient(sid: string, clientId: string, at: number) {
    await this.dataSource.query(this.addClientSql, [sid, clientId, at, at]);
  }
  async removeClient(clientId: string, servedUpTo: number, now: number, tx?: Transaction, sub?: string) {
    const manager = managerOf(this.dataSource, tx);
    const live = `SELECT "sid" FROM "op_sessions" WHERE "ended_at" IS NULL AND "expires_at" > ${this.param(3)}${sub === undefined ? '' : ` AND "sub" = ${this.param(4)}`}`;
    // DELETE … RETURNING: the rows this call removed, so each session is announced once.
    const raw: unknown[] = await manager.query(
      `DELETE FROM "op_session_clients" WHERE "client_id" = ${this.param(1)} AND "created_at" <= ${this.param(2)} AND "sid" IN (${live}) RETURNING "sid"`,
      sub === undefined ? [clientId, servedUpTo, now] : [clientId, servedUpTo, now, sub],
    );
    // PostgreSQL answers [rows, rowCount] for a DELETE; SQLite the rows RETURNING produced.
    const sids = ((Array.isArray(raw[0]) ? raw[0] : raw) as Array<{ sid: string }>).map((r) => r.sid);
    const removed: Array<Pick<OpSession, 'sid' | 'sub'>> = [];
    for (let i = 0; i < sids.length; i += IN_LIST_CHUNK) {
      const rows = await manager.find(OpSessionEntity, { select: { sid: true, sub: true }, where: { sid: In(sids.slice(i, i + IN_LIST_CHUNK)) }, order: { sid: 'ASC' } });
      removed.push(...rows.map((r) => ({ sid: r.sid, sub: r.sub })));
    }
    return removed;
  }
  async listActiveBySub(sub: string, now: number): Promise<OpSessionActivity[]> {
    const sessions = await this.dataSource.manager.find(OpSessionEntity, {
      where: { sub, endedAt: IsNull(), expiresAt: MoreThan(now) },
      order: { createdAt: 'DESC' },
    });
    if (sessions.length === 0) return [];
    const clients = await this.dataSource.manager.find(OpSessionClientEntity, { where: { sid: In(sessions.map((s) => s.sid)) }, order: { createdAt: 'ASC', clientId: 'ASC' } });
    return sessions.map((s) => ({
      sid: s.sid,
      loginSessionId: s.loginSessionId,
      createdAt: s.createdAt,
      authTime: s.authTime,
      expiresAt: s.expiresAt,
      clients: clients
        .filter((c) => c.sid === s.sid)
        .map((c) => ({ clientId: c.clientId, firstUsedAt: c.createdAt, lastUsedAt: c.lastUsedAt ?? c.createdAt })),
    }));
  }
  async deleteExpired(now: number, limit: number) {
    return inTransaction(this.dataSource, async (manager) => {
      const sids = (await deleteBatchReturning(manager, { table: OpSessionEntity, where: '"expires_at" < $1', params: [now], limit }, 'sid')).map((r) => r.sid as string);
      for (let i = 0; i < sids.length; i += IN_LIST_CHUNK) {
        await manager.delete(OpSessionClientEntity, { sid: In(sids.slice(i, i + IN_LIST_CHUNK)) });
      }
      return sids.length;
    });
  }

  private param(n: number) {
    return this.dataSource.options.type === 'postgres' ? `$${n}` : '?';
  }
}
