import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { requireBinaries } from './binaries';
import { freePort } from './free-port';
import { startInternalNginx, startPublicNginx, type NginxServer } from './nginx-server';
import { startPostgres, type PostgresServer } from './postgres-server';
import { startRedis, type RedisServer } from './redis-server';
import { DIST_APPS, serviceReplica, type ServiceName, type ServiceReplica } from './service-replica';

export interface ClusterOptions {
  /** Where the cluster keeps its databases, logs and replicas' data; default a new temporary folder. */
  dir?: string;
  /** nginx's port, the public origin (default: a free one). */
  port?: number;
  /** The issuer's host name: `localhost` for a person's browser (passkeys need a domain), else 127.0.0.1. */
  issuerHost?: 'localhost' | '127.0.0.1';
  replicas?: Partial<Record<ServiceName, number>>;
  /** More settings for every service (TESSERA_LOG_LEVEL, TTLs...). */
  env?: Record<string, string>;
  /** Keep `dir` when the cluster stops (default: removed when the cluster created it). */
  keep?: boolean;
}

/** The cluster's generated secrets (as docker/new-env.sh generates them for compose). */
export interface ClusterSecrets {
  masterKey: string;
  internalSecret: string;
  registrationToken: string;
  cliSecret: string;
  adminEmail: string;
  adminPassword: string;
}

export interface Cluster {
  /** The public origin (nginx): TESSERA_ISSUER. */
  issuer: string;
  dir: string;
  logsDir: string;
  secrets: ClusterSecrets;
  postgres: PostgresServer;
  redis: RedisServer;
  nginx: NginxServer;
  internalNginx: NginxServer & { urls: { token_service: string; auth_service: string } };
  replicas: ServiceReplica[];
  replicasOf(service: ServiceName): ServiceReplica[];
  stop(): Promise<void>;
}

export const DEFAULT_REPLICAS: Record<ServiceName, number> = { 'token-service': 2, 'auth-service': 2, 'admin-api': 1 };
const START_ORDER: ServiceName[] = ['token-service', 'auth-service', 'admin-api'];

/**
 * The distributed topology of docker-compose.yml on one machine, from Debian's packages and the
 * built apps: PostgreSQL, Redis and nginx on loopback, N replicas of each service (default two
 * token services, two auth-services, one admin API), nginx serving docker/nginx/nginx.conf with
 * the portal build. Every process is a child of the caller: stop() (or the caller's exit) ends them.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const binaries = requireBinaries();
  const created = !options.dir;
  const dir = options.dir ? resolve(options.dir) : mkdtempSync(join(tmpdir(), 'tessera-cluster-'));
  mkdirSync(dir, { recursive: true });
  // PostgreSQL (the postgres user when run by root) and nginx's workers must reach their folders.
  chmodSync(dir, 0o755);
  const logsDir = join(dir, 'logs');
  mkdirSync(logsDir, { recursive: true });
  const log = (name: string) => join(logsDir, `${name}.log`);

  const secrets: ClusterSecrets = {
    masterKey: randomBytes(32).toString('base64url'),
    internalSecret: randomBytes(32).toString('hex'),
    registrationToken: `tsr_iat_${randomBytes(32).toString('base64url')}`,
    cliSecret: randomBytes(32).toString('hex'),
    adminEmail: 'admin@example.com',
    adminPassword: randomBytes(12).toString('base64url'),
  };
  const replicaCounts = { ...DEFAULT_REPLICAS, ...options.replicas };

  const started: Array<{ stop(): Promise<void> }> = [];
  const stopAll = async () => {
    for (const part of started.reverse()) await part.stop().catch(() => undefined);
    if (created && !options.keep) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [pgPort, redisPort, publicPort, internalTokenPort, internalAuthPort] = [
      await freePort(),
      await freePort(),
      options.port ?? (await freePort()),
      await freePort(),
      await freePort(),
    ];
    const issuer = `http://${options.issuerHost ?? '127.0.0.1'}:${publicPort}`;
    const postgres = await startPostgres({ bin: binaries.postgresBin, dir: join(dir, 'postgres'), port: pgPort, logFile: log('postgres') });
    started.push(postgres);
    const redis = await startRedis({ binary: binaries.redisServer, dir: join(dir, 'redis'), port: redisPort, logFile: log('redis') });
    started.push(redis);

    const slots: Array<{ service: ServiceName; index: number; port: number; internalPort: number }> = [];
    for (const service of START_ORDER)
      for (let index = 1; index <= replicaCounts[service]; index++)
        slots.push({ service, index, port: await freePort(), internalPort: await freePort() });
    const internalAddresses = (service: ServiceName) =>
      slots.filter((s) => s.service === service).map((s) => `127.0.0.1:${s.internalPort}`);

    const internalNginx = await startInternalNginx({
      binary: binaries.nginx,
      dir: join(dir, 'nginx-internal'),
      ports: { token_service: internalTokenPort, auth_service: internalAuthPort },
      upstreams: { token_service: internalAddresses('token-service'), auth_service: internalAddresses('auth-service') },
      logFile: log('nginx-internal'),
    });
    started.push(internalNginx);

    // The settings of docker/tessera.env.example, for loopback.
    const env: Record<string, string> = {
      TESSERA_ISSUER: issuer,
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      TESSERA_MASTER_KEY: secrets.masterKey,
      TESSERA_INTERNAL_SECRET: secrets.internalSecret,
      TESSERA_REGISTRATION: 'token',
      TESSERA_REGISTRATION_TOKEN: secrets.registrationToken,
      TESSERA_CLI_SECRET: secrets.cliSecret,
      TESSERA_ADMIN_EMAIL: secrets.adminEmail,
      TESSERA_ADMIN_PASSWORD: secrets.adminPassword,
      TESSERA_SIGNUP: 'open',
      // nginx is 127.0.0.1: X-Forwarded-For is believed from it.
      TESSERA_TRUSTED_PROXIES: '127.0.0.1',
      TESSERA_LOG_LEVEL: 'info',
      // The peers' internal APIs, through the internal balancer.
      TESSERA_AUTH_SERVICE_URL: internalNginx.urls.auth_service,
      TESSERA_AUTH_SERVICE_INTERNAL_URL: internalNginx.urls.auth_service,
      TESSERA_TOKEN_SERVICE_INTERNAL_URL: internalNginx.urls.token_service,
      ...options.env,
    };
    const replicas = slots.map((slot) =>
      serviceReplica({
        ...slot,
        env,
        dataDir: join(dir, 'services', `${slot.service}-${slot.index}`),
        logFile: log(`${slot.service}-${slot.index}`),
      }),
    );
    const replicasOf = (service: ServiceName) => replicas.filter((r) => r.service === service);
    // Each service's replicas start together (their migrations take turns on an advisory lock).
    for (const service of START_ORDER) {
      const group = replicasOf(service);
      started.push(...group);
      await Promise.all(group.map((r) => r.start()));
    }

    const nginx = await startPublicNginx({
      binary: binaries.nginx,
      dir: join(dir, 'nginx'),
      port: publicPort,
      portalRoot: join(DIST_APPS, 'portal'),
      upstreams: {
        token_service: replicasOf('token-service').map((r) => r.address),
        auth_service: replicasOf('auth-service').map((r) => r.address),
        admin_api: replicasOf('admin-api').map((r) => r.address),
      },
      logFile: log('nginx'),
    });
    started.push(nginx);

    return { issuer, dir, logsDir, secrets, postgres, redis, nginx, internalNginx, replicas, replicasOf, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
