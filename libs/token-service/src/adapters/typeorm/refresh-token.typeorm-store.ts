import { deleteBatch } from '@tessera/runtime';
import { IsNull, LessThanOrEqual, Not, type DataSource, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { RefreshTokenStore, type IssuedJwt, type RefreshToken } from '../../ports/refresh-token.store';
import type { Transaction } from '../../ports/unit-of-work';
import { managerOf } from './data-source';
import { RefreshTokenEntity } from './entities';

type Details = Pick<RefreshToken, 'scope' | 'resource' | 'acr' | 'amr' | 'authTime' | 'sid' | 'claims' | 'claimsLocales'>;

export class RefreshTokenTypeormStore extends RefreshTokenStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }
  async insert(t: RefreshToken, tx?: Transaction) {
    const { scope, resource, acr, amr, authTime, sid, claims, claimsLocales } = t;
    await managerOf(this.dataSource, tx).insert(RefreshTokenEntity, {
      storageKey: t.storageKey,
      familyId: t.familyId,
      grantId: t.grantId ?? null,
      clientId: t.clientId,
      sub: t.sub,
      details: { scope, resource, acr, amr, authTime, sid, claims, claimsLocales },
      accessJti: t.accessJti ?? null,
      accessExpiresAt: t.accessExpiresAt ?? null,
      issuedAt: t.issuedAt,
      expiresAt: t.expiresAt,
      consumedAt: t.consumedAt ?? null,
      revokedAt: t.revokedAt ?? null,
    });
  }
  async find(storageKey: string): Promise<RefreshToken | undefined> {
    const row = await this.dataSource.manager.findOneBy(RefreshTokenEntity, { storageKey });
    if (!row) return undefined;
    return {
      ...(row.details as Details),
      storageKey: row.storageKey,
      familyId: row.familyId,
      grantId: row.grantId ?? undefined,
      clientId: row.clientId,
      sub: row.sub,
      accessJti: row.accessJti ?? undefined,
      accessExpiresAt: row.accessExpiresAt ?? undefined,
      issuedAt: row.issuedAt,
      expiresAt: row.expiresAt,
      consumedAt: row.consumedAt ?? undefined,
      revokedAt: row.revokedAt ?? undefined,
    };
  }
  async consume(storageKey: string, at: number, tx?: Transaction) {
    const res = await managerOf(this.dataSource, tx).update(
      RefreshTokenEntity,
      { storageKey, consumedAt: IsNull(), revokedAt: IsNull() },
      { consumedAt: at },
    );
    return (res.affected ?? 0) === 1;
  }
  async replaceAccessToken(storageKey: string, jwt: IssuedJwt | undefined, tx: Transaction) {
    const live = { storageKey, consumedAt: IsNull(), revokedAt: IsNull() };
    // Read and replace as one step: on PostgreSQL the row stays locked until the transaction
    // ends, so two retries cannot both replace the same token and lose track of one another's.
    // SQLite transactions already take turns (inTransaction).
    const row = await tx.findOne(RefreshTokenEntity, {
      where: live,
      select: { storageKey: true, accessJti: true, accessExpiresAt: true },
      ...(tx.connection.options.type === 'postgres' ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!row) return undefined;
    await tx.update(RefreshTokenEntity, live, { accessJti: jwt?.jti ?? null, accessExpiresAt: jwt?.expiresAt ?? null });
    const replaced = row.accessJti !== null && row.accessExpiresAt !== null ? { jti: row.accessJti, expiresAt: row.accessExpiresAt } : undefined;
    return { replaced };
  }
  revokeFamily(familyId: string, at: number, tx?: Transaction) {
    return this.revokeWhere({ familyId }, at, managerOf(this.dataSource, tx));
  }
  revokeByGrant(grantId: string, at: number, tx?: Transaction) {
    return this.revokeWhere({ grantId }, at, managerOf(this.dataSource, tx));
  }
  async revokeByClient(clientId: string, at: number, tx?: Transaction, issuedAtOrBefore?: number) {
    const where = issuedAtOrBefore === undefined ? { clientId } : { clientId, issuedAt: LessThanOrEqual(issuedAtOrBefore) };
    const manager = managerOf(this.dataSource, tx);
    return (await manager.update(RefreshTokenEntity, { ...where, revokedAt: IsNull() }, { revokedAt: at })).affected ?? 0;
  }
  revokeBySub(sub: string, at: number, tx?: Transaction) {
    return this.revokeWhere({ sub }, at, managerOf(this.dataSource, tx));
  }
  deleteExpired(now: number, limit: number) {
    // A rotated-out or revoked token is kept until it expires, so that its reuse is still recognised.
    return deleteBatch(this.dataSource, { table: RefreshTokenEntity, where: '"expires_at" < $1', params: [now], limit });
  }

  /** Marks the matching tokens revoked and returns the live JWT access tokens issued with them. */
  private async revokeWhere(where: FindOptionsWhere<RefreshTokenEntity>, at: number, manager: EntityManager): Promise<IssuedJwt[]> {
    const rows = await manager.find(RefreshTokenEntity, { where: { ...where, accessJti: Not(IsNull()) }, select: { accessJti: true, accessExpiresAt: true } });
    await manager.update(RefreshTokenEntity, { ...where, revokedAt: IsNull() }, { revokedAt: at });
    return rows.filter((r) => (r.accessExpiresAt ?? 0) > at).map((r) => ({ jti: r.accessJti as string, expiresAt: r.accessExpiresAt as number }));
  }
}
