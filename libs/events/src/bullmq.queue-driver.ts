import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import IORedis from 'ioredis';
import type { DeadLetterSink } from './dead-letter';
import type { EventEnvelope } from './events';
import type { EventCounters } from './events.metrics';
import { defaultEventsLogger, describeError, type EventsLogger } from './logger';
import {
  attemptDelivery,
  DEFAULT_RETRY,
  JOB_STATES,
  QueueDriver,
  retryPolicyFor,
  type ConsumeOptions,
  type EnvelopeHandler,
  type EventRetryPolicies,
  type JobCounts,
  type RetryPolicy,
} from './queue-driver';

export interface BullMqQueueDriverOptions {
  redisUrl: string;
  deadLetters: DeadLetterSink;
  retry?: Partial<RetryPolicy>;
  /** Policies of particular events over `retry`, written into each job when it is sent. */
  retryByEvent?: EventRetryPolicies;
  logger?: EventsLogger;
  /** BullMQ's key prefix (default `tessera`). Part of the queues' identity in Redis: persisted data, like queue names. */
  prefix?: string;
  /** Deliveries one replica runs at once per queue, unless `consume` says otherwise. */
  concurrency?: number;
  /** How long a send may wait for Redis before it counts as failed (the relay retries it later). */
  sendTimeoutMs?: number;
  /** Counts failed deliveries (`tessera_event_failures_total`). */
  counters?: EventCounters;
}

/**
 * Completed jobs are kept for a day because BullMQ ignores a send whose jobId still exists:
 * that is what makes the relay's occasional re-publication (after a crash between sending and
 * marking) a no-op. Consumers stay idempotent for what falls outside this window.
 */
const KEEP_COMPLETED = { age: 24 * 3600, count: 10_000 };
/** Failed jobs exist only when even the dead letter could not be written: keep them for a person. */
const KEEP_FAILED = { age: 7 * 24 * 3600 };

/** Distributed mode's queue: BullMQ on Redis, one Queue and one Worker per queue name. */
export class BullMqQueueDriver extends QueueDriver {
  private readonly retry: RetryPolicy;
  private readonly logger: EventsLogger;
  /** Producers fail fast while Redis is away: the relay keeps the event and retries later. */
  private readonly producerConnection: IORedis;
  /** Workers block on Redis and must wait out reconnections, hence no per-request retry limit. */
  private readonly workerConnection: IORedis;
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Map<string, Worker>();
  private readonly prefix: string;
  /** Set by a connection error, cleared when the connection is ready again. */
  private redisDown = false;
  private closed = false;

