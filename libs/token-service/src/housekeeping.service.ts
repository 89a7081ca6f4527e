import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ClusterJob, LOGGER, logSweep, PLATFORM_CONFIG, sweepInBatches, type PlatformConfig, type SweepReport, type SweepStep, type TickResult } from '@tessera/runtime';
import { eventHousekeepingSteps } from '@tessera/events';
import { TOKEN_SERVICE_DATA_SOURCE } from './adapters/typeorm/data-source';
import { CLOCK, epochSeconds, type Clock } from './clock';
import { AccessTokenStore, RevokedTokenStore } from './ports/access-token.store';
import { AuthorizationCodeStore } from './ports/authorization-code.store';
import { LogoutRequestStore } from './ports/logout-request.store';
import { PushedRequestStore } from './ports/pushed-request.store';
import { RefreshTokenStore } from './ports/refresh-token.store';
import { ReplayCache } from './ports/replay-cache';
import { OpSessionStore } from './ports/op-session.store';
import { BackchannelDeliveryStore } from './ports/backchannel-delivery.store';
import { InitialAccessTokenStore } from './ports/initial-access-token.store';
import { AccessRevocationStore } from './ports/access-revocation.store';

const EVERY_MS = 10 * 60_000;
const DAY = 86_400;
/** How long the admin API can show a finished back-channel delivery, or a finished initial access token. */
const FINISHED_RETENTION = 30 * DAY;
/** Revocation ids are kept long past any redelivery of their request (retries last minutes). */
const REVOCATION_RETENTION = 365 * DAY;

/**
 * Deletes rows nobody can use any more: expired reference tokens, authorization codes, refresh
 * tokens, revocations, replay entries (used challenges among them), pushed authorization requests, logout
 * confirmations and OP sessions; finished back-channel deliveries and initial access tokens after
 * 30 days (a delivery still retrying stays); access revocations after a year. A used code or a
 * rotated-out refresh token is kept until it expires, so that a replay or a reuse is still
 * recognised as one until then.
 *
 * It runs as a cluster job: on one replica at a time (a PostgreSQL advisory lock; in-process on
 * SQLite), every ten minutes or so (jittered). Every statement deletes at most
 * TESSERA_HOUSEKEEPING_BATCH rows; a run stops after its time budget and the next one, soon
 * after, goes on with the rest.
 */
@Injectable()
export class HousekeepingService implements OnModuleInit, OnModuleDestroy {
  private readonly job: ClusterJob;

  constructor(
    private readonly accessTokens: AccessTokenStore,
    private readonly revoked: RevokedTokenStore,
    private readonly replay: ReplayCache,
    private readonly codes: AuthorizationCodeStore,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly pushed: PushedRequestStore,
    private readonly logoutRequests: LogoutRequestStore,
    private readonly opSessions: OpSessionStore,
    private readonly deliveries: BackchannelDeliveryStore,
    private readonly initialAccessTokens: InitialAccessTokenStore,
    private readonly accessRevocations: AccessRevocationStore,
    @Inject(TOKEN_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(PLATFORM_CONFIG) private readonly platform: PlatformConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.job = new ClusterJob({ name: 'token-service.housekeeping', dataSource, intervalMs: EVERY_MS, logger, run: async (signal) => (await this.sweep({ signal })).outcome });
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
    const now = epochSeconds(this.clock);
    const steps: SweepStep[] = [
      { name: 'access_tokens', deleteBatch: (n) => this.accessTokens.deleteExpired(now, n) },
      { name: 'revoked_tokens', deleteBatch: (n) => this.revoked.deleteExpired(now, n) },
      { name: 'replay_cache', deleteBatch: (n) => this.replay.deleteExpired(now, n) },
      { name: 'authorization_codes', deleteBatch: (n) => this.codes.deleteExpired(now, n) },
      { name: 'refresh_tokens', deleteBatch: (n) => this.refreshTokens.deleteExpired(now, n) },
      { name: 'pushed_requests', deleteBatch: (n) => this.pushed.deleteExpired(now, n) },
      { name: 'logout_requests', deleteBatch: (n) => this.logoutRequests.deleteExpired(now, n) },
      { name: 'op_sessions', deleteBatch: (n) => this.opSessions.deleteExpired(now, n) },
      { name: 'backchannel_deliveries', deleteBatch: (n) => this.deliveries.deleteFinishedBefore(now - FINISHED_RETENTION, n) },
      { name: 'initial_access_tokens', deleteBatch: (n) => this.initialAccessTokens.deleteFinishedBefore(now - FINISHED_RETENTION, n) },
      { name: 'access_revocations', deleteBatch: (n) => this.accessRevocations.deleteCompletedBefore(now - REVOCATION_RETENTION, n) },
      ...eventHousekeepingSteps(this.dataSource, now * 1000),
    ];
    const report = await sweepInBatches(steps, { batchSize: this.platform.housekeepingBatch, logger: this.logger, ...options });
    logSweep(this.logger, 'token-service.housekeeping', report);
    return report;
  }
}
