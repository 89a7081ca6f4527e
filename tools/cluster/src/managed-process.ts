import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { appendFileSync, createWriteStream, type WriteStream } from 'node:fs';

/**
 * One child process of the cluster, restartable: each start spawns the same command again, its
 * stdout and stderr appended to one log file (the cluster's logs/ folder), so a restarted
 * replica's log goes on where the last one ended.
 */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly options: SpawnOptions & { logFile: string },
  ) {}

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    appendFileSync(this.options.logFile, `--- ${new Date().toISOString()} start ${this.name}\n`);
    this.log = createWriteStream(this.options.logFile, { flags: 'a' });
    const { logFile: _logFile, ...spawnOptions } = this.options;
    const child = spawn(this.command, this.args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    // A spawn failure (a missing binary) is reported as an exit, and read from the log.
    child.once('error', (err) => appendFileSync(this.options.logFile, `${this.name}: ${err.message}\n`));
    this.child = child;
  }

  /** Sends `signal` and waits for the exit; SIGKILL after `graceMs` if it is still there. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.kill(signal);
    await this.exited;
    clearTimeout(timer);
    this.log?.end();
  }

  /** Resolves when the current run exits (at once when none is running). */
  whenExited(): Promise<void> {
    return this.exited;
  }

  exitDescription(): string {
    return this.child ? `exit code ${this.child.exitCode}, signal ${this.child.signalCode}` : 'never started';
  }
}

/** Thrown by a probe to stop waiting at once (the process it waits for has exited). */
export class GiveUp extends Error {}

/**
 * Polls `probe` until it resolves true, or throws after `timeoutMs` with `describe()`'s text; a
 * probe that throws is tried again (not listening yet), unless it throws GiveUp.
 */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number, describe: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (err) {
      if (err instanceof GiveUp) throw new Error(`${what} did not start: ${err.message}`);
    }
    if (Date.now() > deadline) throw new Error(`${what} was not ready after ${timeoutMs / 1000} s. ${describe()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
