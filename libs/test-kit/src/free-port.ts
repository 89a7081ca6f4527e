import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Ports picked from here up to the kernel's ephemeral range (see freePort). */
const LOWEST = 20_000;

/**
 * A port free on loopback right now (the platform binds it a moment later).
 *
 * "A moment" is seconds when a platform process boots before it listens. A port the kernel hands
 * out for listen(0) lies in its ephemeral range, where every outgoing connection on the machine
 * (to PostgreSQL, Redis, the other suites' servers) also takes its local port: one of them could
 * take the port in between, and the platform would fail to start with EADDRINUSE. So the port is
 * picked at random below that range, where only explicit binds go, and checked free; listen(0)
 * remains the fallback where there is no room below the range.
 */
export async function freePort(): Promise<number> {
  const ephemeralLow = ephemeralRangeStart();
  if (ephemeralLow - LOWEST >= 1000) {
    for (let i = 0; i < 20; i++) {
      const port = LOWEST + Math.floor(Math.random() * (ephemeralLow - LOWEST));
      if ((await listenOnce(port).catch(() => undefined)) === port) return port;
    }
  }
  return listenOnce(0);
}

/** The first port of Linux's ephemeral range (32768 by default), or 0 when unknown. */
function ephemeralRangeStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) ? low : 0;
  } catch {
    return 0;
  }
}

/** Listens on 127.0.0.1:`port` (0: any), closes, and returns the port that was bound. */
function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const bound = (server.address() as { port: number }).port;
      server.close(() => resolve(bound));
    });
  });
}
