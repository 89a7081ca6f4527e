import type { EntityManager } from 'typeorm';
import type { EventEnvelope, EventName } from './events';
import type { DeadLetterSink } from './dead-letter';
import type { EventCounters } from './events.metrics';
import { describeError, type EventsLogger } from './logger';

export type EnvelopeHandler = (envelope: EventEnvelope, hooks?: DeliveryHooks) => Promise<void>;

/** What a driver asks of the handler of one delivery. */
export interface DeliveryHooks {
  /**
   * Runs inside the transaction that records the event processed (the consumer's database), so
   * that the driver's own bookkeeping of the delivery commits with it: the in-process queue
   * removes the envelope from its inbox there.
   */
  settle?(manager: EntityManager): Promise<void>;
}

/** An envelope and the queue it goes to. */
export interface QueuedEnvelope {
  queue: string;
  envelope: EventEnvelope;
}

export interface ConsumeOptions {
  /** Deliveries one process runs at once from this queue (default 1: in order, one at a time). */
  concurrency?: number;
}

export interface RetryPolicy {
  /** Deliveries in total, the first included. */
  attempts: number;
  /** Wait after the first failure; doubled after each further one. */
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, backoffMs: 1000 };

/**
 * Policies of particular events over a driver's own: an event whose delivery reaches another
 * system (a back-channel logout POST) may deserve more attempts than the service's default.
 * A driver applies it where it decides on retries: the in-process driver when it consumes, the
 * BullMQ driver when it sends (the job's own options), so the services that emit an event and
 * the one that consumes it should be given the same entry.
 */
export type EventRetryPolicies = { readonly [N in EventName]?: Partial<RetryPolicy> };

/** The policy an envelope is retried by: its event's entry over the driver's default. */
export function retryPolicyFor(defaults: RetryPolicy, byEvent: EventRetryPolicies | undefined, name: unknown): RetryPolicy {
  const own = byEvent && typeof name === 'string' && Object.hasOwn(byEvent, name) ? byEvent[name as EventName] : undefined;
  return own ? { ...defaults, ...own } : defaults;
}

/**
 * The same curve as BullMQ's `exponential` backoff, so both drivers behave alike; at most the
 * longest delay a Node.js timer takes (about 24.8 days; a longer one would fire at once).
 */
export const backoffDelay = (policy: RetryPolicy, failedAttempt: number) =>
  Math.min(policy.backoffMs * 2 ** (failedAttempt - 1), MAX_TIMER_DELAY_MS);

const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** Thrown by a handler when retrying cannot help (a malformed event): dead-lettered at once. */
export class UnrecoverableEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnrecoverableEventError';
  }
}

/** The states a queue's jobs are counted by (BullMQ's names). */
export const JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];
export type JobCounts = Record<JobState, number>;

/**
 * The queue port. A queue is a service's inbox: every replica of the service consumes it and
 * each envelope is handled by one of them. Delivery is at least once, so handlers must be
 * idempotent (the consumer explorer makes them so). Failed deliveries are retried with
 * exponential backoff and, after the last attempt, handed to the DeadLetterSink.
 */
export abstract class QueueDriver {
  abstract send(queue: string, envelope: EventEnvelope): Promise<void>;
  /**
   * Sends each item; resolves with each one's error, or undefined where it was sent, in order.
   * One at a time here; a driver that can share the work of many (one commit) overrides it, and
   * must keep each queue's items in their order.
   */
  async sendAll(items: ReadonlyArray<QueuedEnvelope>): Promise<Array<unknown>> {
    const errors: unknown[] = [];
    // An envelope that failed for one queue is not tried for its others: it is sent again to
    // all of them later, and a stalled broker costs one timeout per envelope, not one per queue.
    const failed = new Map<string, unknown>();
    for (const { queue, envelope } of items) {
      if (failed.has(envelope.id)) {
        errors.push(failed.get(envelope.id));
        continue;
      }
      try {
        await this.send(queue, envelope);
        errors.push(undefined);
      } catch (error) {
        const reason = error ?? new Error('send failed');
        failed.set(envelope.id, reason);
        errors.push(reason);
      }
    }
    return errors;
  }
  /**
   * Sends again an envelope that was handled already (a dead letter an operator replays): unlike
   * `send`, a driver that deduplicates by id must let it through.
   */
  abstract resend(queue: string, envelope: EventEnvelope): Promise<void>;
  abstract consume(queue: string, handler: EnvelopeHandler, options?: ConsumeOptions): Promise<void>;
  /** Resolves once nothing is waiting, running or scheduled for retry: tests await it instead of sleeping. */
  abstract whenIdle(): Promise<void>;
  abstract close(): Promise<void>;
  /**
   * The jobs of the queues this driver consumes, by state, for the metrics scrape: one cheap
   * read per queue. A driver that cannot tell (a test double) reports none.
   */
  async jobCounts(): Promise<Record<string, JobCounts>> {
    return {};
  }
}

export interface AttemptContext {
  queue: string;
  /** 1 for the first delivery. */
  attempt: number;
  retry: RetryPolicy;
  deadLetters: DeadLetterSink;
  logger: EventsLogger;
  /** Counts the failed attempt (`tessera_event_failures_total`). */
  counters?: EventCounters;
  /** Passed to the handler. */
  hooks?: DeliveryHooks;
  /** Passed to the dead-letter sink, which runs them in the transaction that writes the letter. */
  deadLetterHooks?: DeliveryHooks;
}

/** `handled`: the handler succeeded (else the delivery was dead-lettered). */
export type AttemptOutcome = { retry: false; handled: boolean } | { retry: true; error: unknown };

/**
 * One delivery attempt with the failure policy both drivers share: the envelope is handled,
 * or due for a retry, or dead-lettered (unrecoverable, or out of attempts). A failure to write
 * the dead letter is thrown: the driver then keeps the delivery where it can (BullMQ's failed set).
 */
export async function attemptDelivery(
  handler: EnvelopeHandler,
  envelope: EventEnvelope,
  ctx: AttemptContext,
): Promise<AttemptOutcome> {
  try {
    await handler(envelope, ctx.hooks);
    return { retry: false, handled: true };
  } catch (error) {
    ctx.counters?.failed(envelope?.name);
    const unrecoverable = error instanceof UnrecoverableEventError;
    const log = {
      queue: ctx.queue,
      eventId: envelope?.id,
      event: envelope?.name,
      attempt: ctx.attempt,
      err: describeError(error),
    };
    if (!unrecoverable && ctx.attempt < ctx.retry.attempts) {
      ctx.logger.warn(log, 'event delivery failed; will retry');
      return { retry: true, error };
    }
    await ctx.deadLetters.record(
      { queue: ctx.queue, envelope, error: describeError(error), attempts: ctx.attempt },
      ctx.deadLetterHooks,
    );
    ctx.logger.error(
      log,
      unrecoverable
        ? 'event cannot be handled; dead-lettered'
        : 'event delivery attempts exhausted; dead-lettered',
    );
    return { retry: false, handled: false };
  }
}
