import { startCluster, type Cluster } from '@tessera/cluster';
import { killTokenServiceReplica, restartPostgres, rotateKeysUnderLoad, stopRedis, type CaseReport } from './cases';
import { formatCase } from './report';
import { createTenant, type Tenant } from './workload';

/**
 * The faults of production, each under a bounded load of complete code flows and
 * client_credentials requests through nginx on the cluster (tools/cluster): what failed is
 * printed, and nothing may be lost.
 */
describe('the cluster under faults (tools/chaos)', () => {
  let cluster: Cluster;
  let tenant: Tenant;

  beforeAll(async () => {
    cluster = await startCluster({ env: { TESSERA_LOG_LEVEL: 'warn' } });
    tenant = await createTenant(cluster, 12);
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  const expectNothingLost = (report: CaseReport) => {
    process.stdout.write(`\n${formatCase(report)}\n`);
    expect(report.lost).toEqual([]);
    expect(report.flows.succeeded).toBeGreaterThan(0);
    expect(report.clientCredentials.succeeded).toBeGreaterThan(0);
    // A fault may make requests fail for want of an answer, never be refused with a 4xx.
    expect([report.flows.failedAttempts.refused, report.clientCredentials.failedAttempts.refused]).toEqual([0, 0]);
  };

  it('1. kill -9 of a token-service replica: only requests in flight fail, clients that retry succeed, no grant or consent lost', async () => {
    const report = await killTokenServiceReplica(cluster, tenant);
    expectNothingLost(report);
  });

  it('2. Redis stopped for 20 s: logins and tokens keep working; the mail and the revocation asked for meanwhile arrive after it returns', async () => {
    const report = await stopRedis(cluster, tenant);
    expectNothingLost(report);
  });

  it('3. PostgreSQL restarted: replicas report not-ready, recover without a restart, no half-written state', async () => {
    const report = await restartPostgres(cluster, tenant);
    expectNothingLost(report);
  });

  it('4. a key rotation while both replicas serve: tokens of either replica verify everywhere, before and after', async () => {
    const report = await rotateKeysUnderLoad(cluster, tenant);
    expectNothingLost(report);
  });
});
