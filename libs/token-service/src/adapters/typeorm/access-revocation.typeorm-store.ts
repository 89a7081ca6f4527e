import type { DataSource } from 'typeorm';
import { deleteBatch } from '@tessera/runtime';
import { AccessRevocationStore, type AccessRevocation } from '../../ports/access-revocation.store';
import type { Transaction } from '../../ports/unit-of-work';
import { managerOf } from './data-source';
import { AccessRevocationEntity } from './entities';

export class AccessRevocationTypeormStore extends AccessRevocationStore {
  private readonly claimSql: string;

  constructor(private readonly dataSource: DataSource) {
    super();
    const p = (n: number) => (dataSource.options.type === 'postgres' ? `$${n}` : '?');
    // ON CONFLICT … RETURNING: one statement on both engines; on PostgreSQL a concurrent insert of
    // the same id waits for the first transaction, then inserts nothing.
    this.claimSql =
      'INSERT INTO "access_revocations" ("revocation_id", "client_id", "sub", "requested_at", "grants", "sessions", "completed_at") ' +
      `VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}) ON CONFLICT ("revocation_id") DO NOTHING RETURNING "revocation_id"`;
  }

  async claim(r: AccessRevocation, tx: Transaction): Promise<boolean> {
    const rows: unknown[] = await tx.query(this.claimSql, [r.revocationId, r.clientId, r.sub ?? null, r.requestedAt, r.grants, r.sessions, r.completedAt]);
    return rows.length === 1;
  }

  async recordOutcome(revocationId: string, outcome: Pick<AccessRevocation, 'grants' | 'sessions'>, tx: Transaction): Promise<void> {
    await tx.update(AccessRevocationEntity, { revocationId }, { grants: outcome.grants, sessions: outcome.sessions });
  }

  deleteCompletedBefore(cutoff: number, limit: number): Promise<number> {
    return deleteBatch(this.dataSource, { table: AccessRevocationEntity, where: '"completed_at" < $1', params: [cutoff], limit });
  }

  async find(revocationId: string, tx?: Transaction): Promise<AccessRevocation | undefined> {
    const row = await managerOf(this.dataSource, tx).findOneBy(AccessRevocationEntity, { revocationId });
    return row ? { ...row, sub: row.sub ?? undefined } : undefined;
  }
}
