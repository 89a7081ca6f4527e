import type { DataSource } from 'typeorm';
import { deleteBatch, FixedSql } from '@tessera/runtime';
import { AuthorizationCodeStore, type AuthorizationCode } from '../../ports/authorization-code.store';
import type { IssuedJwt } from '../../ports/refresh-token.store';
import type { Transaction } from '../../ports/unit-of-work';
import { managerOf } from './data-source';
import { AuthorizationCodeEntity } from './entities';

type Details = Omit<AuthorizationCode, 'storageKey' | 'clientId' | 'grantId' | 'sub' | 'issuedAt' | 'expiresAt' | 'consumedAt' | 'familyId'>;

export class AuthorizationCodeTypeormStore extends AuthorizationCodeStore {
  private readonly sql: FixedSql<AuthorizationCodeEntity>;

  constructor(private readonly dataSource: DataSource) {
    super();
    this.sql = new FixedSql(dataSource, AuthorizationCodeEntity);
  }
  async insert(code: AuthorizationCode, tx?: Transaction) {
    const { storageKey, clientId, grantId, sub, issuedAt, expiresAt, consumedAt, familyId, ...details } = code;
    await this.sql.insert(Object.assign(new AuthorizationCodeEntity(), {
      storageKey,
      clientId,
      grantId,
      sub,
      details,
      issuedAt,
      expiresAt,
      consumedAt: consumedAt ?? null,
      familyId: familyId ?? null,
    }), tx);
  }
  async find(storageKey: string): Promise<AuthorizationCode | undefined> {
    const row = await this.sql.findOne('"storage_key" = $1', [storageKey]);
    if (!row) return undefined;
    return {
      ...(row.details as Details),
      storageKey: row.storageKey,
      clientId: row.clientId,
      grantId: row.grantId,
      sub: row.sub,
      issuedAt: row.issuedAt,
      expiresAt: row.expiresAt,
      consumedAt: row.consumedAt ?? undefined,
      familyId: row.familyId ?? undefined,
    };
  }
  async consume(storageKey: string, at: number, familyId: string, tx?: Transaction) {
    return (await this.sql.update({ consumedAt: at, familyId }, '"storage_key" = $3 AND "consumed_at" IS NULL', [storageKey], managerOf(this.dataSource, tx))) === 1;
  }
  async recordAccessToken(storageKey: string, jwt: IssuedJwt, tx?: Transaction) {
    // Inside the redeeming transaction, which holds the row (its consume updated it) until commit.
    const manager = managerOf(this.dataSource, tx);
    const row = await manager.findOneBy(AuthorizationCodeEntity, { storageKey });
    if (!row) return;
    const details = { ...(row.details as Details), accessJti: jwt.jti, accessExpiresAt: jwt.expiresAt };
    await manager.update(AuthorizationCodeEntity, { storageKey }, { details });
  }
  deleteExpired(now: number, limit: number) {
    // A consumed code is kept until it expires, so that a replay is still recognised as one.
    return deleteBatch(this.dataSource, { table: AuthorizationCodeEntity, where: '"expires_at" < $1', params: [now], limit });
  }
}
