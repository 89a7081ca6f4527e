import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ClusterJob, deleteBatch, LOGGER, logSweep, PLATFORM_CONFIG, sweepInBatches, type PlatformConfig, type SweepReport, type TickResult } from '@tessera/runtime';
import { eventHousekeepingSteps } from '@tessera/events';
import { AUTH_CLOCK, AUTH_SERVICE_DATA_SOURCE, nowSeconds, type Clock } from './auth-service.tokens';
import { LoginSessionEntity } from './database/entities/login-session.entity';
import { KnownDeviceEntity, LoginThrottleEntity } from './database/entities/throttle.entity';

const EVERY_MS = 10 * 60_000;
const DAY = 86_400;

/** A feature's own clean-up: deletes at most `limit` rows given the current epoch second, in one statement; returns how many. */
export type HousekeepingStep = (now: number, limit: number) => Promise<number>;

/**
 * Deletes rows nobody can use any more: login sessions a day after they expired, throttle
 * counters a day after their last failure (and past any lock), devices unseen for a year.
 * Features with expiring rows of their own register a step.
 *
 * It runs as a cluster job: on one replica at a time (a PostgreSQL advisory lock; in-process on
 * SQLite), every ten minutes or so (jittered). Every statement deletes at most
 * TESSERA_HOUSEKEEPING_BATCH rows; a run stops after its time budget and the next one, soon
 * after, goes on with the rest.
 */
@Injectable()
export class AuthHousekeepingService implements OnModuleInit, OnModuleDestroy {
  private readonly job: ClusterJob;
  private readonly steps = new Map<string, HousekeepingStep>();

  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(PLATFORM_CONFIG) private readonly platform: PlatformConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
  ) {
    this.job = new ClusterJob({ name: 'auth-service.housekeeping', dataSource, intervalMs: EVERY_MS, logger, run: async (signal) => (await this.sweep({ signal })).outcome });
    const ds = this.dataSource;
    this.register('login_sessions', (now, limit) => deleteBatch(ds, { table: LoginSessionEntity, where: '"expires_at" < $1', params: [now - DAY], limit }));
    this.register('login_throttle', (now, limit) =>
      deleteBatch(ds, { table: LoginThrottleEntity, where: '"last_failure_at" < $1 AND ("locked_until" IS NULL OR "locked_until" < $2)', params: [now - DAY, now], limit }),
    );
    this.register('known_devices', (now, limit) => deleteBatch(ds, { table: KnownDeviceEntity, where: '"last_seen_at" < $1', params: [now - 365 * DAY], limit }));
  }

  /** A feature's own clean-up, run at every sweep (in bounded batches like the others). */
  register(name: string, step: HousekeepingStep): void {
    this.steps.set(name, step);
  }

  onModuleInit() {
    this.job.start();
  }

  /** Before the database closes: the run in progress stops after its current statement. */
  async onModuleDestroy() {
    await this.job.stop();
  }

  /** One run now, as the schedule runs it: skipped while another replica runs it. */
  tick(): Promise<TickResult> {
    return this.job.tick();
  }

  /** One run's work, on this replica, without the cluster lock (the job, tests). */
  async sweep(options: { signal?: AbortSignal; budgetMs?: number } = {}): Promise<SweepReport> {
    const now = nowSeconds(this.clock);
    const steps = [
      ...[...this.steps].map(([name, step]) => ({ name, deleteBatch: (limit: number) => step(now, limit) })),
      ...eventHousekeepingSteps(this.dataSource, now * 1000),
    ];
    const report = await sweepInBatches(steps, { batchSize: this.platform.housekeepingBatch, logger: this.logger, ...options });
    logSweep(this.logger, 'auth-service.housekeeping', report);
    return report;
  }
}
