import { LessThan, LessThanOrEqual, type DataSource } from 'typeorm';
import { AccessTokenStore, RevokedTokenStore, type AccessTokenRecord } from '../../ports/access-token.store';
import type { Transaction } from '../../ports/unit-of-work';
import { managerOf } from './data-source';
import { AccessTokenEntity, RevokedTokenEntity } from './entities';

export class AccessTokenTypeormStore extends AccessTokenStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }
  async insert(token: AccessTokenRecord, tx?: Transaction) {
    await managerOf(this.dataSource, tx).insert(AccessTokenEntity, { ...token, grantId: token.grantId ?? null, familyId: token.familyId ?? null });
  }
  async find(storageKey: string) {
    const row = await this.dataSource.manager.findOneBy(AccessTokenEntity, { storageKey });
    return row ? { ...row, grantId: row.grantId ?? undefined, familyId: row.familyId ?? undefined } : undefined;
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
  async deleteExpired(now: number) {
    return (await this.dataSource.manager.delete(AccessTokenEntity, { expiresAt: LessThan(now) })).affected ?? 0;
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
  async deleteExpired(now: number) {
    return (await this.dataSource.manager.delete(RevokedTokenEntity, { expiresAt: LessThan(now) })).affected ?? 0;
  }
}
