/**
 * `npm run cluster`: the distributed topology on this machine, in the foreground until Ctrl-C.
 *
 *   npm run cluster                          # nginx on http://localhost:8080
 *   npm run cluster -- --port 9090 --dir /var/tmp/tessera-cluster --keep
 *   npm run cluster -- --replicas token-service=3,auth-service=2
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_REPLICAS, startCluster } from './cluster';
import type { ServiceName } from './service-replica';

function replicaCounts(spec: string | undefined): Partial<Record<ServiceName, number>> {
  if (!spec) return {};
  const counts: Partial<Record<ServiceName, number>> = {};
  for (const part of spec.split(',')) {
    const [name, count] = part.split('=');
    if (!(name in DEFAULT_REPLICAS) || !/^[1-9]\d*$/.test(count ?? '')) throw new Error(`--replicas: expected service=count (${Object.keys(DEFAULT_REPLICAS).join(', ')}), got "${part}"`);
    counts[name as ServiceName] = Number(count);
  }
  return counts;
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env['TESSERA_CLUSTER_PORT'] ?? '8080' },
      dir: { type: 'string' },
      keep: { type: 'boolean', default: false },
      replicas: { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port: not a port: ${values.port}`);
  console.log('Starting PostgreSQL, Redis, the services and nginx on loopback...');
  const cluster = await startCluster({ port, dir: values.dir, keep: values.keep, issuerHost: 'localhost', replicas: replicaCounts(values.replicas) });

  // The settings and secrets, for a person's own tools (psql, the CLI); readable by its owner only.
  const envFile = join(cluster.dir, 'cluster.env');
  const { secrets } = cluster;
  writeFileSync(
    envFile,
    [
      `TESSERA_ISSUER=${cluster.issuer}`,
      `DATABASE_URL=${cluster.postgres.url}`,
      `REDIS_URL=${cluster.redis.url}`,
      `TESSERA_ADMIN_EMAIL=${secrets.adminEmail}`,
      `TESSERA_ADMIN_PASSWORD=${secrets.adminPassword}`,
      `TESSERA_CLI_SECRET=${secrets.cliSecret}`,
      `TESSERA_REGISTRATION_TOKEN=${secrets.registrationToken}`,
      `TESSERA_INTERNAL_SECRET=${secrets.internalSecret}`,
      `TESSERA_MASTER_KEY=${secrets.masterKey}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const rows = [
    ['public origin (nginx)', cluster.issuer],
    ...cluster.replicas.map((r) => [r.name, `${r.address} (internal ${r.internalAddress}, pid ${r.process.pid})`]),
    ['internal balancer', `${cluster.internalNginx.urls.token_service} (token service), ${cluster.internalNginx.urls.auth_service} (auth-service)`],
    ['PostgreSQL', cluster.postgres.url],
    ['Redis', cluster.redis.url],
    ['logs', cluster.logsDir],
    ['settings and secrets', envFile],
    ['administrator', `${secrets.adminEmail} (password: TESSERA_ADMIN_PASSWORD in ${envFile})`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\nTessera cluster ready:\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n\nSign in at ${cluster.issuer}/account. Ctrl-C stops everything${values.keep || values.dir ? '' : ' and removes its folder'}.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the cluster...');
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  // A replica that dies on its own is reported (the chaos tools kill them on purpose).
  for (const replica of cluster.replicas)
    void replica.process.whenExited().then(() => {
      if (!stopping) console.error(`${replica.name} exited (${replica.process.exitDescription()}); see ${cluster.logsDir}/${replica.name}.log`);
    });
}

main().catch((err: unknown) => {
  console.error(`tools/cluster: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
