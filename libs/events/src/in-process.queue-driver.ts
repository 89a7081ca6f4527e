import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EntityManager } from 'typeorm';
import type { DeadLetterSink } from './dead-letter';
import { inboxKey, type EventInbox } from './event-inbox';
import type { EventEnvelope } from './events';
import type { EventCounters } from './events.metrics';
import { defaultEventsLogger, describeError, type EventsLogger } from './logger';
import {
  attemptDelivery,
  backoffDelay,
  DEFAULT_RETRY,
  QueueDriver,
  retryPolicyFor,
  type AttemptContext,
  type AttemptOutcome,
  type ConsumeOptions,
  type EnvelopeHandler,
  type EventRetryPolicies,
  type JobCounts,
  type QueuedEnvelope,
  type RetryPolicy,
} from './queue-driver';
import { backgroundContext } from './transaction';

interface BusConsumer {
  /**
   * Takes over envelopes for its queue: resolves, with each one's error or undefined, once they
   * are kept (the consumer's inbox) and queued in their order; calls each one's `done` once it is
   * handled, dead-lettered, or left on disk for the next start.
   */
  accept(envelopes: EventEnvelope[], dones: Array<() => void>): Promise<unknown[]>;
  /** Queues an envelope kept in its inbox while the consumer was starting, unless it holds it already. */
  adopt(envelope: EventEnvelope, key: string): void;
}

/**
 * The queues of one process. In embedded mode every service runs in the same process with a
 * driver of its own, and they must reach each other's queues: hence one bus per process,
 * shared by all drivers (tests create private ones).
 */
export class InProcessBus {
  private readonly consumers = new Map<string, BusConsumer>();
  /** The inboxes of queues whose consumer has not started yet: a send there is kept on disk. */
  private readonly declared = new Map<string, EventInbox>();
  /** Envelopes sent to a queue nobody in this process declared, kept in memory until a consumer starts. */
  private readonly backlog = new Map<string, EventEnvelope[]>();
  private outstanding = 0;
  private idleWaiters: Array<() => void> = [];

  /**
   * Resolves, with each envelope's error or undefined, once they are kept: in their consumer's
   * inbox when the queue is consumed or declared in this process, else in memory (a queue of a
   * service this process does not run).
   */
  async publish(queue: string, envelopes: EventEnvelope[]): Promise<unknown[]> {
    const consumer = this.consumers.get(queue);
    if (consumer) return this.dispatch(consumer, envelopes);
    const inbox = this.declared.get(queue);
    if (inbox) {
      // Its consumer reads its inbox when it starts; one that started meanwhile (its read may
      // have missed rows committed after it on another connection) is handed them.
      const entries = envelopes.map((envelope) => ({ key: inboxKey(envelope), envelope }));
      try {
        const added = await inbox.addAll(queue, entries);
        const started = this.consumers.get(queue);
        if (started) for (const entry of entries) if (added.has(entry.key)) started.adopt(entry.envelope as EventEnvelope, entry.key);
        return envelopes.map(() => undefined);
      } catch (err) {
        return envelopes.map(() => err ?? new Error('not kept'));
      }
    }
    const waiting = this.backlog.get(queue);
    if (waiting) waiting.push(...envelopes);
    else this.backlog.set(queue, [...envelopes]);
    return envelopes.map(() => undefined);
  }

  /**
   * Says, before any relay runs, that this process consumes `queue` and keeps its deliveries in
   * `inbox`: what is sent before the consumer starts then waits on disk, not in memory.
   */
  declare(queue: string, inbox: EventInbox): void {
    this.declared.set(queue, inbox);
  }

  /** The declaring driver closed: its database may close next. */
  undeclare(queue: string, inbox: EventInbox): void {
    if (this.declared.get(queue) === inbox) this.declared.delete(queue);
  }

  attach(queue: string, consumer: BusConsumer, onBacklogError: (err: unknown) => void): void {
    if (this.consumers.has(queue)) throw new Error(`Queue '${queue}' already has a consumer in this process`);
    this.consumers.set(queue, consumer);
    const waiting = this.backlog.get(queue) ?? [];
    this.backlog.delete(queue);
    if (waiting.length > 0)
      void this.dispatch(consumer, waiting).then(
        (errors) => errors.filter((e) => e !== undefined).forEach(onBacklogError),
        onBacklogError,
      );
  }

  detach(queue: string, consumer: BusConsumer): void {
    if (this.consumers.get(queue) === consumer) this.consumers.delete(queue);
  }

