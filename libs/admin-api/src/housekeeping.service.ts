import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ClusterJob, LOGGER, logSweep, PLATFORM_CONFIG, sweepInBatches, type PlatformConfig, type SweepReport, type TickResult } from '@tessera/runtime';
import { eventHousekeepingSteps } from '@tessera/events';
import { ADMIN_API_CONFIG, ADMIN_API_DATA_SOURCE, ADMIN_CLOCK, type Clock } from './admin-api.tokens';
import { AuditLog } from './audit/audit-log';
import type { AdminApiConfig } from './config/admin-api-config';
import { Idempotency } from './http/idempotency';

const EVERY_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

/**
 * Audit entries past the retention period, and day-old idempotency keys, go in bounded batches:
 * every statement deletes at most TESSERA_HOUSEKEEPING_BATCH rows, and a backlog after a long
 * downtime drains over a few runs (each stops after its time budget), never in one long
 * transaction. It runs as a cluster job: on one replica at a time (a PostgreSQL advisory lock;
 * in-process on SQLite), every ten minutes or so (jittered).
 */
@Injectable()
export class AdminHousekeepingService implements OnModuleInit, OnModuleDestroy {
  private readonly job: ClusterJob;

  constructor(
    private readonly audit: AuditLog,
    private readonly idempotency: Idempotency,
    @Inject(ADMIN_API_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(ADMIN_API_CONFIG) private readonly config: AdminApiConfig,
    @Inject(PLATFORM_CONFIG) private readonly platform: PlatformConfig,
    @Inject(ADMIN_CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.job = new ClusterJob({ name: 'admin-api.housekeeping', dataSource, intervalMs: EVERY_MS, logger, run: async (signal) => (await this.sweep({ signal })).outcome });
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
    const cutoff = this.clock() - this.config.auditRetentionDays * DAY_MS;
    const report = await sweepInBatches(
      [
        { name: 'audit_entries', deleteBatch: (n) => this.audit.deleteOlderThan(cutoff, n) },
        { name: 'idempotency_keys', deleteBatch: (n) => this.idempotency.deleteExpired(n) },
        ...eventHousekeepingSteps(this.dataSource, this.clock()),
      ],
      { batchSize: this.platform.housekeepingBatch, logger: this.logger, ...options },
    );
    logSweep(this.logger, 'admin-api.housekeeping', report);
    return report;
  }
}
