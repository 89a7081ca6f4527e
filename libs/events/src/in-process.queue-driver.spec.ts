import { AsyncLocalStorage } from 'node:async_hooks';
import { deferred, envelope, MemoryDeadLetterSink, silentLogger } from '../test/support';
import type { EventEnvelope } from './events';
import { InProcessBus, InProcessQueueDriver } from './in-process.queue-driver';

describe('InProcessQueueDriver', () => {
  let bus: InProcessBus;
  let deadLetters: MemoryDeadLetterSink;

  beforeEach(() => {
    bus = new InProcessBus();
    deadLetters = new MemoryDeadLetterSink();
  });

  it('waits twice as long before each further retry', async () => {
    const delays: number[] = [];
    const driver = new InProcessQueueDriver({
      deadLetters,
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

  it('dead-letters a delivery still waiting for its retry when closed, instead of dropping it', async () => {
    const driver = new InProcessQueueDriver({
      deadLetters,
      bus,
      logger: silentLogger,
      retry: { attempts: 3, backoffMs: 60_000 },
    });
    const failedOnce = new Promise<void>((resolve) =>
      driver.consume('q', async () => {
        resolve();
        throw new Error('down');
      }),
    );
    const sent = envelope('user.updated', { sub: 'carol' });
    await driver.send('q', sent);
    await failedOnce;

    await driver.close();

    expect(deadLetters.letters).toEqual([
      { queue: 'q', envelope: sent, error: expect.stringMatching(/closed before retry 2/), attempts: 1 },
    ]);
    await bus.whenIdle();
  });

  it('connects the drivers of different services in one process', async () => {
    const producer = new InProcessQueueDriver({ deadLetters, bus, logger: silentLogger });
    const consumer = new InProcessQueueDriver({ deadLetters, bus, logger: silentLogger });
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
    const driver = new InProcessQueueDriver({ deadLetters, bus, logger: silentLogger });
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
    const driver = new InProcessQueueDriver({ deadLetters, bus, logger: silentLogger });
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
