import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GiveUp, ManagedProcess, waitFor } from './managed-process';

/** The apps of distributed mode, each `node dist/apps/<app>/main.js` after `nx build`. */
export type ServiceName = 'token-service' | 'auth-service' | 'admin-api';

export const DIST_APPS = resolve(__dirname, '../../../dist/apps');

export interface ServiceReplica {
  /** `token-service-1`... */
  name: string;
  service: ServiceName;
  /** Its public listener, `127.0.0.1:port` (what nginx's upstreams name). */
  address: string;
  internalAddress: string;
  process: ManagedProcess;
  /** Starts it (again) and waits until /health/ready answers 200. */
  start(): Promise<void>;
  /** SIGTERM (a graceful stop) or another signal (`SIGKILL` for kill -9). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** GET /health/ready: 200 and `up`, or 503 with the failing checks. */
  readiness(): Promise<{ status: number; body: unknown }>;
  /** The replica's Prometheus metrics, when it serves them (on its internal listener). */
  metricsUrl: string;
}

export function mainOf(service: ServiceName): string {
  return join(DIST_APPS, service, 'main.js');
}

/** One replica of a service: its own ports and data directory, the cluster's shared settings. */
export function serviceReplica(options: {
  service: ServiceName;
  index: number;
  port: number;
  internalPort: number;
  env: Record<string, string>;
  dataDir: string;
  logFile: string;
}): ServiceReplica {
  const main = mainOf(options.service);
  const name = `${options.service}-${options.index}`;
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const proc = new ManagedProcess(name, process.execPath, [main], {
    logFile: options.logFile,
    env: {
      PATH: process.env['PATH'] ?? '',
      // As docker/Dockerfile sets it: a fixed glibc mmap threshold, so that argon2's 19 MiB
      // buffers go back to the system after each hash instead of staying in a thread's arena
      // (glibc raises the threshold after the first free, and RSS then grows in 19 MiB steps).
      MALLOC_MMAP_THRESHOLD_: '131072',
      ...options.env,
      TESSERA_HOST: '127.0.0.1',
      TESSERA_PORT: String(options.port),
      TESSERA_INTERNAL_HOST: '127.0.0.1',
      TESSERA_INTERNAL_PORT: String(options.internalPort),
      TESSERA_DATA_DIR: options.dataDir,
    },
  });
  const base = `http://127.0.0.1:${options.port}`;
  const readiness = async () => {
    const res = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  return {
    name,
    service: options.service,
    address: `127.0.0.1:${options.port}`,
    internalAddress: `127.0.0.1:${options.internalPort}`,
    metricsUrl: `http://127.0.0.1:${options.internalPort}/metrics`,
    process: proc,
    async start() {
      if (!existsSync(main)) throw new Error(`${main} is missing: build the apps first (npm run cluster builds them).`);
      proc.start();
      await waitFor(
        name,
        async () => {
          if (!proc.running) throw new GiveUp(`${name} exited (${proc.exitDescription()}):\n${tail(options.logFile)}`);
          return (await readiness()).status === 200;
        },
        60_000,
        () => `${proc.exitDescription()}; see ${options.logFile}`,
      );
    },
    stop: (signal = 'SIGTERM') => proc.stop(signal, 15_000),
    readiness,
  };
}

/** The last lines of a log, for an error message (the cluster's folder may be gone by the time it is read). */
function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}
