import { AsyncLocalStorage } from 'node:async_hooks';
import { deferred, envelope, MemoryDeadLetterSink, MemoryEventInbox, silentLogger } from '../test/support';
import type { EventEnvelope } from './events';
import { InProcessBus, InProcessQueueDriver } from './in-process.queue-driver';

describe('InProcessQueueDriver', () => {
  let bus: InProcessBus;
  let deadLetters: MemoryDeadLetterSink;
  let inbox: MemoryEventInbox;

  beforeEach(() => {
    bus = new InProcessBus();
    deadLetters = new MemoryDeadLetterSink();
    inbox = new MemoryEventInbox();
  });

  it('waits twice as long before each further retry', async () => {
    const delays: number[] = [];
    const driver = new InProcessQueueDriver({
      deadLetters,
      inbox,
      bus,
      logger: silentLogger,
      retry: { attempts: 4, backoffMs: 10 },
      setTimer: (run, delayMs) => {
        delays.push(delayMs);
        return setTimeout(run, 0);
      },
    });
    await driver.consume('q', async () => {
      throw new Error('down');
    });

    await driver.send('q', envelope('user.updated', { sub: 'alice' }));
    await driver.whenIdle();

    expect(delays).toEqual([10, 20, 40]);
    expect(deadLetters.letters.map((l) => l.attempts)).toEqual([4]);
    await driver.close();
  });

  it('is not idle while a retry is scheduled', async () => {
    let retry: (() => void) | undefined;
    const scheduled = deferred();
    const driver = new InProcessQueueDriver({
      deadLetters,
      inbox,
      bus,
      logger: silentLogger,
      retry: { attempts: 2, backoffMs: 10 },
      setTimer: (run) => {
        retry = run;
        scheduled.resolve();
        return setTimeout(() => undefined, 0);
      },
    });
    const calls: string[] = [];
    await driver.consume('q', async (e) => {
      calls.push(e.id);
      if (calls.length === 1) throw new Error('first attempt fails');
    });
    let idle = false;

    await driver.send('q', envelope('user.updated', { sub: 'bob' }));
    const whenIdle = driver.whenIdle().then(() => (idle = true));
    await scheduled.promise;
    await new Promise((resolve) => setImmediate(resolve));

    expect(calls).toHaveLength(1);
    expect(idle).toBe(false);
    retry?.();
    await whenIdle;
    expect(calls).toHaveLength(2);
    await driver.close();
  });

  it('leaves a delivery waiting for its retry in the inbox when closed, and retries it at the next start', async () => {
    const retryScheduled = deferred();
    const first = new InProcessQueueDriver({
      deadLetters,
      inbox,
      bus,
      logger: silentLogger,
      retry: { attempts: 3, backoffMs: 60_000 },
      setTimer: (run, delayMs) => {
        retryScheduled.resolve();
        return setTimeout(run, delayMs);
      },
    });
    await first.consume('q', async () => {
      throw new Error('down');
    });
    const sent = envelope('user.updated', { sub: 'carol' });
    await first.send('q', sent);
    // The first attempt failed and its retry waits (a minute) when the process stops.
    await retryScheduled.promise;

    await first.close();

    expect(deadLetters.letters).toEqual([]);
    expect(await inbox.held('q')).toEqual([{ key: sent.id, envelope: sent, attempts: 1 }]);
    await bus.whenIdle();

    const received: EventEnvelope[] = [];
    const restarted = new InProcessQueueDriver({ deadLetters, inbox, bus: new InProcessBus(), logger: silentLogger, retry: { attempts: 3, backoffMs: 1 } });
    await restarted.consume('q', async (e) => {
      received.push(e);
      throw new Error('still down');
    });
    await restarted.whenIdle();

    // Attempt 1 before the restart, 2 and 3 after it: the policy counts across the restart.
    expect(received).toEqual([sent, sent]);
    expect(deadLetters.letters).toEqual([{ queue: 'q', envelope: sent, error: expect.stringMatching(/still down/), attempts: 3 }]);
    expect(await inbox.held('q')).toEqual([]);
    await restarted.close();
  });

  it('waits the backoff of the policy in force before the next attempt of a delivery brought back after a restart', async () => {
    const sent = envelope('user.updated', { sub: 'lena' });
    // Left by a process whose policy allowed twelve attempts; eleven failed.
    await inbox.addAll('q', [{ key: sent.id, envelope: sent }]);
    await inbox.attempted('q', sent.id, 11);
    const delays: number[] = [];
    const driver = new InProcessQueueDriver({
      deadLetters,
      inbox,
      bus,
      logger: silentLogger,
      retry: { attempts: 3, backoffMs: 10 },
      setTimer: (run, delayMs) => {
        delays.push(delayMs);
        return setTimeout(run, 0);
      },
    });
    await driver.consume('q', async () => {
      throw new Error('still down');
    });
    await driver.whenIdle();

    // The wait before a third attempt under today's policy (10 ms, doubled once), not 10 × 2^10:
    // it still gets that one last attempt, then is dead-lettered.
    expect(delays).toEqual([20]);
    expect(deadLetters.letters).toEqual([{ queue: 'q', envelope: sent, error: expect.stringMatching(/still down/), attempts: 12 }]);
    await driver.close();
  });

  it('keeps a delivery in the inbox from the send until it is handled, and a crash in between loses nothing', async () => {
    const crashed = new InProcessQueueDriver({ deadLetters, inbox, bus, logger: silentLogger });
    const started = deferred();
    // A handler that never finishes: the process dies before it does.
    await crashed.consume('q', () => {
      started.resolve();
      return new Promise<void>(() => undefined);
    });
    const sent = envelope('user.updated', { sub: 'frank' });

    await crashed.send('q', sent);
    // Kept before send resolves, which is when the relay marks the event published.
    expect((await inbox.held('q')).map((h) => h.key)).toEqual([sent.id]);
    await started.promise;

    // The next process: a new bus and driver over the same inbox.
    const received: EventEnvelope[] = [];
    const restarted = new InProcessQueueDriver({ deadLetters, inbox, bus: new InProcessBus(), logger: silentLogger });
    await restarted.consume('q', async (e) => {
      received.push(e);
    });
    await restarted.whenIdle();

    expect(received).toEqual([sent]);
    expect(await inbox.held('q')).toEqual([]);
    await restarted.close();
  });

  it('keeps on disk what is sent to a declared queue before its consumer starts, and delivers it once it does', async () => {
    const producer = new InProcessQueueDriver({ deadLetters, inbox: new MemoryEventInbox(), bus, logger: silentLogger });
    const consumer = new InProcessQueueDriver({ deadLetters, inbox, queues: ['tessera.auth-service'], bus, logger: silentLogger });
    const sent = envelope('user.updated', { sub: 'grace' });

    await producer.send('tessera.auth-service', sent);
    expect((await inbox.held('tessera.auth-service')).map((h) => h.envelope)).toEqual([sent]);

    const received: EventEnvelope[] = [];
    await consumer.consume('tessera.auth-service', async (e) => {
      received.push(e);
    });
    await consumer.whenIdle();

    expect(received).toEqual([sent]);
    expect(await inbox.held('tessera.auth-service')).toEqual([]);
    await Promise.all([producer.close(), consumer.close()]);
  });

  it('hands its consumer an envelope whose insert landed while the consumer was starting (after its read of the inbox)', async () => {
    const consumer = new InProcessQueueDriver({ deadLetters, inbox, queues: ['q'], bus, logger: silentLogger });
    const producer = new InProcessQueueDriver({ deadLetters, inbox: new MemoryEventInbox(), bus, logger: silentLogger });
    // On PostgreSQL the insert and the consumer's read run on different connections: the read
    // may miss a row that commits just after it.
    const insertLands = deferred();
    const addAll = inbox.addAll.bind(inbox);
    jest.spyOn(inbox, 'addAll').mockImplementationOnce(async (...args) => {
      await insertLands.promise;
      return addAll(...args);
    });
    const sent = envelope('user.updated', { sub: 'kim' });
    const sending = producer.send('q', sent);
    const received: EventEnvelope[] = [];
    await consumer.consume('q', async (e) => {
      received.push(e);
    });

    insertLands.resolve();
    await sending;
    await bus.whenIdle();

    expect(received).toEqual([sent]);
    expect(await inbox.held('q')).toEqual([]);
    await Promise.all([producer.close(), consumer.close()]);
  });

  it('delivers an envelope sent again while still held only once', async () => {
    const driver = new InProcessQueueDriver({ deadLetters, inbox, bus, logger: silentLogger });
    const release = deferred();
    const received: string[] = [];
    await driver.consume('q', async (e) => {
      received.push(e.id);
      await release.promise;
    });
    const sent = envelope('user.updated', { sub: 'heidi' });

    await driver.send('q', sent);
    await driver.send('q', sent);
    release.resolve();
    await driver.whenIdle();

    expect(received).toEqual([sent.id]);
    await driver.close();
  });

  it('fails the send when the inbox cannot keep the envelope, so that the relay keeps it', async () => {
    const driver = new InProcessQueueDriver({ deadLetters, inbox, bus, logger: silentLogger });
    const received: string[] = [];
    await driver.consume('q', async (e) => {
      received.push(e.id);
    });
    jest.spyOn(inbox, 'addAll').mockRejectedValueOnce(new Error('SQLITE_FULL: database or disk is full'));

    await expect(driver.send('q', envelope('user.updated', { sub: 'ivan' }))).rejects.toThrow(/SQLITE_FULL/);
    await driver.whenIdle();

    expect(received).toEqual([]);
    await driver.close();
  });

  it('leaves the envelope in the inbox when its dead letter cannot be written, for the next start', async () => {
    const driver = new InProcessQueueDriver({ deadLetters, inbox, bus, logger: silentLogger, retry: { attempts: 1, backoffMs: 1 } });
    jest.spyOn(deadLetters, 'record').mockRejectedValueOnce(new Error('disk I/O error'));
    await driver.consume('q', async () => {
      throw new Error('handler down');
    });
    const sent = envelope('user.updated', { sub: 'judy' });

    await driver.send('q', sent);
    await driver.whenIdle();

    expect(deadLetters.letters).toEqual([]);
    expect((await inbox.held('q')).map((h) => h.key)).toEqual([sent.id]);
    await driver.close();
  });

  it('connects the drivers of different services in one process', async () => {
    const producer = new InProcessQueueDriver({ deadLetters, inbox, bus, logger: silentLogger });
    const consumer = new InProcessQueueDriver({ deadLetters, inbox, bus, logger: silentLogger });
    const received: EventEnvelope[] = [];
    await consumer.consume('tessera.auth-service', async (e) => {
      received.push(e);
    });
    const sent = envelope('mail.requested', { to: 'a@example.com', template: 'welcome', params: {} });

    await producer.send('tessera.auth-service', sent);
    await producer.whenIdle();

    expect(received).toEqual([sent]);
    await Promise.all([producer.close(), consumer.close()]);
  });

  it('runs the handler outside the sender async context (never inside its transaction)', async () => {
    const context = new AsyncLocalStorage<string>();
    const driver = new InProcessQueueDriver({ deadLetters, inbox, bus, logger: silentLogger });
    let seen: string | undefined = 'unset';
    await driver.consume('q', async () => {
      seen = context.getStore();
    });

    await context.run('sender transaction', () =>
      driver.send('q', envelope('user.updated', { sub: 'dave' })),
    );
    await driver.whenIdle();

    expect(seen).toBeUndefined();
    await driver.close();
  });

  it('hands the consumer a copy, not the producer objects', async () => {
    const driver = new InProcessQueueDriver({ deadLetters, inbox, bus, logger: silentLogger });
    let received: EventEnvelope | undefined;
    await driver.consume('q', async (e) => {
      received = e;
    });
    const sent = envelope('user.updated', { sub: 'erin' });

    await driver.send('q', sent);
    sent.payload = { sub: 'mallory' };
    await driver.whenIdle();

    expect(received?.payload).toEqual({ sub: 'erin' });
    await driver.close();
  });
});
