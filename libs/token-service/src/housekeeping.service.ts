import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '@tessera/runtime';
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
 * tokens, revocations, replay entries, pushed authorization requests, logout confirmations and
 * OP sessions; finished back-channel deliveries and initial access tokens after 30 days; access
 * revocations after a year. A used code or a rotated-out refresh token is kept until it
 * expires, so that a replay or a reuse is still recognised as one until then.
 */
@Injectable()
export class HousekeepingService implements OnModuleInit, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

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
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit() {
    this.timer = setInterval(() => void this.sweep().catch((err) => this.logger.warn({ err }, 'housekeeping failed')), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown() {
    clearInterval(this.timer);
  }

  async sweep(): Promise<number> {
    const now = epochSeconds(this.clock);
    const counts = await Promise.all([
      this.accessTokens.deleteExpired(now),
      this.revoked.deleteExpired(now),
      this.replay.deleteExpired(now),
      this.codes.deleteExpired(now),
      this.refreshTokens.deleteExpired(now),
      this.pushed.deleteExpired(now),
      this.logoutRequests.deleteExpired(now),
      this.opSessions.deleteExpired(now),
      this.deliveries.deleteFinishedBefore(now - FINISHED_RETENTION),
      this.initialAccessTokens.deleteFinishedBefore(now - FINISHED_RETENTION),
      this.accessRevocations.deleteCompletedBefore(now - REVOCATION_RETENTION),
    ]);
    return counts.reduce((a, b) => a + b, 0);
  }
}
