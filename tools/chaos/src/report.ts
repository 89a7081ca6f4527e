import type { CaseReport } from './cases';
import type { Ledger } from './load';

export function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const ledgerLine = (label: string, l: Ledger) =>
  `  ${label.padEnd(18)} sent ${String(l.sent).padStart(5)}  succeeded ${String(l.succeeded).padStart(5)}  failed attempts ${String(l.failedAttempts.unavailable + l.failedAttempts.refused).padStart(4)} (${l.failedAttempts.unavailable} unavailable, ${l.failedAttempts.refused} refused)  restarted ${l.restarts}  retried ${String(l.retried).padStart(3)}  lost ${l.lost}  p99 ${percentile(l.latencies, 99)} ms`;

/** A case's report as printed: what it sent, what failed, what was lost. */
export function formatCase(report: CaseReport): string {
  return [
    `${report.name}: ${report.lost.length ? `LOST ${report.lost.length}` : 'nothing lost'}`,
    ledgerLine('code flows', report.flows),
    ledgerLine('client_credentials', report.clientCredentials),
    ...report.notes.map((n) => `  - ${n}`),
    ...report.lost.map((l) => `  LOST: ${l}`),
    ...[...report.flows.failures, ...report.clientCredentials.failures].slice(0, 6).map((f) => `  failed attempt: ${f}`),
  ].join('\n');
}
