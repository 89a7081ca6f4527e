import { hash } from 'node:crypto';
import type { VerifiedToken } from './verified-token';

/** Bounds the memory the cache can take, whatever the traffic. */
export const MAX_CACHED_TOKENS = 10_000;

interface Entry {
  token: VerifiedToken;
  /** Epoch milliseconds. */
  until: number;
}

/**
 * Active introspection answers, reused for at most `ttlMs` and never past the token's `exp`.
 *
 * Only answers that let a request in are cached: a failure (inactive, wrong audience, the
 * issuer unreachable) is never remembered, so a revoked token is refused at most `ttlMs` after
 * its revocation and a token refused once is asked about again next time. Entries are keyed by
 * the SHA-256 of the token, so the map never holds a usable token. Concurrent requests with
 * the same token share one introspection call while caching is on; with `ttlMs` 0 every
 * request asks the authorization server itself.
 */
export class IntrospectionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<VerifiedToken>>();

  constructor(
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = MAX_CACHED_TOKENS,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  async resolve(token: string, introspect: () => Promise<VerifiedToken>): Promise<VerifiedToken> {
    if (this.ttlMs <= 0) return introspect();
    const key = hash('sha256', token, 'base64url');
    const hit = this.entries.get(key);
    if (hit) {
      if (this.now() < hit.until) return copy(hit.token);
      this.entries.delete(key);
    }
    let load = this.pending.get(key);
    if (!load) {
      load = introspect()
        .then((verified) => {
          this.store(key, verified);
          return verified;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, load);
    }
    // Each caller gets its own copy: a request handler that edits its token must not edit another's.
    return copy(await load);
  }

  private store(key: string, token: VerifiedToken): void {
    const now = this.now();
    const until = Math.min(now + this.ttlMs, token.exp * 1000);
    if (until <= now) return;
    if (this.entries.size >= this.maxEntries) this.evict(now);
    this.entries.set(key, { token: copy(token), until });
  }

  /** Drops expired entries; if none were, the oldest one (a Map iterates in insertion order). */
  private evict(now: number): void {
    for (const [key, entry] of this.entries) if (entry.until <= now) this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}

const copy = (token: VerifiedToken): VerifiedToken => structuredClone(token);
