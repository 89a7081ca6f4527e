import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Broadcaster, type Unsubscribe } from '@tessera/events';
import { CLOCK, type Clock } from '../clock';
import { UserClaimsSource } from '../ports/user-claims.source';

/** Every replica drops a user's cached claims when this is broadcast (on `user.updated`). */
export const USER_CLAIMS_CHANNEL = 'token-service.user-claims';

const TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  claims: Record<string, unknown> | undefined;
  expiresAt: number;
}

/**
 * A user's claims, cached briefly: an ID token and the UserInfo calls that follow it ask for the
 * same profile within seconds. A profile change reaches every replica at once through the
 * broadcast; the TTL only bounds staleness if a broadcast is lost (Redis pub/sub is not durable).
 */
@Injectable()
export class UserClaimsService implements OnModuleInit, OnModuleDestroy {
  private readonly cache = new Map<string, Entry>();
  /** A lookup in flight per user, so that a burst of requests makes one call. */
  private readonly loading = new Map<string, Promise<Record<string, unknown> | undefined>>();
  private unsubscribe?: Unsubscribe;
  private generation = 0;

  constructor(
    private readonly source: UserClaimsSource,
    private readonly broadcaster: Broadcaster,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onModuleInit() {
    this.unsubscribe = await this.broadcaster.subscribe(USER_CLAIMS_CHANNEL, (message) => {
      if (typeof message['sub'] === 'string') this.forget(message['sub']);
    });
  }

  async onModuleDestroy() {
    await this.unsubscribe?.();
  }

  async claimsOf(sub: string): Promise<Record<string, unknown> | undefined> {
    const now = this.clock();
    const hit = this.cache.get(sub);
    if (hit && hit.expiresAt > now) return hit.claims;
    let pending = this.loading.get(sub);
    if (!pending) {
      const generation = this.generation;
      pending = this.source.claimsOf(sub).finally(() => this.loading.delete(sub));
      this.loading.set(sub, pending);
      const claims = await pending;
      // A profile change announced while this lookup ran may not be in its answer: do not cache it.
      if (generation === this.generation) this.remember(sub, claims, now);
      return claims;
    }
    return pending;
  }

  /** Announces a user's profile change to every replica (this one included). */
  async invalidate(sub: string): Promise<void> {
    this.forget(sub);
    await this.broadcaster.publish(USER_CLAIMS_CHANNEL, { sub });
  }

  private forget(sub: string) {
    this.generation++;
    this.cache.delete(sub);
    this.loading.delete(sub);
  }

  private remember(sub: string, claims: Record<string, unknown> | undefined, now: number) {
    if (this.cache.size >= MAX_ENTRIES) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(sub, { claims, expiresAt: now + TTL_MS });
  }
}
