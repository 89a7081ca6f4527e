import { readFileSync } from 'node:fs';
import type { ServiceReplica } from '@tessera/cluster';

/** A process's resident set size in bytes, from /proc (Linux), undefined when it is gone. */
export function rssOf(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface RssSample {
  /** Seconds since sampling started. */
  at: number;
  bytes: Record<string, number>;
}

/** Samples every replica's RSS every `everyMs` until stopped. */
export function sampleRss(replicas: ServiceReplica[], everyMs = 1000) {
  const samples: RssSample[] = [];
  const start = Date.now();
  const take = () => {
    const bytes: Record<string, number> = {};
    for (const r of replicas) {
      const rss = rssOf(r.process.pid);
      if (rss !== undefined) bytes[r.name] = rss;
    }
    samples.push({ at: (Date.now() - start) / 1000, bytes });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
    },
  };
}

/** The `p`th percentile (nearest rank) of `values`, 0 when there are none. */
const percentileOf = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] : 0;
};

/**
 * Per replica: its RSS floor in the first and in the last minute, and the growth between them.
 *
 * Under constant load a replica's RSS is a sawtooth: V8 lets old space fill with garbage and a
 * major collection drops it again (an auth-service measured at 105–157 MiB within one minute, its
 * heap after each collection flat at 50–57 MiB). A minute's median lands wherever the minute falls
 * in that cycle, and V8 widens the cycle as it adapts its limits, so medians moved ±12 % between
 * minutes with nothing leaking. What a leak raises is what stays resident after the collections:
 * the floor, here the 10th percentile of the minute's one-second samples.
 *
 * The floor alone misleads the other way when the cycle outgrows the window: a last minute with
 * no collection in it has no trough, and its floor is its plateau (a CI soak: an auth-service
 * floor 178 → 202 MiB, +13 %, while its median went 198 → 202 MiB, +2 %). Retained memory raises
 * both, so a replica counts as leaking only when its floor and its median both grew by
 * LEAK_GROWTH or more.
 */
/** Growth between the first and the last minute that counts as a leak (10 %). */
export const LEAK_GROWTH = 0.1;

export function rssGrowth(
  samples: RssSample[],
  windowS = 60,
): Array<{
  replica: string;
  firstMiB: number;
  lastMiB: number;
  growth: number;
  firstMedianMiB: number;
  lastMedianMiB: number;
  medianGrowth: number;
  /** Floor and median both up by LEAK_GROWTH or more. */
  leaking: boolean;
}> {
  const end = samples[samples.length - 1]?.at ?? 0;
  const names = [...new Set(samples.flatMap((s) => Object.keys(s.bytes)))];
  const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
  return names.map((replica) => {
    const of = (keep: (s: RssSample) => boolean) => samples.filter(keep).map((s) => s.bytes[replica]).filter((b) => b !== undefined);
    const first = of((s) => s.at <= windowS);
    const last = of((s) => s.at >= end - windowS);
    const [firstFloor, lastFloor] = [percentileOf(first, 10), percentileOf(last, 10)];
    const [firstMedian, lastMedian] = [percentileOf(first, 50), percentileOf(last, 50)];
    const growth = firstFloor ? (lastFloor - firstFloor) / firstFloor : 0;
    const medianGrowth = firstMedian ? (lastMedian - firstMedian) / firstMedian : 0;
    return {
      replica,
      firstMiB: mib(firstFloor),
      lastMiB: mib(lastFloor),
      growth,
      firstMedianMiB: mib(firstMedian),
      lastMedianMiB: mib(lastMedian),
      medianGrowth,
      leaking: growth >= LEAK_GROWTH && medianGrowth >= LEAK_GROWTH,
    };
  });
}
