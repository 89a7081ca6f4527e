import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, QueryRunner } from 'typeorm';
import type { JobLogger, JobOutcome } from './cluster-job';

/** Rows one housekeeping statement deletes at most (TESSERA_HOUSEKEEPING_BATCH). */
export const DEFAULT_HOUSEKEEPING_BATCH = 1000;
/** How long one housekeeping run may go on deleting before it leaves the rest to the next run. */
export const DEFAULT_HOUSEKEEPING_BUDGET_MS = 10_000;

export interface BatchDelete {
  /** The table, or the entity whose table it is. */
  table: string | EntityTarget<ObjectLiteral>;
  /**
   * Which rows: a SQL condition over database column names, with `$1`, `$2`… placeholders
   * (rewritten for SQLite; a placeholder may appear more than once).
   */
  where: string;
  params?: unknown[];
  /** At most this many rows go. */
  limit: number;
}

/**
 * Deletes at most `limit` rows matching `where`, in one statement, and returns how many went:
 * `DELETE … WHERE ctid = ANY(ARRAY(SELECT ctid … LIMIT n)) AND <where>` on PostgreSQL (a TID
 * scan, whatever the table's key; the repeated condition is re-checked on a row updated
 * meanwhile), `DELETE … WHERE rowid IN (SELECT rowid … LIMIT n)` on SQLite. Each statement is
 * its own short transaction unless `db` is a transaction's manager.
 */
export async function deleteBatch(db: DataSource | EntityManager, spec: BatchDelete): Promise<number> {
  return (await run(db, spec, undefined)).affected ?? 0;
}

/** As deleteBatch(), returning `column` of each deleted row. */
export async function deleteBatchReturning<C extends string>(db: DataSource | EntityManager, spec: BatchDelete, column: C): Promise<Array<Record<C, unknown>>> {
  return ((await run(db, spec, column)).records ?? []) as Array<Record<C, unknown>>;
}

async function run(db: DataSource | EntityManager, spec: BatchDelete, returning: string | undefined): Promise<{ affected?: number; records?: unknown[] }> {
  if (!Number.isInteger(spec.limit) || spec.limit < 1) throw new RangeError(`batch limit must be a positive integer, not ${spec.limit}`);
  const dataSource = 'manager' in db && 'driver' in db ? db : (db as EntityManager).connection;
  const table = `"${typeof spec.table === 'string' ? spec.table : dataSource.getMetadata(spec.table).tableName}"`;
  const params = spec.params ?? [];
  const tail = returning ? ` RETURNING "${returning}"` : '';
  let sql: string;
  let values: unknown[];
  if (dataSource.options.type === 'postgres') {
    const limit = `$${params.length + 1}`;
    sql = `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${table} WHERE ${spec.where} LIMIT ${limit})) AND (${spec.where})${tail}`;
    values = [...params, spec.limit];
  } else {
    values = [];
    const where = spec.where.replace(/\$(\d+)/g, (_, n: string) => (values.push(params[Number(n) - 1]), '?'));
    sql = `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${where} LIMIT ?)${tail}`;
    values.push(spec.limit);
  }
  const own = (db as EntityManager).queryRunner;
  const runner: QueryRunner = own ?? dataSource.createQueryRunner();
  try {
    return await runner.query(sql, values, true);
  } finally {
    if (!own) await runner.release();
  }
}

/** One kind of row a housekeeping run deletes: one bounded statement per call, returning how many went. */
export interface SweepStep {
  name: string;
  deleteBatch(limit: number): Promise<number>;
}

export interface SweepOptions {
  batchSize: number;
  /** The run stops starting statements after this long; what is left waits for the next run. */
  budgetMs?: number;
  signal?: AbortSignal;
  logger?: JobLogger;
  /** Tests: the time the budget is measured with (ms). */
  now?: () => number;
}

export interface SweepReport {
  /** Rows deleted per step. */
  deleted: Record<string, number>;
  statements: number;
  /** Steps whose last statement deleted a full batch when the run stopped: more is waiting. */
  left: string[];
  /** Steps that threw (logged); the next run tries them again. */
  failed: string[];
  elapsedMs: number;
  /** `more` when the budget (or a stop) cut the run short with work left. */
  outcome: JobOutcome;
}

/**
 * Runs the steps in rounds, one bounded statement per step and round, until each deleted less
 * than a full batch or the time budget is spent: no statement deletes more than `batchSize`
 * rows, a huge backlog never holds locks for long, and every step gets its turn each round (a
 * table with a backlog does not starve the others).
 */
export async function sweepInBatches(steps: SweepStep[], options: SweepOptions): Promise<SweepReport> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const deadline = started + (options.budgetMs ?? DEFAULT_HOUSEKEEPING_BUDGET_MS);
  const deleted: Record<string, number> = Object.fromEntries(steps.map((s) => [s.name, 0]));
  const failed: string[] = [];
  let statements = 0;
  let active = [...steps];
  const cutShort = () => now() >= deadline || options.signal?.aborted === true;
  while (active.length > 0 && !cutShort()) {
    const next: SweepStep[] = [];
    for (const step of active) {
      if (cutShort()) {
        next.push(step);
        continue;
      }
      try {
        const n = await step.deleteBatch(options.batchSize);
        statements++;
        deleted[step.name] += n;
        if (n >= options.batchSize) next.push(step);
      } catch (err) {
        failed.push(step.name);
        options.logger?.warn({ step: step.name, err }, 'housekeeping step failed');
      }
    }
    active = next;
  }
  return { deleted, statements, left: active.map((s) => s.name), failed, elapsedMs: now() - started, outcome: active.length > 0 ? 'more' : 'done' };
}

/** One line per housekeeping run: at info when it deleted something or left work, at debug otherwise. */
export function logSweep(logger: JobLogger & { info(obj: object, msg: string): void }, job: string, report: SweepReport): void {
  const deleted = Object.fromEntries(Object.entries(report.deleted).filter(([, n]) => n > 0));
  const fields = {
    job,
    deleted,
    statements: report.statements,
    ms: Math.round(report.elapsedMs),
    ...(report.left.length ? { left: report.left } : {}),
    ...(report.failed.length ? { failed: report.failed } : {}),
  };
  if (Object.keys(deleted).length > 0 || report.left.length > 0 || report.failed.length > 0) logger.info(fields, 'housekeeping run');
  else logger.debug(fields, 'housekeeping run');
}
