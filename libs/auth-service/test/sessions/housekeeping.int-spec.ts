import { FakeClock, testEngines } from '@tessera/test-kit';
import type { DataSource } from 'typeorm';
import { LoginSessionEntity } from '../../src/database/entities/login-session.entity';
import { KnownDeviceEntity, LoginThrottleEntity } from '../../src/database/entities/throttle.entity';
import { AuthHousekeepingService } from '../../src/housekeeping.service';
import { SecondFactorFailureEntity } from '../../src/mfa/entities/second-factor-failure.entity';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';

const DAY = 86_400;

/** The authentication service's housekeeping: what can no longer count goes, in statements of TESSERA_HOUSEKEEPING_BATCH rows. */
describe.each(testEngines())('auth-service housekeeping (%s)', (engine) => {
  const clock = new FakeClock(Math.floor(Date.now() / 1000) * 1000);
  const now = () => Math.floor(clock.now() / 1000);
  let app: PlatformApp;
  let ds: DataSource;

  beforeAll(async () => {
    app = await startPlatformApp({ engine, clock: clock.now, env: { TESSERA_HOUSEKEEPING_BATCH: '100' } });
    ds = app.authDataSource();
  });
  afterAll(() => app?.close());

  const housekeeping = () => app.running.app.get(AuthHousekeepingService);
  const count = async (table: string) => Number(((await ds.query(`SELECT COUNT(*) AS "n" FROM "${table}"`)) as Array<{ n: string | number }>)[0].n);
  async function insertMany<T extends object>(entity: new () => T, rows: T[]) {
    for (let i = 0; i < rows.length; i += 200) await ds.manager.insert(entity, rows.slice(i, i + 200) as never);
  }
  const session = (id: string, expiresAt: number): LoginSessionEntity =>
    Object.assign(new LoginSessionEntity(), { id, storageKey: `sk-${id}`, sub: 'u-1', stage: 'authenticated', amr: ['pwd'], authTime: expiresAt - 3600, remember: false, ip: null, userAgent: null, createdAt: expiresAt - 3600, lastSeenAt: expiresAt - 3600, expiresAt, endedAt: null });
  const throttle = (key: string, lastFailureAt: number, lockedUntil: number | null): LoginThrottleEntity =>
    Object.assign(new LoginThrottleEntity(), { key, failures: 3, firstFailureAt: lastFailureAt - 60, lastFailureAt, lockedUntil, nextAllowedAt: 0, inFlightUntil: null });

  it('deletes old sessions, counters and devices in bounded statements, and keeps what still counts', async () => {
    const t = now();
    await insertMany(LoginSessionEntity, [
      ...Array.from({ length: 250 }, (_, i) => session(`old-${i}`, t - DAY - 1 - i)),
      ...Array.from({ length: 5 }, (_, i) => session(`recent-${i}`, t - DAY + 60 + i)), // expired less than a day ago
      ...Array.from({ length: 5 }, (_, i) => session(`live-${i}`, t + 3600 + i)),
    ]);
    await insertMany(LoginThrottleEntity, [
      ...Array.from({ length: 120 }, (_, i) => throttle(`acct:old-${i}`, t - DAY - 1 - i, null)),
      throttle('acct:old-but-locked', t - 2 * DAY, t + 600),
      throttle('acct:recent', t - 60, null),
    ]);
    await insertMany(KnownDeviceEntity, [
      ...Array.from({ length: 101 }, (_, i) => Object.assign(new KnownDeviceEntity(), { storageKey: `dev-${i}`, sub: 'u-1', lastSeenAt: t - 366 * DAY })),
      Object.assign(new KnownDeviceEntity(), { storageKey: 'dev-seen', sub: 'u-1', lastSeenAt: t - 364 * DAY }),
    ]);
    await insertMany(SecondFactorFailureEntity, [
      ...Array.from({ length: 30 }, (_, i) => Object.assign(new SecondFactorFailureEntity(), { key: `session:old-${i}`, sub: 'u-1', failures: 1, firstFailureAt: t - DAY - 1 })),
      Object.assign(new SecondFactorFailureEntity(), { key: 'user:u-1', sub: 'u-1', failures: 2, firstFailureAt: t - 60 }),
    ]);
    const before = { sessions: await count('login_sessions'), throttle: await count('login_throttle'), devices: await count('known_devices'), failures: await count('mfa_failures') };

    const report = await housekeeping().sweep();

    // The event tables (outbox, processed markers) hold nothing old here: one statement each.
    expect(report.deleted).toEqual({ login_sessions: 250, login_throttle: 120, known_devices: 101, mfa_failures: 30, outbox: 0, processed_events: 0 });
    // Sessions 100 + 100 + 50, counters 100 + 20, devices 100 + 1, failures 30: each table until a statement comes back short.
    expect(report.statements).toBe(3 + 2 + 2 + 1 + 2);
    expect(report).toMatchObject({ left: [], failed: [], outcome: 'done' });
    expect({ sessions: await count('login_sessions'), throttle: await count('login_throttle'), devices: await count('known_devices'), failures: await count('mfa_failures') }).toEqual({
      sessions: before.sessions - 250,
      throttle: before.throttle - 120,
      devices: before.devices - 101,
      failures: before.failures - 30,
    });
    expect(await ds.manager.countBy(LoginThrottleEntity, { key: 'acct:old-but-locked' })).toBe(1);
    expect(await ds.manager.countBy(LoginSessionEntity, { id: 'recent-0' })).toBe(1);
  });

  it('runs as a scheduled job: a tick runs the sweep on this replica', async () => {
    expect(await housekeeping().tick()).toBe('done');
  });
});
