import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startCluster, type Cluster } from '@tessera/cluster';
import { startLoad, type Ledger } from './load';
import { percentile } from './report';
import { rssGrowth, sampleRss } from './rss';
import { createTenant, type Tenant } from './workload';

/** Seconds of measured soak: 120 in CI; `TESSERA_SOAK_SECONDS=1800` for a longer run (docs/operations.md). */
const SOAK_SECONDS = Number(process.env['TESSERA_SOAK_SECONDS'] ?? 120);
// Long enough for V8 and the allocator to settle (RSS rises through the first half-minute, then falls back).
const WARMUP_SECONDS = 45;
const REPORT = resolve(__dirname, '../../../tmp/soak-report.json');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The sum of `tessera_http_requests_total` for one route and status, from a Prometheus text exposition. */
function countOf(exposition: string, route: string, status: string): number {
  return exposition
    .split('\n')
    .filter((line) => line.startsWith('tessera_http_requests_total{') && line.includes(`route="${route}"`) && line.includes(`status="${status}"`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/**
 * A bounded soak through nginx on the cluster: complete code flows and client_credentials
 * requests for SOAK_SECONDS after a warm-up. No errors; each replica's RSS floor (see rssGrowth) grows less than 10%
 * between the first and the last minute; p99 latencies recorded (printed, and in tmp/soak-report.json).
 */
describe(`the cluster under ${SOAK_SECONDS} s of mixed load (soak)`, () => {
  let cluster: Cluster;
  let tenant: Tenant;

  beforeAll(async () => {
    cluster = await startCluster({ env: { TESSERA_LOG_LEVEL: 'warn' } });
    tenant = await createTenant(cluster, 8);
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('serves without an error, the RSS floor growing less than 10% per replica between the first and last minute', async () => {
    const options = { flowWorkers: 3, serviceWorkers: 2, attempts: 1 };
    const warmup = startLoad(tenant, options);
    await sleep(WARMUP_SECONDS * 1000);
    await warmup.stop();

    const rss = sampleRss(cluster.replicas);
    const load = startLoad(tenant, options);
    await sleep(SOAK_SECONDS * 1000);
    await load.stop();
    rss.stop();

    const growth = rssGrowth(rss.samples, Math.min(60, SOAK_SECONDS / 2));
    // What each replica's Prometheus endpoint (its internal port) counted: nginx spread the load.
    const tokenRequests = Object.fromEntries(
      await Promise.all(cluster.replicasOf('token-service').map(async (r) => [r.name, countOf(await (await fetch(r.metricsUrl)).text(), '/oauth2/token', '200')] as const)),
    );
    const summary = (l: Ledger) => ({
      operations: l.succeeded,
      per_second: Math.round((l.succeeded / SOAK_SECONDS) * 10) / 10,
      // A page answered twice is an error too when nothing failed.
      errors: l.failedAttempts.unavailable + l.failedAttempts.refused + l.restarts,
      p50_ms: percentile(l.latencies, 50),
      p99_ms: percentile(l.latencies, 99),
    });
    const report = { seconds: SOAK_SECONDS, warmup_seconds: WARMUP_SECONDS, load: options, code_flows: summary(load.flows), client_credentials: summary(load.clientCredentials), token_requests_by_replica: tokenRequests, rss: growth, failures: [...load.flows.failures, ...load.clientCredentials.failures] };
    mkdirSync(join(REPORT, '..'), { recursive: true });
    writeFileSync(REPORT, JSON.stringify(report, null, 2));
    process.stdout.write(`\nsoak: ${JSON.stringify(report, null, 2)}\n`);

    expect(report.failures).toEqual([]);
    expect([report.code_flows.errors, report.client_credentials.errors]).toEqual([0, 0]);
    expect([load.flows.lost, load.clientCredentials.lost]).toEqual([0, 0]);
    expect(load.flows.succeeded).toBeGreaterThan(0);
    expect(growth).toHaveLength(cluster.replicas.length);
    for (const [replica, count] of Object.entries(tokenRequests)) expect([replica, count > 0]).toEqual([replica, true]);
    for (const { replica, leaking } of growth) expect([replica, leaking]).toEqual([replica, false]);
  }, (WARMUP_SECONDS + SOAK_SECONDS + 120) * 1000);
});
