import { Column, Entity, PrimaryColumn, type DataSource } from 'typeorm';
import { engines, throwawayDatabase, type ThrowawayDatabase } from '../../test/throwaway-database';
import { ClusterJob, hashToInt, type ClusterJobOptions, type JobLogger } from './cluster-job';

@Entity('job_rows')
class JobRow {
  @PrimaryColumn('varchar', { length: 32 })
  id!: string;

  @Column('integer', { default: 0 })
  n!: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A promise the test settles when it wants. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

function recordingLogger() {
  const lines: Array<{ level: string; msg: string }> = [];
  const logger: JobLogger = {
    debug: (_o, msg) => void lines.push({ level: 'debug', msg }),
    warn: (_o, msg) => void lines.push({ level: 'warn', msg }),
  };
  return { logger, lines };
}

/** Counts runs and the most that were ever in progress at once, across every job given it. */
function overlapProbe() {
  const probe = { runs: 0, inProgress: 0, most: 0 };
  const run = async (ms: () => number) => {
    probe.runs++;
    probe.inProgress++;
    probe.most = Math.max(probe.most, probe.inProgress);
    try {
      await sleep(ms());
    } finally {
      probe.inProgress--;
    }
  };
  return { probe, run };
}

describe.each(engines())('ClusterJob on %s', (engine) => {
  let db: ThrowawayDatabase;
  /** Two replicas: two DataSources (two connection pools) on the same database. */
  let replicaA: DataSource;
  let replicaB: DataSource;
  const jobs: ClusterJob[] = [];

  beforeAll(async () => {
    db = await throwawayDatabase(engine, [JobRow]);
    replicaA = await db.open();
    replicaB = await db.open();
  });
  afterEach(async () => {
    await Promise.all(jobs.splice(0).map((j) => j.stop()));
  });
  afterAll(() => db.destroy());

  const job = (options: Partial<ClusterJobOptions> & Pick<ClusterJobOptions, 'dataSource' | 'run'>) => {
    const j = new ClusterJob({ name: 'test.housekeeping', intervalMs: 60_000, logger: recordingLogger().logger, ...options });
    jobs.push(j);
    return j;
  };

  it('runs on one replica at a time: a tick while another replica runs the job is skipped (logged at debug), the next one runs', async () => {
    const blocked = gate();
    const started = gate();
    const onB = recordingLogger();
    const a = job({ dataSource: replicaA, run: async () => (started.open(), await blocked.opened) });
    const b = job({ dataSource: replicaB, run: async () => undefined, logger: onB.logger });

    const running = a.tick();
    await started.opened;
    expect(await b.tick()).toBe('skipped');
    expect(onB.lines).toEqual([{ level: 'debug', msg: engine === 'postgres' ? 'job running on another replica; tick skipped' : 'job running elsewhere in this process; tick skipped' }]);

    blocked.open();
    expect(await running).toBe('done');
    expect(await b.tick()).toBe('done');
    expect(await a.tick()).toBe('done');
  });

  it('skips a tick of the same instance while its previous run goes on', async () => {
    const blocked = gate();
    const a = job({ dataSource: replicaA, run: () => blocked.opened });
    const first = a.tick();
    expect(await a.tick()).toBe('skipped');
    blocked.open();
    expect(await first).toBe('done');
  });

  it('lets other jobs, and the same job of another service (schema or file), run meanwhile', async () => {
    const blocked = gate();
    const started = gate();
    const a = job({ dataSource: replicaA, run: async () => (started.open(), await blocked.opened) });
    const other = job({ dataSource: replicaB, name: 'test.retention', run: async () => undefined });
    const running = a.tick();
    await started.opened;
    expect(await other.tick()).toBe('done');

    const elsewhere = await throwawayDatabase(engine, [JobRow]);
    try {
      const sameNameElsewhere = job({ dataSource: await elsewhere.open(), run: async () => undefined });
      expect(await sameNameElsewhere.tick()).toBe('done');
    } finally {
      blocked.open();
      await running;
      await elsewhere.destroy();
    }
  });

  it('reports a failed run (logged as a warning), releases the job, and reports more work when the run says so', async () => {
    const onA = recordingLogger();
    let fail = true;
    const a = job({ dataSource: replicaA, logger: onA.logger, run: async () => { if (fail) throw new Error('boom'); return 'more'; } });
    const b = job({ dataSource: replicaB, run: async () => undefined });
    expect(await a.tick()).toBe('failed');
    expect(onA.lines).toEqual([{ level: 'warn', msg: 'job failed' }]);
    expect(await b.tick()).toBe('done');
    fail = false;
    expect(await a.tick()).toBe('more');
  });

  it('never overlaps runs across replicas while both run on short jittered intervals', async () => {
    const { probe, run } = overlapProbe();
    const a = job({ dataSource: replicaA, intervalMs: 4, firstDelayMs: 0, jitter: 0.5, run: () => run(() => 1 + Math.random() * 6) });
    const b = job({ dataSource: replicaB, intervalMs: 4, firstDelayMs: 0, jitter: 0.5, run: () => run(() => 1 + Math.random() * 6) });
    a.start();
    b.start();
    // Until enough runs happened, rather than for a fixed 400 ms: how many runs fit in a given time
    // depends on how loaded the machine (and PostgreSQL) is. Jest's timeout bounds the wait.
    while (probe.runs <= 20) await sleep(5);
    await Promise.all([a.stop(), b.stop()]);
    expect(probe.most).toBe(1);
    expect(probe.runs).toBeGreaterThan(20);
  });

  it('stop() aborts the run in progress, waits for it, and no tick follows', async () => {
    let signal: AbortSignal | undefined;
    let runs = 0;
    const a = job({
      dataSource: replicaA,
      intervalMs: 5,
      firstDelayMs: 0,
      run: async (s) => {
        runs++;
        signal = s;
        while (!s.aborted) await sleep(2);
      },
    });
    a.start();
    while (!signal) await sleep(1);
    await a.stop();
    expect(signal.aborted).toBe(true);
    await sleep(30);
    expect(runs).toBe(1);
  });

  if (engine === 'postgres') {
    it('holds a session advisory lock on a connection of its own for the run only', async () => {
      const started = gate();
      const blocked = gate();
      const a = job({ dataSource: replicaA, run: async () => (started.open(), await blocked.opened) });
      const running = a.tick();
      await started.opened;
      expect(await advisoryLocks(replicaB, 'test.housekeeping')).toHaveLength(1);
      blocked.open();
      await running;
      expect(await advisoryLocks(replicaB, 'test.housekeeping')).toEqual([]);
    });

    it('a replica that dies mid-run releases the job with its connection: the other one takes over', async () => {
      const started = gate();
      const blocked = gate();
      const a = job({ dataSource: replicaA, run: async () => (started.open(), await blocked.opened) });
      const b = job({ dataSource: replicaB, run: async () => undefined });
      const running = a.tick();
      await started.opened;
      expect(await b.tick()).toBe('skipped');

      // The lock's session ends as it would when its process is killed. pg_terminate_backend only
      // signals the backend: the lock goes when the backend has exited, a moment later (longer on a
      // loaded machine), so the other replica's tick comes once it has gone.
      const [{ pid }] = await advisoryLocks(replicaB, 'test.housekeeping');
      await replicaB.query('SELECT pg_terminate_backend($1)', [pid]);
      while ((await advisoryLocks(replicaB, 'test.housekeeping')).length > 0) await sleep(10);
      expect(await b.tick()).toBe('done');

      // The stranded run ends; its broken connection is not handed back to the pool.
      blocked.open();
      expect(await running).toBe('done');
      expect(await a.tick()).toBe('done');
      expect(await advisoryLocks(replicaB, 'test.housekeeping')).toEqual([]);
    });
  }

  /** The advisory locks held for `name` in this database's schema, with their sessions' pids. */
  async function advisoryLocks(ds: DataSource, name: string): Promise<Array<{ pid: number }>> {
    const schema = (ds.options as { schema?: string }).schema ?? 'public';
    return ds.query(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid::int = $1 AND objid::bigint = $2 AND objsubid = 2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [hashToInt('tessera:cluster-jobs'), BigInt.asUintN(32, BigInt(hashToInt(`${schema}:${name}`))).toString()],
    );
  }
});

describe('ClusterJob timing', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** A job on an in-memory SQLite DataSource stand-in: the guard needs only its options. */
  const fakeSqlite = { options: { type: 'better-sqlite3', database: ':memory:' } } as unknown as DataSource;

  it('waits the interval ± jitter between ticks, and the backlog delay after a run that left work', async () => {
    const ticks: number[] = [];
    let outcome: 'done' | 'more' = 'done';
    let random = 0;
    const j = new ClusterJob({
      name: 'timing',
      dataSource: fakeSqlite,
      intervalMs: 1000,
      jitter: 0.2,
      backlogDelayMs: 100,
      firstDelayMs: 0,
      random: () => random,
      logger: recordingLogger().logger,
      run: async () => (ticks.push(Date.now()), outcome),
    });
    const t0 = Date.now();
    j.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(ticks).toEqual([t0]);

    await jest.advanceTimersByTimeAsync(799); // the shortest wait: 1000 × (1 − 0.2)
    expect(ticks).toHaveLength(1);
    random = 1; // the next wait is the longest: 1000 × (1 + 0.2)
    await jest.advanceTimersByTimeAsync(1);
    expect(ticks).toHaveLength(2);
    outcome = 'more';
    await jest.advanceTimersByTimeAsync(1199);
    expect(ticks).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(ticks).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(120); // after a run with work left: 100 × (1 + 0.2)
    expect(ticks).toHaveLength(4);
    await j.stop();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(ticks).toHaveLength(4);
  });

  it('spreads the first ticks of replicas started together over the interval', async () => {
    const firsts: number[] = [];
    const t0 = Date.now();
    const started = [0.1, 0.5, 0.9].map((r) => {
      const j = new ClusterJob({ name: `first-${r}`, dataSource: fakeSqlite, intervalMs: 1000, jitter: 0, random: () => r, logger: recordingLogger().logger, run: async () => void firsts.push(Date.now() - t0) });
      j.start();
      return j;
    });
    await jest.advanceTimersByTimeAsync(999);
    expect(firsts.sort((x, y) => x - y)).toEqual([100, 500, 900]);
    await Promise.all(started.map((j) => j.stop()));
  });
});
