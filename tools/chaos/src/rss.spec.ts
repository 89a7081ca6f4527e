import { rssGrowth, type RssSample } from './rss';

const MiB = 2 ** 20;

/** Two minutes of one-second samples of one replica, `mib(t)` MiB at second t. */
const samples = (mib: (t: number) => number): RssSample[] => Array.from({ length: 121 }, (_, t) => ({ at: t, bytes: { r: mib(t) * MiB } }));

/** V8's cycle: garbage fills old space linearly for `period` seconds, a collection drops it. */
const sawtooth = (t: number, period: number, amplitude: number) => ((t % period) / period) * amplitude;

describe('rssGrowth', () => {
  it('sees no growth in a sawtooth whose cycle widens while the floor stays put', () => {
    // 40 MiB swings in the first minute, 70 MiB in the last: the medians differ by 14 %.
    const [r] = rssGrowth(samples((t) => 110 + sawtooth(t, 30, t < 60 ? 40 : 70)));
    expect(r.lastMedianMiB / r.firstMedianMiB).toBeGreaterThan(1.1);
    expect(r.growth).toBeLessThan(0.05);
  });

  it('sees a leak that raises what stays after each collection', () => {
    // 0.25 MiB a second that no collection frees: 15 MiB a minute on a 110 MiB floor.
    const [r] = rssGrowth(samples((t) => 110 + t * 0.25 + sawtooth(t, 30, 40)));
    expect(r.growth).toBeGreaterThan(0.1);
  });

  it('is not fooled by a few low samples (a replica that just freed a large buffer)', () => {
    const [r] = rssGrowth(samples((t) => (t >= 61 && t % 20 === 0 ? 60 : 110 + t * 0.25)));
    expect(r.growth).toBeGreaterThan(0.1);
  });

  it('counts as leaking a replica whose floor and median both rise', () => {
    const [r] = rssGrowth(samples((t) => 110 + t * 0.25 + sawtooth(t, 30, 40)));
    expect(r.medianGrowth).toBeGreaterThan(0.1);
    expect(r.leaking).toBe(true);
  });

  it('does not count as leaking a last minute with no collection in it (its floor is its plateau)', () => {
    // Troughs in the first minute (30 s cycle of 40 MiB above 160), then the cycle outgrows the
    // window and the last minute sits near the first minute's median: the CI soak's auth-service.
    const [r] = rssGrowth(samples((t) => (t < 60 ? 160 + sawtooth(t, 30, 40) : 182 + (t - 60) * 0.05)));
    expect(r.growth).toBeGreaterThan(0.1);
    expect(r.medianGrowth).toBeLessThan(0.1);
    expect(r.leaking).toBe(false);
  });

  it('does not count as leaking a sawtooth whose cycle widens while the floor stays put', () => {
    const [r] = rssGrowth(samples((t) => 110 + sawtooth(t, 30, t < 60 ? 40 : 70)));
    expect(r.leaking).toBe(false);
  });
});
