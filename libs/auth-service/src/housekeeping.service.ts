import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, LessThan } from 'typeorm';
import { LOGGER } from '@tessera/runtime';
import { AUTH_CLOCK, AUTH_SERVICE_DATA_SOURCE, nowSeconds, type Clock } from './auth-service.tokens';
import { LoginSessionEntity } from './database/entities/login-session.entity';
import { KnownDeviceEntity, LoginThrottleEntity } from './database/entities/throttle.entity';

const EVERY_MS = 10 * 60_000;
const DAY = 86_400;

/**
 * Deletes rows nobody can use any more: login sessions a day after they expired, throttle
 * counters a day after their last failure (and past any lock), devices unseen for a year.
 * Features with expiring rows of their own register a sweep step.
 */
@Injectable()
export class AuthHousekeepingService implements OnModuleInit, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private readonly steps: Array<(now: number) => Promise<unknown>> = [];

  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
  ) {}

  /** A feature's own cleanup, run at every sweep with the current epoch second. */
  register(step: (now: number) => Promise<unknown>): void {
    this.steps.push(step);
  }

  onModuleInit() {
    this.timer = setInterval(() => void this.sweep().catch((err) => this.logger.warn({ err }, 'housekeeping failed')), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown() {
    clearInterval(this.timer);
  }

  async sweep(): Promise<void> {
    const now = nowSeconds(this.clock);
    const m = this.dataSource.manager;
    await m.delete(LoginSessionEntity, { expiresAt: LessThan(now - DAY) });
    await m
      .createQueryBuilder()
      .delete()
      .from(LoginThrottleEntity)
      .where('last_failure_at < :cutoff AND (locked_until IS NULL OR locked_until < :now)', { cutoff: now - DAY, now })
      .execute();
    await m.delete(KnownDeviceEntity, { lastSeenAt: LessThan(now - 365 * DAY) });
    for (const step of this.steps) await step(now);
  }
}
