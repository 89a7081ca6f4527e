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

const EVERY_MS = 10 * 60_000;

/**
 * Deletes rows nobody can use any more: expired reference tokens, authorization codes, refresh
 * tokens, revocations, replay entries, pushed authorization requests and logout confirmations. A used code or a rotated-out refresh token is kept
 * until it expires, so that a replay or a reuse is still recognised as one until then.
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
    ]);
    return counts.reduce((a, b) => a + b, 0);
  }
}
