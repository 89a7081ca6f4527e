/**
 * Capacity per CPU-second of each endpoint on the cluster (tools/cluster), the figures of
 * docs/operations.md ("Capacity per CPU-second"):
 *
 *   node tools/chaos/run.mjs capacity [--seconds 15] [--connections 16]
 *
 * For each scenario, after a warm-up, a fixed-duration load through nginx (autocannon for single
 * requests, scripted browsers for complete code flows), while the CPU time of every process of the
 * cluster is read from /proc before and after: the token services, the auth-services, the admin
 * API, nginx, PostgreSQL (its backends included) and Redis. Reported per scenario: requests per
 * second, p50/p99, and requests per CPU-second of the service that does the work and of the whole
 * cluster. One run on a shared machine: the ratios are steadier than the rates.
 */
import { parseArgs } from 'node:util';
import { startCluster, type Cluster } from '@tessera/cluster';
import { cpuSeconds } from './cpu';
import { basic } from './http';
import { startLoad } from './load';
import { percentile } from './report';
import { clientCredentials, createTenant, type Tenant } from './workload';

// autocannon ships no types; the part used here.
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  duration: number;
}
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

type Group = 'token-service' | 'auth-service' | 'admin-api' | 'nginx' | 'postgres' | 'redis';

function cpuByGroup(cluster: Cluster): Record<Group, number> {
  const sum = (pids: Array<number | undefined>) => pids.reduce<number>((total, pid) => total + cpuSeconds(pid), 0);
  return {
    'token-service': sum(cluster.replicasOf('token-service').map((r) => r.process.pid)),
    'auth-service': sum(cluster.replicasOf('auth-service').map((r) => r.process.pid)),
    'admin-api': sum(cluster.replicasOf('admin-api').map((r) => r.process.pid)),
    nginx: sum([cluster.nginx.process.pid, cluster.internalNginx.process.pid]),
    postgres: sum([cluster.postgres.process.pid]),
    redis: sum([cluster.redis.process.pid]),
  };
}

interface Scenario {
  name: string;
  /** The service whose CPU the scenario is about. */
  service: Group;
  run(seconds: number): Promise<{ ok: number; failed: number; p50: number; p99: number }>;
}

function scenarios(cluster: Cluster, tenant: Tenant, connections: number): Scenario[] {
  const hammer = (options: Record<string, unknown>) => async (seconds: number) => {
    const r = await autocannon({ connections, duration: seconds, ...options });
    return { ok: r['2xx'], failed: r.non2xx + r.errors, p50: r.latency.p50, p99: r.latency.p99 };
  };
  const form = 'application/x-www-form-urlencoded';
  return [
    { name: 'GET /.well-known/openid-configuration', service: 'token-service', run: hammer({ url: `${cluster.issuer}/.well-known/openid-configuration` }) },
    { name: 'GET /oauth2/jwks', service: 'token-service', run: hammer({ url: `${cluster.issuer}/oauth2/jwks` }) },
    {
      name: 'POST /oauth2/token (client_credentials, reference token)',
      service: 'token-service',
      run: hammer({
        url: `${cluster.issuer}/oauth2/token`,
        method: 'POST',
        headers: { authorization: basic(tenant.serviceClient.client_id, tenant.serviceClient.client_secret), 'content-type': form },
        body: 'grant_type=client_credentials',
      }),
    },
    {
      name: 'POST /oauth2/introspect (reference token)',
      service: 'token-service',
      run: async (seconds) => {
        const token = await clientCredentials(tenant);
        return hammer({
          url: `${cluster.issuer}/oauth2/introspect`,
          method: 'POST',
          headers: { authorization: basic(tenant.serviceClient.client_id, tenant.serviceClient.client_secret), 'content-type': form },
          body: `token=${token}`,
        })(seconds);
      },
    },
    {
      name: 'complete code flow (authorize, password login, consent, token)',
      service: 'auth-service',
      run: async (seconds) => {
        const load = startLoad(tenant, { flowWorkers: Math.min(connections, tenant.users.length), serviceWorkers: 0, attempts: 1 });
        await new Promise((r) => setTimeout(r, seconds * 1000));
        await load.stop();
        const f = load.flows;
        return { ok: f.succeeded, failed: f.failedAttempts.unavailable + f.failedAttempts.refused, p50: percentile(f.latencies, 50), p99: percentile(f.latencies, 99) };
      },
    },
  ];
}

async function main() {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '15' }, connections: { type: 'string', default: '16' }, warmup: { type: 'string', default: '3' } } });
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const warmup = Number(values.warmup);
  const cluster = await startCluster({ env: { TESSERA_LOG_LEVEL: 'warn' } });
  try {
    const tenant = await createTenant(cluster, 8);
    const rows: string[] = [];
    for (const scenario of scenarios(cluster, tenant, connections)) {
      await scenario.run(warmup);
      const before = cpuByGroup(cluster);
      const result = await scenario.run(seconds);
      const after = cpuByGroup(cluster);
      const used = Object.fromEntries(Object.entries(after).map(([g, s]) => [g, s - before[g as Group]])) as Record<Group, number>;
      const total = Object.values(used).reduce((a, b) => a + b, 0);
      const perService = result.ok / used[scenario.service];
      const perCluster = result.ok / total;
      rows.push(
        `| ${scenario.name} | ${(result.ok / seconds).toFixed(0)} | ${result.p50} / ${result.p99} | ${result.failed} | ${scenario.service} ${used[scenario.service].toFixed(1)} s | ${perService.toFixed(0)} | ${total.toFixed(1)} s | ${perCluster.toFixed(0)} | ${(['nginx', 'postgres', 'redis'] as Group[]).map((g) => `${g} ${used[g].toFixed(1)}`).join(', ')} |`,
      );
      process.stdout.write(`${rows[rows.length - 1]}\n`);
    }
    process.stdout.write(
      `\nCapacity on the cluster (${cluster.replicasOf('token-service').length} token services, ${cluster.replicasOf('auth-service').length} auth-services), ${seconds} s per scenario, ${connections} connections:\n\n` +
        '| scenario | per second | p50 / p99 ms | failed | CPU of the service | per CPU-second of the service | CPU of the cluster | per CPU-second of the cluster | other CPU (s) |\n|---|---|---|---|---|---|---|---|---|\n' +
        `${rows.join('\n')}\n`,
    );
  } finally {
    await cluster.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
