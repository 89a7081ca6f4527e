import { IntrospectionCache } from './introspection-cache';
import { TokenError } from './token-error';
import type { VerifiedToken } from './verified-token';

class Clock {
  ms = 1_800_000_000_000;
  now = () => this.ms;
}

const verified = (expSeconds: number): VerifiedToken => ({ format: 'reference', client_id: 'app', scopes: ['a'], aud: ['x'], exp: expSeconds, claims: { active: true } });

describe('IntrospectionCache', () => {
  let clock: Clock;
  let calls: number;
  const exp = () => Math.floor(clock.ms / 1000) + 3600;
  const active = () => async () => (calls++, verified(exp()));
  const inactive = async () => {
    calls++;
    throw new TokenError('invalid_token', 'The access token is not active.');
  };
  beforeEach(() => {
    clock = new Clock();
    calls = 0;
  });

  it('reuses an active answer until the TTL has passed, then asks again', async () => {
    const cache = new IntrospectionCache(5_000, clock.now);
    const load = active();
    await cache.resolve('tsr_at_1', load);
    clock.ms += 4_999;
    await cache.resolve('tsr_at_1', load);
    expect(calls).toBe(1);
    clock.ms += 1;
    await cache.resolve('tsr_at_1', load);
    expect(calls).toBe(2);
  });

  it('never keeps an answer past the token exp', async () => {
    const cache = new IntrospectionCache(60_000, clock.now);
    const expiresIn2s = async () => (calls++, verified(Math.floor(clock.ms / 1000) + 2));
    await cache.resolve('tsr_at_1', expiresIn2s);
    clock.ms += 1_999;
    await cache.resolve('tsr_at_1', expiresIn2s);
    expect(calls).toBe(1);
    clock.ms += 1;
    await cache.resolve('tsr_at_1', expiresIn2s);
    expect(calls).toBe(2);
  });

  it('never caches a refusal: an inactive token is asked about every time', async () => {
    const cache = new IntrospectionCache(60_000, clock.now);
    await expect(cache.resolve('tsr_at_1', inactive)).rejects.toBeInstanceOf(TokenError);
    await expect(cache.resolve('tsr_at_1', inactive)).rejects.toBeInstanceOf(TokenError);
    expect(calls).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('with TTL 0 asks every time, concurrent requests included', async () => {
    const cache = new IntrospectionCache(0, clock.now);
    const load = active();
    await Promise.all([cache.resolve('tsr_at_1', load), cache.resolve('tsr_at_1', load)]);
    await cache.resolve('tsr_at_1', load);
    expect(calls).toBe(3);
    expect(cache.size).toBe(0);
  });

  it('shares one call between concurrent requests for the same token, not between tokens', async () => {
    const cache = new IntrospectionCache(5_000, clock.now);
    const load = active();
    await Promise.all([cache.resolve('tsr_at_1', load), cache.resolve('tsr_at_1', load), cache.resolve('tsr_at_2', load)]);
    expect(calls).toBe(2);
  });

  it('keys entries by a hash: the map never holds a token', async () => {
    const cache = new IntrospectionCache(5_000, clock.now);
    await cache.resolve('tsr_at_secret-value', active());
    const keys = [...(cache as unknown as { entries: Map<string, unknown> }).entries.keys()];
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain('secret-value');
  });

  it('stays within its size bound, dropping the oldest entry', async () => {
    const cache = new IntrospectionCache(60_000, clock.now, 3);
    for (const t of ['t1', 't2', 't3', 't4']) await cache.resolve(t, active());
    expect(cache.size).toBe(3);
    calls = 0;
    await cache.resolve('t4', active());
    await cache.resolve('t2', active());
    expect(calls).toBe(0);
    await cache.resolve('t1', active());
    expect(calls).toBe(1);
  });
});
