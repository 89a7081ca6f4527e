import IORedis from 'ioredis';
import { Broadcaster, deliver, type BroadcastListener, type Unsubscribe } from './broadcaster';
import { defaultEventsLogger, describeError, type EventsLogger } from './logger';

/**
 * Distributed mode's broadcaster: Redis pub/sub. A connection in subscriber mode can run no
 * other command, hence a second connection for publishing. Channels are prefixed so that
 * Tessera's never collide with other users of the same Redis.
 */
export class RedisBroadcaster extends Broadcaster {
  private readonly publisher: IORedis;
  private readonly subscriber: IORedis;
  private readonly listeners = new Map<string, Set<BroadcastListener>>();
  /** Pending or done SUBSCRIBE per channel, so a second subscriber waits for the first one's. */
  private readonly subscriptions = new Map<string, Promise<unknown>>();
  private readonly prefix: string;

  constructor(
    redisUrl: string,
    private readonly logger: EventsLogger = defaultEventsLogger(),
    prefix = 'tessera',
  ) {
    super();
    this.prefix = `${prefix}:`;
    // A publish during an outage fails fast instead of piling up: a missed invalidation only ages a cache.
    this.publisher = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
    // ioredis re-subscribes after a reconnection; messages published meanwhile are missed.
    this.subscriber = new IORedis(redisUrl, { maxRetriesPerRequest: null });
    for (const connection of [this.publisher, this.subscriber]) {
      connection.on('error', (err) =>
        this.logger.warn({ err: describeError(err) }, 'redis broadcaster connection error'),
      );
    }
    this.subscriber.on('message', (channel: string, text: string) => {
      const name = channel.slice(this.prefix.length);
      for (const listener of this.listeners.get(name) ?? []) deliver(listener, text, name, this.logger);
    });
  }

  async publish(channel: string, message: object): Promise<void> {
    await this.publisher.publish(this.prefix + channel, JSON.stringify(message));
  }

  async subscribe(channel: string, listener: BroadcastListener): Promise<Unsubscribe> {
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      this.subscriptions.set(channel, this.subscriber.subscribe(this.prefix + channel));
    }
    set.add(listener);
    await this.subscriptions.get(channel);
    return async () => {
      const current = this.listeners.get(channel);
      if (!current?.delete(listener) || current.size > 0) return;
      this.listeners.delete(channel);
      this.subscriptions.delete(channel);
      await this.subscriber.unsubscribe(this.prefix + channel);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.subscriptions.clear();
    // QUIT would wait in the offline queue of a connection that is down.
    await Promise.all(
      [this.publisher, this.subscriber].map((c) =>
        c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.disconnect(),
      ),
    );
  }
}
