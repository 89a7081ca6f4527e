import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DeadLetterSink } from './dead-letter';
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
  type ConsumeOptions,
  type EnvelopeHandler,
  type EventRetryPolicies,
  type JobCounts,
  type RetryPolicy,
} from './queue-driver';
import { backgroundContext } from './transaction';

interface BusConsumer {
  /** Takes over one envelope; calls `done` once it is handled or dead-lettered. */
  accept(envelope: EventEnvelope, done: () => void): void;
}

/**
 * The queues of one process. In embedded mode every service runs in the same process with a
 * driver of its own, and they must reach each other's queues: hence one bus per process,
 * shared by all drivers (tests create private ones).
 */
export class InProcessBus {
  private readonly consumers = new Map<string, BusConsumer>();
  /** Envelopes sent before their queue's consumer started, kept as a broker would keep them. */
  private readonly backlog = new Map<string, EventEnvelope[]>();
  private outstanding = 0;
  private idleWaiters: Array<() => void> = [];

  publish(queue: string, envelope: EventEnvelope): void {
    const consumer = this.consumers.get(queue);
    if (consumer) this.dispatch(consumer, envelope);
    else {
      const waiting = this.backlog.get(queue);
      if (waiting) waiting.push(envelope);
      else this.backlog.set(queue, [envelope]);
    }
  }

  attach(queue: string, consumer: BusConsumer): void {
    if (this.consumers.has(queue)) throw new Error(`Queue '${queue}' already has a consumer in this process`);
    this.consumers.set(queue, consumer);
    const waiting = this.backlog.get(queue) ?? [];
    this.backlog.delete(queue);
    for (const envelope of waiting) this.dispatch(consumer, envelope);
  }

  detach(queue: string, consumer: BusConsumer): void {
    if (this.consumers.get(queue) === consumer) this.consumers.delete(queue);
  }

  /** Idle: every dispatched envelope is handled or dead-lettered. A backlog nobody consumes does not count. */
  whenIdle(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private dispatch(consumer: BusConsumer, envelope: EventEnvelope): void {
    this.outstanding++;
    let finished = false;
    consumer.accept(envelope, () => {
      if (finished) return;
      finished = true;
      if (--this.outstanding > 0) return;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    });
  }
}

export const PROCESS_BUS = new InProcessBus();

export interface InProcessQueueDriverOptions {
  deadLetters: DeadLetterSink;
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
 * consumer asks for more (like a BullMQ worker's concurrency), never inside the sender's call stack or async context, with
 * BullMQ's retry, backoff and dead-letter behaviour. Not durable: whatever is queued here when
 * the process dies is lost, a limit of the embedded mode.
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
  }

  async send(queue: string, envelope: EventEnvelope): Promise<void> {
    if (this.closed) throw new Error('InProcessQueueDriver is closed');
    // Handed over as JSON, as a broker would: the consumer never shares the producer's objects.
    this.bus.publish(queue, JSON.parse(JSON.stringify(envelope)) as EventEnvelope);
  }

  /** Nothing here remembers what it delivered: a resend is a send. */
  resend(queue: string, envelope: EventEnvelope): Promise<void> {
    return this.send(queue, envelope);
  }

  async consume(queue: string, handler: EnvelopeHandler, options: ConsumeOptions = {}): Promise<void> {
    if (this.closed) throw new Error('InProcessQueueDriver is closed');
    const worker = new InProcessWorker(queue, handler, {
      retry: this.retry,
      retryByEvent: this.options.retryByEvent,
      deadLetters: this.options.deadLetters,
      logger: this.logger,
      counters: this.options.counters,
      setTimer: this.options.setTimer ?? ((run, delayMs) => setTimeout(run, delayMs)),
    }, Math.max(1, options.concurrency ?? 1));
    this.bus.attach(queue, worker);
    this.workers.set(queue, worker);
  }

  whenIdle(): Promise<void> {
    return this.bus.whenIdle();
  }

  /** BullMQ's states, read off the workers: nothing here is ever left failed (it is dead-lettered). */
  override async jobCounts(): Promise<Record<string, JobCounts>> {
    return Object.fromEntries([...this.workers].map(([queue, worker]) => [queue, worker.counts()]));
  }

