import { StepFailure } from './http';
import { clientCredentials, codeFlow, type IssuedGrant, type Tenant } from './workload';

/** One kind of operation's ledger: every operation sent ends succeeded (maybe after retries) or lost. */
export interface Ledger {
  sent: number;
  succeeded: number;
  /** Operations that succeeded only after one or more failed attempts. */
  retried: number;
  /** Failed attempts, by kind: `unavailable` (no answer, 5xx) and `refused` (4xx, a wrong answer). */
  failedAttempts: { unavailable: number; refused: number };
  /** Login or consent pages a person answered again: the service started their request over after a fault. */
  restarts: number;
  /** Operations that never succeeded, whatever the retries: must be 0. */
  lost: number;
  /** The first few distinct failure messages, for the report. */
  failures: string[];
  /** Milliseconds each successful operation took, its retries included. */
  latencies: number[];
}

const emptyLedger = (): Ledger => ({ sent: 0, succeeded: 0, retried: 0, failedAttempts: { unavailable: 0, refused: 0 }, restarts: 0, lost: 0, failures: [], latencies: [] });

export interface LoadOptions {
  /** Concurrent people running complete code flows. */
  flowWorkers: number;
  /** Concurrent client_credentials callers. */
  serviceWorkers: number;
  /** Attempts per operation before it counts as lost (a client that retries). */
  attempts?: number;
  /** Pause between attempts, doubled each time (default 250 ms, at most 4 s). */
  backoffMs?: number;
  /** Pause between one worker's operations (default 0: a closed loop). */
  thinkMs?: number;
}

export interface RunningLoad {
  flows: Ledger;
  clientCredentials: Ledger;
  grants: IssuedGrant[];
  /** Stops starting operations, lets those in progress finish (with their retries), resolves. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A bounded, closed-loop load of complete code flows and client_credentials requests, each
 * operation retried by its client (a fresh flow, a new token request) with backoff on failure.
 */
export function startLoad(tenant: Tenant, options: LoadOptions): RunningLoad {
  const attempts = options.attempts ?? 8;
  const backoffMs = options.backoffMs ?? 250;
  const flows = emptyLedger();
  const cc = emptyLedger();
  const grants: IssuedGrant[] = [];
  let running = true;

  async function operation<T>(ledger: Ledger, run: () => Promise<T>): Promise<T | undefined> {
    ledger.sent++;
    const started = Date.now();
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const result = await run();
        ledger.succeeded++;
        if (attempt > 1) ledger.retried++;
        ledger.latencies.push(Date.now() - started);
        return result;
      } catch (err) {
        const failure = err instanceof StepFailure ? err : new StepFailure('?', 'refused', err instanceof Error ? err.message : String(err));
        ledger.failedAttempts[failure.kind]++;
        if (ledger.failures.length < 8 && !ledger.failures.includes(failure.message)) ledger.failures.push(failure.message);
        if (attempt < attempts) await sleep(Math.min(backoffMs * 2 ** (attempt - 1), 4000));
      }
    }
    ledger.lost++;
    return undefined;
  }

  const loops: Promise<void>[] = [];
  for (let w = 0; w < options.flowWorkers; w++) {
    loops.push(
      (async () => {
        // Each worker has people of its own: the login throttle allows one password check per
        // account at a time (a second, concurrent one is answered 429).
        const mine = tenant.users.filter((_, j) => j % options.flowWorkers === w);
        if (!mine.length) throw new Error(`${options.flowWorkers} flow workers need at least as many users`);
        for (let i = 0; running; i++) {
          const user = mine[i % mine.length];
          const grant = await operation(flows, () => codeFlow(tenant, user));
          if (grant) {
            grants.push(grant);
            flows.restarts += grant.restarts;
          }
          if (options.thinkMs) await sleep(options.thinkMs);
        }
      })(),
    );
  }
  for (let w = 0; w < options.serviceWorkers; w++) {
    loops.push(
      (async () => {
        while (running) {
          await operation(cc, () => clientCredentials(tenant));
          if (options.thinkMs) await sleep(options.thinkMs);
        }
      })(),
    );
  }
  return {
    flows,
    clientCredentials: cc,
    grants,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