  constructor(private readonly options: BullMqQueueDriverOptions) {
    super();
    this.prefix = options.prefix ?? 'tessera';
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.logger = options.logger ?? defaultEventsLogger();
    this.producerConnection = new IORedis(options.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    });
    this.workerConnection = new IORedis(options.redisUrl, { maxRetriesPerRequest: null });
    // ioredis reports every failed reconnection: log the transitions, not each attempt.
    const watch = (connection: IORedis, onChange: (down: boolean) => void) => {
      let down = false;
      connection.on('error', (err) => {
        if (!down)
          this.logger.warn({ err: describeError(err), prefix: this.prefix }, 'redis connection lost');
        down = true;
        onChange(true);
      });
      connection.on('ready', () => {
        if (down) this.logger.info({ prefix: this.prefix }, 'redis connection back');
        down = false;
        onChange(false);
      });
    };
    watch(this.producerConnection, (down) => (this.redisDown = down));
    watch(this.workerConnection, () => undefined);
  }

  /**
   * Fails at once while Redis is known to be unreachable, and after `sendTimeoutMs` if it
   * stalls: BullMQ would otherwise wait for the connection indefinitely, holding the relay (and
   * on SQLite every transaction of the service behind it). An add that completes late is
   * harmless: the relay sends the event again and BullMQ ignores the known jobId.
   */
  async send(queue: string, envelope: EventEnvelope): Promise<void> {
    if (this.closed) throw new Error('BullMqQueueDriver is closed');
    if (this.redisDown) throw new Error('Redis is unreachable');
    const retry = retryPolicyFor(this.retry, this.options.retryByEvent, envelope.name);
    const options: JobsOptions = {
      jobId: envelope.id,
      attempts: retry.attempts,
      backoff: { type: 'exponential', delay: retry.backoffMs },
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED,
    };
    const timeoutMs = this.options.sendTimeoutMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not accept the job within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    const added = this.queue(queue).add(envelope.name, envelope, options);
    added.catch(() => undefined);
    try {
      await Promise.race([added, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** BullMQ keeps a handled job (by its id) for a day and would ignore the send: the old job goes first. */
  async resend(queue: string, envelope: EventEnvelope): Promise<void> {
    if (this.closed) throw new Error('BullMqQueueDriver is closed');
    await this.queue(queue).remove(envelope.id);
    await this.send(queue, envelope);
  }

  async consume(queue: string, handler: EnvelopeHandler, consumeOptions: ConsumeOptions = {}): Promise<void> {
    if (this.closed) throw new Error('BullMqQueueDriver is closed');
    if (this.workers.has(queue)) throw new Error(`Queue '${queue}' is already consumed by this driver`);
    const worker = new Worker<EventEnvelope>(queue, (job) => this.process(queue, handler, job), {
      connection: this.workerConnection,
      prefix: this.prefix,
      concurrency: consumeOptions.concurrency ?? this.options.concurrency ?? 1,
    });
    worker.on('error', (err) => this.logger.warn({ queue, err: describeError(err) }, 'queue worker error'));
    this.workers.set(queue, worker);
    // Not awaited: the service starts while Redis is away, and the worker begins once it is back.
  }

  /** Quiescence of the queues this driver consumes, read from Redis: for tests and shutdown. */
  async whenIdle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await Promise.all(
        [...this.workers.keys()].map((name) =>
          this.queue(name).getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
        ),
      );
      if (counts.every((c) => Object.values(c).every((n) => n === 0))) return;
      if (Date.now() > deadline)
        throw new Error(`Queues still busy after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * From Redis, per consumed queue: one read of four counters. Fails at once while Redis is
   * known to be unreachable (the producer connection does not queue commands offline).
   */
  override async jobCounts(): Promise<Record<string, JobCounts>> {
    if (this.redisDown) throw new Error('Redis is unreachable');
    const queues = [...this.workers.keys()];
    const counts = await Promise.all(queues.map((name) => this.queue(name).getJobCounts(...JOB_STATES)));
    return Object.fromEntries(
      queues.map((queue, i) => [queue, Object.fromEntries(JOB_STATES.map((state) => [state, counts[i][state] ?? 0])) as JobCounts]),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Workers first: close() waits for the jobs they are running.
    await Promise.all([...this.workers.values()].map((worker) => worker.close()));
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    // QUIT would wait in the offline queue of a connection that is down.
    await Promise.all(
      [this.producerConnection, this.workerConnection].map((c) =>
        c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.disconnect(),
      ),
    );
  }

  private async process(queue: string, handler: EnvelopeHandler, job: Job<EventEnvelope>): Promise<void> {
    const outcome = await attemptDelivery(handler, job.data, {
      queue,
      // BullMQ counts finished attempts; the sender's options are the ones BullMQ retries by.
      attempt: job.attemptsMade + 1,
      retry: {
        attempts: job.opts.attempts ?? 1,
        backoffMs: typeof job.opts.backoff === 'object' ? (job.opts.backoff.delay ?? this.retry.backoffMs) : this.retry.backoffMs,
      },
      deadLetters: this.options.deadLetters,
      logger: this.logger,
      counters: this.options.counters,
    });
    if (outcome.retry)
      throw outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.producerConnection, prefix: this.prefix });
      queue.on('error', (err) => this.logger.warn({ queue: name, err: describeError(err) }, 'queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }
}