  /** Stops consuming once the deliveries already handed over have run. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [queue, worker] of this.workers) this.bus.detach(queue, worker);
    await Promise.all([...this.workers.values()].map((worker) => worker.close()));
  }
}

type WorkerContext = Omit<AttemptContext, 'queue' | 'attempt'> & {
  retryByEvent?: EventRetryPolicies;
  setTimer: (run: () => void, delayMs: number) => NodeJS.Timeout;
};

interface Delivery {
  envelope: EventEnvelope;
  attempt: number;
  done: () => void;
}

class InProcessWorker implements BusConsumer {
  private running = 0;
  private readonly pending: Delivery[] = [];
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

  accept(envelope: EventEnvelope, done: () => void): void {
    this.enqueue({ envelope, attempt: 1, done });
  }

  counts(): JobCounts {
    return { waiting: this.pending.length, active: this.running, delayed: this.waitingRetries.size, failed: 0 };
  }

  /**
   * Runs what was already handed over; deliveries then waiting for a retry are dead-lettered
   * rather than dropped, so that an operator can replay them.
   */
  async close(): Promise<void> {
    this.closing = true;
    while (this.running > 0 || this.pending.length > 0) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    for (const [timer, delivery] of this.waitingRetries) {
      clearTimeout(timer);
      this.waitingRetries.delete(timer);
      await this.deadLetter(delivery, `queue closed before retry ${delivery.attempt}`);
    }
  }

  private enqueue(delivery: Delivery): void {
    this.pending.push(delivery);
    this.startWhatMayRun();
  }

  /** Starts waiting deliveries in arrival order while fewer than `concurrency` run. */
  private startWhatMayRun(): void {
    while (this.running < this.concurrency && this.pending.length > 0) {
      const delivery = this.pending.shift() as Delivery;
      this.running++;
      // Started from a captured context: the sender's async context (its open transaction) stays behind.
      this.inBackground(() => {
        void (async () => {
          await nextTurn();
          await this.deliver(delivery);
        })()
          // deliver() handles its own failures; this only keeps one surprise from stopping the queue.
          .catch((err) =>
            this.ctx.logger.error({ queue: this.queue, err: describeError(err) }, 'in-process delivery crashed'),
          )
          .finally(() => {
            this.running--;
            this.startWhatMayRun();
            if (this.running === 0 && this.pending.length === 0) {
              const waiters = this.drainWaiters;
              this.drainWaiters = [];
              for (const resolve of waiters) resolve();
            }
          });
      });
    }
  }

  private async deliver(delivery: Delivery): Promise<void> {
    try {
      const retry = retryPolicyFor(this.ctx.retry, this.ctx.retryByEvent, delivery.envelope?.name);
      const outcome = await attemptDelivery(this.handler, delivery.envelope, {
        ...this.ctx,
        retry,
        queue: this.queue,
        attempt: delivery.attempt,
      });
      if (outcome.retry) {
        const next = { ...delivery, attempt: delivery.attempt + 1 };
        const timer = this.ctx.setTimer(
          () => {
            if (this.closing) return; // close() dead-letters it
            this.waitingRetries.delete(timer);
            this.enqueue(next);
          },
          backoffDelay(retry, delivery.attempt),
        );
        this.waitingRetries.set(timer, next);
        return;
      }
    } catch (err) {
      this.ctx.logger.error(
        { queue: this.queue, eventId: delivery.envelope.id, err: describeError(err) },
        'dead letter could not be written; event lost',
      );
    }
    delivery.done();
  }

  private async deadLetter(delivery: Delivery, error: string): Promise<void> {
    try {
      await this.ctx.deadLetters.record({
        queue: this.queue,
        envelope: delivery.envelope,
        error,
        attempts: delivery.attempt - 1,
      });
    } catch (err) {
      this.ctx.logger.error(
        { queue: this.queue, eventId: delivery.envelope.id, err: describeError(err) },
        'dead letter could not be written; event lost',
      );
    }
    delivery.done();
  }
}
