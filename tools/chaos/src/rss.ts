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
export function sampleRss(replicas: ServiceReplica[], everyMs = 5000) {
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

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0;
};

/** Per replica: the median RSS of the first and of the last minute, and the growth between them. */
export function rssGrowth(samples: RssSample[], windowS = 60): Array<{ replica: string; firstMiB: number; lastMiB: number; growth: number }> {
  const end = samples[samples.length - 1]?.at ?? 0;
  const names = [...new Set(samples.flatMap((s) => Object.keys(s.bytes)))];
  return names.map((replica) => {
    const first = median(samples.filter((s) => s.at <= windowS).map((s) => s.bytes[replica]).filter((b) => b !== undefined));
    const last = median(samples.filter((s) => s.at >= end - windowS).map((s) => s.bytes[replica]).filter((b) => b !== undefined));
    const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
    return { replica, firstMiB: mib(first), lastMiB: mib(last), growth: first ? (last - first) / first : 0 };
  });
}
