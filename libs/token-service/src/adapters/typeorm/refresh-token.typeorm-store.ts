import { IsNull, LessThan, Not, type DataSource, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { RefreshTokenStore, type IssuedJwt, type RefreshToken } from '../../ports/refresh-token.store';
import type { Transaction } from '../../ports/unit-of-work';
import { managerOf } from './data-source';
import { RefreshTokenEntity } from './entities';

type Details = Pick<RefreshToken, 'scope' | 'resource' | 'acr' | 'amr' | 'authTime' | 'sid'>;

export class RefreshTokenTypeormStore extends RefreshTokenStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }
  async insert(t: RefreshToken, tx?: Transaction) {
    const { scope, resource, acr, amr, authTime, sid } = t;
    await managerOf(this.dataSource, tx).insert(RefreshTokenEntity, {
      storageKey: t.storageKey,
      familyId: t.familyId,
      grantId: t.grantId ?? null,
      clientId: t.clientId,
      sub: t.sub,
      details: { scope, resource, acr, amr, authTime, sid },
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
  revokeFamily(familyId: string, at: number, tx?: Transaction) {
    return this.revokeWhere({ familyId }, at, managerOf(this.dataSource, tx));
  }
  revokeByGrant(grantId: string, at: number, tx?: Transaction) {
    return this.revokeWhere({ grantId }, at, managerOf(this.dataSource, tx));
  }
  async revokeByClient(clientId: string, at: number, tx?: Transaction) {
    return (await this.revokeWhere({ clientId }, at, managerOf(this.dataSource, tx))).length;
  }
  revokeBySub(sub: string, at: number, tx?: Transaction) {
    return this.revokeWhere({ sub }, at, managerOf(this.dataSource, tx));
  }
  async deleteExpired(now: number) {
    return (await this.dataSource.manager.delete(RefreshTokenEntity, { expiresAt: LessThan(now) })).affected ?? 0;
  }

  /** Marks the matching tokens revoked and returns the live JWT access tokens issued with them. */
  private async revokeWhere(where: FindOptionsWhere<RefreshTokenEntity>, at: number, manager: EntityManager): Promise<IssuedJwt[]> {
    const rows = await manager.find(RefreshTokenEntity, { where: { ...where, accessJti: Not(IsNull()) }, select: { accessJti: true, accessExpiresAt: true } });
    await manager.update(RefreshTokenEntity, { ...where, revokedAt: IsNull() }, { revokedAt: at });
    return rows.filter((r) => (r.accessExpiresAt ?? 0) > at).map((r) => ({ jti: r.accessJti as string, expiresAt: r.accessExpiresAt as number }));
  }
}