  /** Idle: every dispatched envelope is handled or dead-lettered. A backlog nobody consumes does not count. */
  whenIdle(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Counts a delivery that did not come through `publish` (one read back from an inbox); call the result once when it ends. */
  track(): () => void {
    this.outstanding++;
    let finished = false;
    return () => {
      if (finished) return;
      finished = true;
      if (--this.outstanding > 0) return;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    };
  }

  private async dispatch(consumer: BusConsumer, envelopes: EventEnvelope[]): Promise<unknown[]> {
    const dones = envelopes.map(() => this.track());
    try {
      return await consumer.accept(envelopes, dones);
    } catch (err) {
      for (const done of dones) done();
      throw err;
    }
  }
}

export const PROCESS_BUS = new InProcessBus();

export interface InProcessQueueDriverOptions {
  deadLetters: DeadLetterSink;
  /** Where this service's queues keep what they hold (its own database), read back when they start. */
  inbox: EventInbox;
  /**
   * The queues this service will consume, declared on the bus at once: envelopes sent to them
   * before `consume` (another service's relay starting first) wait in the inbox.
   */
  queues?: readonly string[];
  retry?: Partial<RetryPolicy>;
  /** Policies of particular events over `retry`. */
  retryByEvent?: EventRetryPolicies;
  logger?: EventsLogger;
  /** Counts failed deliveries (`tessera_event_failures_total`). */
  counters?: EventCounters;
  bus?: InProcessBus;
  /** Schedules a retry; tests substitute it to observe the backoff delays. */
  setTimer?: (run: () => void, delayMs: number) => NodeJS.Timeout;
}

/**
 * Embedded mode's queue: deliveries run in this process, one at a time per queue unless the
 * consumer asks for more (like a BullMQ worker's concurrency), never inside the sender's call
 * stack or async context, with BullMQ's retry, backoff and dead-letter behaviour.
 *
 * Durable as BullMQ is: `send` resolves only once the envelope is in the consuming service's
 * inbox (its own database), and it leaves the inbox only when handled or dead-lettered. A
 * consumer starting reads its inbox back, so a crash, a restart, or a retry still waiting at
 * shutdown loses nothing (the consumer's `processed_events` absorbs what runs twice). The one
 * exception is a queue no service in this process declared: held in memory until its consumer
 * starts.
 */
export class InProcessQueueDriver extends QueueDriver {
  private readonly retry: RetryPolicy;
  private readonly logger: EventsLogger;
  private readonly bus: InProcessBus;
  private readonly workers = new Map<string, InProcessWorker>();
  private closed = false;

  constructor(private readonly options: InProcessQueueDriverOptions) {
    super();
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.logger = options.logger ?? defaultEventsLogger();
    this.bus = options.bus ?? PROCESS_BUS;
    for (const queue of options.queues ?? []) this.bus.declare(queue, options.inbox);
  }

  async send(queue: string, envelope: EventEnvelope): Promise<void> {
    const [error] = await this.sendAll([{ queue, envelope }]);
    if (error !== undefined) throw error;
  }

  /**
   * Each queue's envelopes are kept by its consumer's inbox together (on SQLite in one commit)
   * and queued in their order; the queues are served at once.
   */
  override async sendAll(items: ReadonlyArray<QueuedEnvelope>): Promise<Array<unknown>> {
    if (this.closed) throw new Error('InProcessQueueDriver is closed');
    const byQueue = new Map<string, number[]>();
    items.forEach(({ queue }, i) => {
      const indexes = byQueue.get(queue);
      if (indexes) indexes.push(i);
      else byQueue.set(queue, [i]);
    });
    const errors: unknown[] = items.map(() => undefined);
    await Promise.all(
      [...byQueue].map(async ([queue, indexes]) => {
        // Handed over as JSON, as a broker would: the consumer never shares the producer's objects.
        const envelopes = indexes.map((i) => JSON.parse(JSON.stringify(items[i].envelope)) as EventEnvelope);
        const outcome = await this.bus.publish(queue, envelopes).catch((err: unknown) => envelopes.map(() => err ?? new Error('not kept')));
        outcome.forEach((error, j) => (errors[indexes[j]] = error));
      }),
    );
    return errors;
  }

  /** A replayed dead letter left the inbox when it died: a resend is a send. */
  resend(queue: string, envelope: EventEnvelope): Promise<void> {
    return this.send(queue, envelope);
  }

  async consume(queue: string, handler: EnvelopeHandler, options: ConsumeOptions = {}): Promise<void> {
    if (this.closed) throw new Error('InProcessQueueDriver is closed');
    const worker = new InProcessWorker(queue, handler, {
      retry: this.retry,
      retryByEvent: this.options.retryByEvent,
      deadLetters: this.options.deadLetters,
      inbox: this.options.inbox,
      logger: this.logger,
      counters: this.options.counters,
      setTimer: this.options.setTimer ?? ((run, delayMs) => setTimeout(run, delayMs)),
      track: () => this.bus.track(),
    }, Math.max(1, options.concurrency ?? 1));
    // Attached before the inbox is read: whatever arrives meanwhile goes to the worker, which
    // knows it already when the read brings it back.
    this.bus.attach(queue, worker, (err) =>
      this.logger.error({ queue, err: describeError(err) }, 'event sent before the queue started could not be kept'),
    );
    this.workers.set(queue, worker);
    await worker.resume();
  }

