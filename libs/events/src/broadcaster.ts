import { EventEmitter } from 'node:events';
import { defaultEventsLogger, describeError, type EventsLogger } from './logger';
import { backgroundContext } from './transaction';

export type BroadcastListener = (message: Record<string, unknown>) => void | Promise<void>;
export type Unsubscribe = () => Promise<void>;

/**
 * Fire-and-forget messages to every replica, for cache invalidation (a user's claims, a
 * revoked grant in an introspection cache). Unlike queued events these are not durable and
 * reach all subscribers, not one: use them only for state that can be rebuilt from the database.
 */
export abstract class Broadcaster {
  abstract publish(channel: string, message: object): Promise<void>;
  abstract subscribe(channel: string, listener: BroadcastListener): Promise<Unsubscribe>;
  abstract close(): Promise<void>;
}

/** One per process in embedded mode, so that every service module hears every other. */
const PROCESS_EMITTER = new EventEmitter().setMaxListeners(0);

/**
 * Embedded mode's broadcaster. Listeners run after publish() returns and see a JSON copy,
 * as they would through Redis, so code behaves the same in both modes.
 */
export class InProcessBroadcaster extends Broadcaster {
  private readonly inBackground = backgroundContext();
  private readonly own = new Set<Unsubscribe>();

  constructor(
    private readonly emitter: EventEmitter = PROCESS_EMITTER,
    private readonly logger: EventsLogger = defaultEventsLogger(),
  ) {
    super();
  }

  async publish(channel: string, message: object): Promise<void> {
    const text = JSON.stringify(message);
    this.inBackground(() => setImmediate(() => this.emitter.emit(channel, text)));
  }

  async subscribe(channel: string, listener: BroadcastListener): Promise<Unsubscribe> {
    const onMessage = (text: string) => deliver(listener, text, channel, this.logger);
    this.emitter.on(channel, onMessage);
    const unsubscribe = async () => {
      this.emitter.off(channel, onMessage);
      this.own.delete(unsubscribe);
    };
    this.own.add(unsubscribe);
    return unsubscribe;
  }

  async close(): Promise<void> {
    await Promise.all([...this.own].map((unsubscribe) => unsubscribe()));
  }
}

/** Runs a listener on a received message; a failing listener is logged, never propagated. */
export function deliver(
  listener: BroadcastListener,
  text: string,
  channel: string,
  logger: EventsLogger,
): void {
  Promise.resolve()
    .then(() => listener(JSON.parse(text) as Record<string, unknown>))
    .catch((err) => logger.error({ channel, err: describeError(err) }, 'broadcast listener failed'));
}
