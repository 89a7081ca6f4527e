import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { GiveUp, ManagedProcess, waitFor } from './managed-process';

export interface RedisServer {
  url: string;
  port: number;
  process: ManagedProcess;
  /** Shuts Redis down (SIGTERM: it writes its append-only file and exits). */
  stop(): Promise<void>;
  /** Starts it again on the same files: what was queued before the stop is there again. */
  start(): Promise<void>;
}

/**
 * redis-server in the foreground on a loopback port, with the settings docker-compose.yml gives
 * it: an append-only file (queued jobs survive a restart) and `noeviction` (BullMQ's requirement).
 */
export async function startRedis(options: { binary: string; dir: string; port: number; logFile: string }): Promise<RedisServer> {
  mkdirSync(options.dir, { recursive: true });
  const proc = new ManagedProcess(
    'redis',
    options.binary,
    [
      '--port', String(options.port),
      '--bind', '127.0.0.1',
      '--dir', options.dir,
      '--appendonly', 'yes',
      '--appendfsync', 'everysec',
      '--save', '',
      '--maxmemory-policy', 'noeviction',
    ],
    { logFile: options.logFile },
  );
  const start = async () => {
    proc.start();
    await waitFor('Redis', async () => {
      if (!proc.running) throw new GiveUp(`redis-server exited (${proc.exitDescription()}); see ${options.logFile}`);
      return ping(options.port);
    }, 20_000, () => proc.exitDescription());
  };
  await start();
  return {
    url: `redis://127.0.0.1:${options.port}`,
    port: options.port,
    process: proc,
    stop: () => proc.stop('SIGTERM', 20_000),
    start,
  };
}

/** PING over a raw socket: true when Redis answers PONG (it answers LOADING while it reads its files). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    let answer = '';
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      answer += d;
      if (answer.includes('\r\n')) {
        socket.end();
        resolve(answer.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