  whenIdle(): Promise<void> {
    return this.bus.whenIdle();
  }

  /** BullMQ's states, read off the workers: nothing here is ever left failed (it is dead-lettered). */
  override async jobCounts(): Promise<Record<string, JobCounts>> {
    return Object.fromEntries([...this.workers].map(([queue, worker]) => [queue, worker.counts()]));
  }

  /**
   * Stops consuming once the deliveries already running have ended. What waits, or waits for a
   * retry, stays in the inbox and runs when the queue next starts.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const queue of this.options.queues ?? []) this.bus.undeclare(queue, this.options.inbox);
    for (const [queue, worker] of this.workers) this.bus.detach(queue, worker);
    await Promise.all([...this.workers.values()].map((worker) => worker.close()));
  }
}

type WorkerContext = Omit<AttemptContext, 'queue' | 'attempt'> & {
  retryByEvent?: EventRetryPolicies;
  inbox: EventInbox;
  setTimer: (run: () => void, delayMs: number) => NodeJS.Timeout;
  /** Counts a delivery read back from the inbox for the bus's `whenIdle`. */
  track: () => () => void;
};

interface Delivery {
  envelope: EventEnvelope;
  /** Its key in the inbox. */
  key: string;
  attempt: number;
  done: () => void;
}

class InProcessWorker implements BusConsumer {
  private running = 0;
  private readonly pending: Delivery[] = [];
  /** The inbox keys of every delivery in memory: waiting, running, or waiting for a retry. */
  private readonly held = new Set<string>();
  /** The keys `resume` read back at start: what `adopt` is handed later was perhaps among them. */
  private readonly resumed = new Set<string>();
  private drainWaiters: Array<() => void> = [];
  private readonly waitingRetries = new Map<NodeJS.Timeout, Delivery>();
  private readonly inBackground = backgroundContext();
  private closing = false;

  constructor(
    private readonly queue: string,
    private readonly handler: EnvelopeHandler,
    private readonly ctx: WorkerContext,
    private readonly concurrency: number,
  ) {}

  async accept(envelopes: EventEnvelope[], dones: Array<() => void>): Promise<unknown[]> {
    const entries = envelopes.map((envelope) => ({ key: inboxKey(envelope), envelope }));
    // Kept first, in one statement: once this resolves the sender forgets them (the relay marks
    // them published).
    let added: Set<string>;
    try {
      added = await this.ctx.inbox.addAll(this.queue, entries);
    } catch (err) {
      for (const done of dones) done();
      return envelopes.map(() => err ?? new Error('not kept'));
    }
    entries.forEach(({ key }, i) => {
      // Held already (sent again while still here, or just read back by `resume`), or shutting
      // down: the inbox has it, and it runs once, from there.
      if (!added.has(key) || this.held.has(key) || this.closing) return dones[i]();
      this.held.add(key);
      this.enqueue({ envelope: envelopes[i], key, attempt: 1, done: dones[i] });
    });
    return envelopes.map(() => undefined);
  }

  adopt(envelope: EventEnvelope, key: string): void {
    // `resume` may have read it back, and even handled it already: once is enough.
    if (this.held.has(key) || this.resumed.has(key) || this.closing) return;
    this.held.add(key);
    this.enqueue({ envelope, key, attempt: 1, done: this.ctx.track() });
  }

  /**
   * Brings back what the inbox holds from before this start (a crash, a restart, a retry left at
   * shutdown). A delivery that had failed waits its backoff again before the next attempt, so
   * that a process restarting in a loop does not spend a delivery's attempts in seconds.
   */
  async resume(): Promise<void> {
    for (const kept of await this.ctx.inbox.held(this.queue)) {
      if (this.closing) return;
      this.resumed.add(kept.key);
      if (this.held.has(kept.key)) continue;
      this.held.add(kept.key);
      const delivery: Delivery = { envelope: kept.envelope as EventEnvelope, key: kept.key, attempt: kept.attempts + 1, done: this.ctx.track() };
      if (kept.attempts === 0) this.enqueue(delivery);
      else {
        // Under the policy in force now: one lowered since still gets its last attempt, soon.
        const policy = this.retryOf(delivery);
        this.scheduleRetry(delivery, backoffDelay(policy, Math.max(1, Math.min(kept.attempts, policy.attempts - 1))));
      }
    }
  }

