import type { DataSource, QueryRunner } from 'typeorm';

/** What a run reports: `more` when it stopped with work left (its time budget ran out). */
export type JobOutcome = 'done' | 'more';

/** What one tick did: ran (to the end, or with work left), skipped (a run elsewhere holds the job), or failed. */
export type TickResult = JobOutcome | 'skipped' | 'failed';

export interface JobLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ClusterJobOptions {
  /** Unique within the service; with the database schema it names the job's lock. */
  name: string;
  /** The service's own DataSource: where the lock lives (PostgreSQL) or what the guard is keyed on (SQLite). */
  dataSource: DataSource;
  intervalMs: number;
  /** Each wait is `intervalMs × (1 ± jitter)`, so that replicas started together drift apart. Default 0.2. */
  jitter?: number;
  /** The wait after a run that reported `more` (jittered the same way). Default: 5 s, or the interval if shorter. */
  backlogDelayMs?: number;
  /** The first wait after start(). Default: a random part of the interval, so that a fleet started together spreads its first runs. */
  firstDelayMs?: number;
  /** The work. `signal` aborts when the job is stopped: a long run checks it between statements. */
  run: (signal: AbortSignal) => Promise<JobOutcome | void>;
  logger: JobLogger;
  /** Tests: the source of the jitter. */
  random?: () => number;
}

/** Both halves of PostgreSQL's two-key advisory lock space for jobs (the one-key space holds the migrations' lock). */
const LOCK_CLASS = hashToInt('tessera:cluster-jobs');

/** SQLite runs of the same job on the same database file, across every instance in this process. */
const sqliteRunning = new Set<string>();
const memoryIds = new WeakMap<DataSource, number>();
let nextMemoryId = 0;

/**
 * A scheduled job that runs on one replica at a time across the cluster.
 *
 * On PostgreSQL each tick takes a session-level advisory lock (`pg_try_advisory_lock`) on a
 * connection of its own, held for the run and released after it; a tick that finds the lock
 * taken skips (logged at debug), and a replica that dies mid-run releases the lock with its
 * connection, so the next tick anywhere takes over. On SQLite (one process, the embedded mode)
 * an in-process guard keyed on the database file does the same. Ticks come at a jittered
 * interval; a run that stopped with work left asks for the next one sooner.
 */
export class ClusterJob {
  readonly name: string;
  private readonly intervalMs: number;
  private readonly jitter: number;
  private readonly backlogDelayMs: number;
  private readonly random: () => number;
  private readonly logger: JobLogger;
  private readonly lockKey: [number, number];
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly abort = new AbortController();
  /** This instance's tick in progress: a tick never overlaps the previous one of the same instance. */
  private current?: Promise<TickResult>;

  constructor(private readonly options: ClusterJobOptions) {
    this.name = options.name;
    this.intervalMs = options.intervalMs;
    this.jitter = Math.min(Math.max(options.jitter ?? 0.2, 0), 0.9);
    this.backlogDelayMs = options.backlogDelayMs ?? Math.min(5_000, options.intervalMs);
    this.random = options.random ?? Math.random;
    this.logger = options.logger;
    this.lockKey = [LOCK_CLASS, hashToInt(`${schemaOf(options.dataSource)}:${options.name}`)];
  }

  /** Schedules the ticks; the first after `firstDelayMs`. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.schedule(this.options.firstDelayMs ?? this.random() * this.intervalMs);
  }

  /** No more ticks; aborts the run in progress (between its statements) and waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.current;
  }

  /** One attempt now (the timer's, or a test's). Never throws: a failed run is logged and reported. */
  tick(): Promise<TickResult> {
    if (this.current) {
      this.logger.debug({ job: this.name }, 'job still running here; tick skipped');
      return Promise.resolve('skipped');
    }
    const tick = this.attempt().finally(() => (this.current = undefined));
    this.current = tick;
    return tick;
  }

  private schedule(baseMs: number): void {
    if (this.stopped) return;
    const delay = Math.max(0, baseMs * (1 - this.jitter + 2 * this.jitter * this.random()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick().then((result) => this.schedule(result === 'more' ? this.backlogDelayMs : this.intervalMs));
    }, delay);
    this.timer.unref();
  }

  private async attempt(): Promise<TickResult> {
    try {
      return this.options.dataSource.options.type === 'postgres' ? await this.underAdvisoryLock() : await this.underProcessGuard();
    } catch (err) {
      this.logger.warn({ job: this.name, err }, 'job failed');
      return 'failed';
    }
  }

  private async underProcessGuard(): Promise<TickResult> {
    const key = `${sqliteIdentity(this.options.dataSource)}\u0000${this.name}`;
    if (sqliteRunning.has(key)) {
      this.logger.debug({ job: this.name }, 'job running elsewhere in this process; tick skipped');
      return 'skipped';
    }
    sqliteRunning.add(key);
    try {
      return await this.execute();
    } finally {
      sqliteRunning.delete(key);
    }
  }

  private async underAdvisoryLock(): Promise<TickResult> {
    const runner = this.options.dataSource.createQueryRunner();
    /** Set when the lock's connection failed: it is then destroyed, not pooled. */
    let broken: unknown;
    try {
      let locked: boolean;
      try {
        await runner.connect();
        [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1, $2) AS "locked"', this.lockKey)) as Array<{ locked: boolean }>;
      } catch (err) {
        broken = err;
        throw err;
      }
      if (!locked) {
        this.logger.debug({ job: this.name }, 'job running on another replica; tick skipped');
        return 'skipped';
      }
      try {
        return await this.execute();
      } finally {
        try {
          const [{ unlocked }] = (await runner.query('SELECT pg_advisory_unlock($1, $2) AS "unlocked"', this.lockKey)) as Array<{ unlocked: boolean }>;
          if (!unlocked) broken = new Error(`job ${this.name}: its advisory lock was not held at the end of the run`);
        } catch (err) {
          broken = err;
        }
      }
    } finally {
      await release(runner, broken);
    }
  }

  private async execute(): Promise<JobOutcome> {
    return (await this.options.run(this.abort.signal)) ?? 'done';
  }
}

/**
 * Back to the pool; a connection whose unlock failed is destroyed instead, so that a lock it
 * may still hold goes with it rather than staying with a pooled connection.
 */
async function release(runner: QueryRunner, broken: unknown): Promise<void> {
  const pg = runner as QueryRunner & { releasePostgresConnection?: (err?: unknown) => Promise<void> };
  if (broken && pg.releasePostgresConnection) await pg.releasePostgresConnection(broken instanceof Error ? broken : new Error(String(broken)));
  else await runner.release();
}

function schemaOf(dataSource: DataSource): string {
  return (dataSource.options as { schema?: string }).schema ?? 'public';
}

function sqliteIdentity(dataSource: DataSource): string {
  const file = (dataSource.options as { database?: unknown }).database;
  if (typeof file === 'string' && file !== ':memory:' && file !== '') return `file:${file}`;
  let id = memoryIds.get(dataSource);
  if (id === undefined) memoryIds.set(dataSource, (id = nextMemoryId++));
  return `memory:${id}`;
}

/** A stable 32-bit hash (PostgreSQL's advisory lock keys are int4 pairs). */
export function hashToInt(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}
