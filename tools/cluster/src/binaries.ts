import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where Debian's packages put what the cluster runs (postgresql, redis-server, nginx-light). */
export interface ClusterBinaries {
  postgresBin: string;
  redisServer: string;
  nginx: string;
}

/** The newest installed PostgreSQL's bin directory, redis-server and nginx; undefined for each one missing. */
export function findBinaries(): Partial<ClusterBinaries> {
  const pgRoot = '/usr/lib/postgresql';
  const versions = existsSync(pgRoot)
    ? readdirSync(pgRoot)
        .filter((v) => existsSync(join(pgRoot, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const first = (...paths: string[]) => paths.find((p) => existsSync(p));
  return {
    postgresBin: versions.length ? join(pgRoot, versions[0], 'bin') : undefined,
    redisServer: first('/usr/bin/redis-server', '/usr/local/bin/redis-server'),
    nginx: first('/usr/sbin/nginx', '/usr/bin/nginx'),
  };
}

/** What is missing to run a cluster on this machine, as apt package names (empty when nothing is). */
export function missingPackages(): string[] {
  const found = findBinaries();
  return [
    !found.postgresBin && 'postgresql',
    !found.redisServer && 'redis-server',
    !found.nginx && 'nginx-light',
  ].filter((p): p is string => Boolean(p));
}

export function requireBinaries(): ClusterBinaries {
  const missing = missingPackages();
  if (missing.length) throw new Error(`tools/cluster needs Debian's ${missing.join(', ')}: apt-get install ${missing.join(' ')}`);
  return findBinaries() as ClusterBinaries;
}

/**
 * PostgreSQL refuses to run as root: when the cluster is started by root (CI, containers), the
 * database server runs as the `postgres` user the Debian package creates.
 */
export function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}
