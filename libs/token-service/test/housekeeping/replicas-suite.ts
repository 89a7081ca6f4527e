import { randomBytes } from 'node:crypto';
import { createPostgresDatabase } from '@tessera/test-kit';
import { HousekeepingService } from '../../src/housekeeping.service';
import { AccessTokenStore } from '../../src/ports/access-token.store';
import { anAccessToken } from '../stores/access-token.store.contract';
import { startTokenService, type TestApp } from '../support/token-service-app';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Replicas need the distributed mode: PostgreSQL, and Redis for their queues (the in-process bus is one per process). */
export const canRunReplicas = () => Boolean(process.env['DATABASE_URL'] && process.env['REDIS_URL']);

/**
 * Two replicas of the token service (two Nest applications, each with its own connection pool)
 * on one PostgreSQL database: housekeeping runs on one of them per tick, whichever takes the
 * job's advisory lock first, and on the other once the first is gone.
 */
export const replicasSuite = () =>
  describe('housekeeping across two token-service replicas on PostgreSQL', () => {
    let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
    let first: TestApp | undefined;
    let second: TestApp;

    beforeAll(async () => {
      database = await createPostgresDatabase();
      // One database and one master key, as replicas share them (each app has its own data dir).
      const env = {
        DATABASE_URL: database.url,
        REDIS_URL: process.env['REDIS_URL'] as string,
        TESSERA_MASTER_KEY: randomBytes(32).toString('base64url'),
      };
      first = await startTokenService({ env });
      second = await startTokenService({ env });
    });
    afterAll(async () => {
      await first?.close();
      await second?.close();
      await database?.drop();
    });

    const housekeepingOf = (app: TestApp) => app.running.app.get(HousekeepingService);

    /** Counts each replica's sweeps; each sweep lasts at least `ms`, so that ticks sent together overlap. */
    function countSweeps(ms: number) {
      const sweeps = new Map<TestApp, number>();
      const spies = [first as TestApp, second].map((app) => {
        const hk = housekeepingOf(app);
        const real = hk.sweep.bind(hk);
        sweeps.set(app, 0);
        return jest.spyOn(hk, 'sweep').mockImplementation(async (options) => {
          sweeps.set(app, (sweeps.get(app) ?? 0) + 1);
          const [report] = await Promise.all([real(options), sleep(ms)]);
          return report;
        });
      });
      return { sweeps, restore: () => spies.forEach((s) => s.mockRestore()) };
    }

    it('runs each tick on exactly one replica, and that run does the work', async () => {
      const store = second.running.app.get(AccessTokenStore);
      const now = Math.floor(Date.now() / 1000);
      const expired = Array.from({ length: 30 }, (_, i) =>
        anAccessToken(`replicas-expired-${i}`, { expiresAt: now - 10, issuedAt: now - 3600 }),
      );
      const live = anAccessToken('replicas-live', { expiresAt: now + 3600, issuedAt: now });
      for (const t of [...expired, live]) await store.insert(t);
      const { sweeps, restore } = countSweeps(150);
      try {
        for (let round = 0; round < 5; round++) {
          const results = await Promise.all([
            housekeepingOf(first as TestApp).tick(),
            housekeepingOf(second).tick(),
          ]);
          expect(results.sort()).toEqual(['done', 'skipped']);
        }
        expect((sweeps.get(first as TestApp) ?? 0) + (sweeps.get(second) ?? 0)).toBe(5);
      } finally {
        restore();
      }
      for (const t of expired) expect(await store.find(t.storageKey)).toBeUndefined();
      expect(await store.find(live.storageKey)).toEqual(live);
    });

    it('goes on on the other replica once the one running the job stops', async () => {
      const leaving = first as TestApp;
      let release!: () => void;
      let started!: () => void;
      const running = new Promise<void>((r) => (started = r));
      const hk = housekeepingOf(leaving);
      const real = hk.sweep.bind(hk);
      // The leaving replica's run lasts until the test lets it end.
      jest.spyOn(hk, 'sweep').mockImplementation(async (options) => {
        started();
        await new Promise<void>((r) => (release = r));
        return real(options);
      });
      const tick = hk.tick();
      await running;
      expect(await housekeepingOf(second).tick()).toBe('skipped');

      // Shutting down stops its schedule and waits for the run in progress, which releases the job.
      const closing = leaving.close();
      release();
      expect(await tick).toBe('more'); // stopped before its first statement: the rest is left to the next run

      await closing;
      first = undefined;

      expect(await housekeepingOf(second).tick()).toBe('done');
      expect(await housekeepingOf(second).tick()).toBe('done');
    });
  });
