import type { DataSource } from 'typeorm';
import { deleteBatch, FixedSql } from '@tessera/runtime';
import type { AuthorizationRequest } from '../../authorize/authorization-request';
import { ChallengeStore, type Challenge, type ChallengeOutcome, type ChallengeState } from '../../ports/challenge.store';
import { ChallengeEntity } from './entities';

export class ChallengeTypeormStore extends ChallengeStore {
  private readonly sql: FixedSql<ChallengeEntity>;

  constructor(private readonly dataSource: DataSource) {
    super();
    this.sql = new FixedSql(dataSource, ChallengeEntity);
  }
  async insert(c: Challenge) {
    await this.sql.insert(Object.assign(new ChallengeEntity(), { ...c, login: c.login ?? null, outcome: c.outcome ?? null }));
  }
  async find(storageKey: string): Promise<Challenge | undefined> {
    const row = await this.sql.findOne('"storage_key" = $1', [storageKey]);
    return row ? toChallenge(row) : undefined;
  }
  async consumeAnswered(storageKey: string, verifierHash: string, now: number): Promise<Challenge | undefined> {
    const [row] = await this.sql.updateReturningRows(
      { state: 'used' },
      `"storage_key" = $2 AND "verifier_hash" = $3 AND "state" IN ('accepted', 'rejected') AND "expires_at" > $4`,
      [storageKey, verifierHash, now],
    );
    return row ? toChallenge(row) : undefined;
  }
  async transition(storageKey: string, from: ChallengeState, to: ChallengeState, outcome?: ChallengeOutcome) {
    const set: Partial<ChallengeEntity> = outcome ? { state: to, outcome: outcome as object } : { state: to };
    const next = outcome ? 3 : 2;
    return (await this.sql.update(set, `"storage_key" = $${next} AND "state" = $${next + 1}`, [storageKey, from])) === 1;
  }
  deleteExpired(now: number, limit: number) {
    return deleteBatch(this.dataSource, { table: ChallengeEntity, where: '"expires_at" < $1', params: [now], limit });
  }
}

function toChallenge(row: ChallengeEntity): Challenge {
  return {
    ...row,
    kind: row.kind as Challenge['kind'],
    state: row.state as ChallengeState,
    request: row.request as AuthorizationRequest,
    login: (row.login as Challenge['login']) ?? undefined,
    outcome: (row.outcome as ChallengeOutcome) ?? undefined,
  };
}
