import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '@tessera/runtime';
import { ADMIN_API_CONFIG, ADMIN_CLOCK, type Clock } from './admin-api.tokens';
import { AuditLog } from './audit/audit-log';
import type { AdminApiConfig } from './config/admin-api-config';
import { Idempotency } from './http/idempotency';

const EVERY_MS = 10 * 60_000;
const DAY_MS = 86_400_000;
/** Batches per sweep: a backlog after a long downtime drains over a few sweeps, never in one long transaction. */
const MAX_BATCHES = 20;

/** Audit entries past the retention period, and day-old idempotency keys, go in bounded batches. */
@Injectable()
export class AdminHousekeepingService implements OnModuleInit, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly audit: AuditLog,
    private readonly idempotency: Idempotency,
    @Inject(ADMIN_API_CONFIG) private readonly config: AdminApiConfig,
    @Inject(ADMIN_CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit() {
    this.timer = setInterval(() => void this.sweep().catch((err) => this.logger.warn({ err }, 'admin housekeeping failed')), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown() {
    clearInterval(this.timer);
  }

  async sweep(): Promise<void> {
    const cutoff = this.clock() - this.config.auditRetentionDays * DAY_MS;
    for (let i = 0; i < MAX_BATCHES && (await this.audit.deleteOlderThan(cutoff)) > 0; i++);
    await this.idempotency.sweep();
  }
}