  counts(): JobCounts {
    return { waiting: this.pending.length, active: this.running, delayed: this.waitingRetries.size, failed: 0 };
  }

  /** Waits for the running deliveries; the waiting ones and the retries stay in the inbox. */
  async close(): Promise<void> {
    this.closing = true;
    for (const delivery of this.pending.splice(0)) this.letGo(delivery);
    for (const [timer, delivery] of this.waitingRetries) {
      clearTimeout(timer);
      this.waitingRetries.delete(timer);
      this.letGo(delivery);
    }
    while (this.running > 0) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  private enqueue(delivery: Delivery): void {
    this.pending.push(delivery);
    this.startWhatMayRun();
  }

  /** Starts waiting deliveries in arrival order while fewer than `concurrency` run. */
  private startWhatMayRun(): void {
    while (!this.closing && this.running < this.concurrency && this.pending.length > 0) {
      const delivery = this.pending.shift() as Delivery;
      this.running++;
      // Started from a captured context: the sender's async context (its open transaction) stays behind.
      this.inBackground(() => {
        void (async () => {
          await nextTurn();
          await this.deliver(delivery);
        })()
          // deliver() handles its own failures; this only keeps one surprise from stopping the
          // queue (the envelope stays in the inbox for the next start).
          .catch((err) => {
            this.ctx.logger.error({ queue: this.queue, err: describeError(err) }, 'in-process delivery crashed');
            this.letGo(delivery);
          })
          .finally(() => {
            this.running--;
            this.startWhatMayRun();
            if (this.running === 0) {
              const waiters = this.drainWaiters;
              this.drainWaiters = [];
              for (const resolve of waiters) resolve();
            }
          });
      });
    }
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const retry = this.retryOf(delivery);
    let outcome: AttemptOutcome;
    // Set when the envelope left the inbox in the transaction that recorded it processed (the
    // handler's) or dead-lettered (the letter's). The handler's may still have failed after its
    // settle ran (a failed commit), so each counts only with the outcome it belongs to.
    let removedWithMarker = false;
    let removedWithLetter = false;
    const remove = async (manager: EntityManager) => this.ctx.inbox.removeWithin(manager, this.queue, delivery.key);
    try {
      outcome = await attemptDelivery(this.handler, delivery.envelope, {
        ...this.ctx,
        retry,
        queue: this.queue,
        attempt: delivery.attempt,
        hooks: { settle: async (manager) => void (removedWithMarker = await remove(manager)) },
        deadLetterHooks: { settle: async (manager) => void (removedWithLetter = await remove(manager)) },
      });
    } catch (err) {
      // It stays in the inbox and runs again at the next start.
      this.ctx.logger.error(
        { queue: this.queue, eventId: delivery.envelope?.id, err: describeError(err) },
        'dead letter could not be written; the event stays queued until the next start',
      );
      return this.letGo(delivery);
    }
    if (!outcome.retry) {
      // Handled through the event dispatcher, the envelope left the inbox when its processed
      // marker was committed; dead-lettered, with its letter; otherwise (a handler or a sink that
      // does not settle) here.
      if (outcome.handled ? removedWithMarker : removedWithLetter) return this.letGo(delivery);
      await this.ctx.inbox.remove(this.queue, delivery.key).catch((err) =>
        // Left there, it runs again at the next start: acknowledged as already processed if it was
        // handled, dead-lettered again if it was dead-lettered.
        this.ctx.logger.warn(
          { queue: this.queue, eventId: delivery.envelope?.id, err: describeError(err) },
          outcome.handled ? 'handled event could not be removed from the inbox' : 'dead-lettered event could not be removed from the inbox',
        ),
      );
      return this.letGo(delivery);
    }
    await this.ctx.inbox.attempted(this.queue, delivery.key, delivery.attempt).catch((err) =>
      this.ctx.logger.warn({ queue: this.queue, eventId: delivery.envelope?.id, err: describeError(err) }, 'attempt count could not be recorded'),
    );
    if (this.closing) return this.letGo(delivery);
    this.scheduleRetry({ ...delivery, attempt: delivery.attempt + 1 }, backoffDelay(retry, delivery.attempt));
  }

  private scheduleRetry(next: Delivery, delayMs: number): void {
    const timer = this.ctx.setTimer(() => {
      this.waitingRetries.delete(timer);
      this.enqueue(next);
    }, delayMs);
    this.waitingRetries.set(timer, next);
  }

  private retryOf(delivery: Delivery): RetryPolicy {
    return retryPolicyFor(this.ctx.retry, this.ctx.retryByEvent, delivery.envelope?.name);
  }

  /** Out of memory: handled, dead-lettered, or left in the inbox for the next start. */
  private letGo(delivery: Delivery): void {
    this.held.delete(delivery.key);
    delivery.done();
  }
}
