import { randomUUID } from 'node:crypto';
import { envelope, grantRevoked, MemoryDeadLetterSink } from '../test/support';
import type { EventEnvelope } from './events';
import { UnrecoverableEventError, type EventRetryPolicies, type QueueDriver, type RetryPolicy } from './queue-driver';

export interface DriverUnderTest {
  driver: QueueDriver;
  close(): Promise<void>;
}

export interface DriverPromises {
  /** The driver ignores a send whose envelope id it already holds (BullMQ's jobId). */
  dedupesById: boolean;
}

/** What each test's driver must be built with. */
export const CONTRACT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 5 };
/** ... and the per-event policies (an event that gets more attempts than the others). */
export const CONTRACT_RETRY_BY_EVENT: EventRetryPolicies = { 'user.deleted': { attempts: 5, backoffMs: 1 } };

/**
 * The behaviour every QueueDriver must have, run against each driver (twenty's driver
 * idempotency specs in the same spirit). `create` builds a driver with CONTRACT_RETRY,
 * CONTRACT_RETRY_BY_EVENT and the given dead-letter sink.
 */
export function queueDriverContract(
  name: string,
  promises: DriverPromises,
  create: (deadLetters: MemoryDeadLetterSink) => Promise<DriverUnderTest>,
): void {
  describe(`${name} (QueueDriver contract)`, () => {
    let subject: DriverUnderTest;
    let driver: QueueDriver;
    let deadLetters: MemoryDeadLetterSink;
    let queue: string;

    beforeEach(async () => {
      deadLetters = new MemoryDeadLetterSink();
      subject = await create(deadLetters);
      driver = subject.driver;
      queue = `contract.${randomUUID()}`;
    });
    afterEach(() => subject.close());

    const recorder = (fail: (call: number) => Error | undefined = () => undefined) => {
      const calls: EventEnvelope[] = [];
      const handler = async (e: EventEnvelope) => {
        calls.push(e);
        const error = fail(calls.length);
        if (error) throw error;
      };
      return { calls, handler };
    };

    it('delivers an envelope to the consumer of its queue, and only there', async () => {
      const mine = recorder();
      const other = recorder();
      await driver.consume(queue, mine.handler);
      await driver.consume(`${queue}.other`, other.handler);
      const sent = envelope('grant.revoked', grantRevoked());

      await driver.send(queue, sent);
      await driver.whenIdle();

      expect(mine.calls).toEqual([sent]);
      expect(other.calls).toEqual([]);
    });

    it('delivers asynchronously, never inside the sender call stack', async () => {
      let sending = false;
      let ranWhileSending: boolean | undefined;
      await driver.consume(queue, async () => {
        ranWhileSending = sending;
      });

      sending = true;
      const sent = driver.send(queue, envelope('user.updated', { sub: 'alice' }));
      sending = false;
      await sent;
      await driver.whenIdle();

      expect(ranWhileSending).toBe(false);
    });

    it('retries a failing delivery until it succeeds', async () => {
      const flaky = recorder((call) => (call < 3 ? new Error(`attempt ${call} failed`) : undefined));
      await driver.consume(queue, flaky.handler);
      const sent = envelope('user.updated', { sub: 'bob' });

      await driver.send(queue, sent);
      await driver.whenIdle();

      expect(flaky.calls.map((e) => e.id)).toEqual([sent.id, sent.id, sent.id]);
      expect(deadLetters.letters).toEqual([]);
    });

    it('dead-letters a delivery after its last attempt', async () => {
      const broken = recorder((call) => new Error(`attempt ${call} failed`));
      await driver.consume(queue, broken.handler);
      const sent = envelope('user.updated', { sub: 'carol' });

      await driver.send(queue, sent);
      await driver.whenIdle();

      expect(broken.calls).toHaveLength(CONTRACT_RETRY.attempts);
      expect(deadLetters.letters).toEqual([
        { queue, envelope: sent, error: 'Error: attempt 3 failed', attempts: 3 },
      ]);
    });

    it("retries an event by its own policy when it has one, the others by the driver's", async () => {
      const broken = recorder((call) => new Error(`attempt ${call} failed`));
      await driver.consume(queue, broken.handler);
      const own = envelope('user.deleted', { sub: 'carl' });
      const other = envelope('user.updated', { sub: 'carl' });

      await driver.send(queue, own);
      await driver.send(queue, other);
      await driver.whenIdle();

      expect(broken.calls.filter((e) => e.id === own.id)).toHaveLength(5);
      expect(broken.calls.filter((e) => e.id === other.id)).toHaveLength(CONTRACT_RETRY.attempts);
      expect(deadLetters.letters.map((l) => [(l.envelope as EventEnvelope).id, l.attempts]).sort()).toEqual(
        [
          [own.id, 5],
          [other.id, CONTRACT_RETRY.attempts],
        ].sort(),
      );
    });

    it('dead-letters an unrecoverable failure without retrying it', async () => {
      const hopeless = recorder(() => new UnrecoverableEventError('malformed'));
      await driver.consume(queue, hopeless.handler);

      await driver.send(queue, envelope('user.updated', { sub: 'dave' }));
      await driver.whenIdle();

      expect(hopeless.calls).toHaveLength(1);
      expect(deadLetters.letters.map((l) => [l.error, l.attempts])).toEqual([
        ['UnrecoverableEventError: malformed', 1],
      ]);
    });

    /** A handler that counts deliveries running at once, each staying until `release` or a short wait. */
    const inFlightMeter = (holdMs: number) => {
      let running = 0;
      let max = 0;
      const handler = async () => {
        running++;
        max = Math.max(max, running);
        await new Promise((resolve) => setTimeout(resolve, holdMs));
        running--;
      };
      return { handler, max: () => max };
    };

    it('runs one delivery at a time by default, in order', async () => {
      const meter = inFlightMeter(15);
      const order: string[] = [];
      await driver.consume(queue, async (e) => {
        order.push(e.id);
        await meter.handler();
      });
      const sent = [1, 2, 3].map((n) => envelope('user.updated', { sub: `s${n}` }));
      for (const e of sent) await driver.send(queue, e);
      await driver.whenIdle();

      expect(meter.max()).toBe(1);
      expect(order).toEqual(sent.map((e) => e.id));
    });

    it('runs up to the consumer\'s concurrency at once, and no more', async () => {
      const meter = inFlightMeter(60);
      await driver.consume(queue, meter.handler, { concurrency: 3 });
      for (let n = 0; n < 7; n++) await driver.send(queue, envelope('user.updated', { sub: `c${n}` }));
      await driver.whenIdle();

      expect(meter.max()).toBe(3);
    });

    it('keeps what was sent before anyone consumed the queue', async () => {
      const sent = envelope('user.deleted', { sub: 'erin' });
      await driver.send(queue, sent);
      const late = recorder();

      await driver.consume(queue, late.handler);
      await driver.whenIdle();

      expect(late.calls).toEqual([sent]);
    });

    it('refuses to send once closed, so the relay keeps the event', async () => {
      await subject.close();
      await expect(driver.send(queue, envelope('user.updated', { sub: 'frank' }))).rejects.toThrow(/closed/);
    });

    it('delivers an envelope resent after it was handled (a replayed dead letter)', async () => {
      const calls = recorder((n) => (n === 1 ? new UnrecoverableEventError('broken downstream') : undefined));
      await driver.consume(queue, calls.handler);
      const sent = envelope('grant.revoked', grantRevoked());
      await driver.send(queue, sent);
      await driver.whenIdle();
      expect(deadLetters.letters).toHaveLength(1);

      await driver.resend(queue, sent);
      await driver.whenIdle();

      expect(calls.calls).toEqual([sent, sent]);
    });

    if (promises.dedupesById) {
      it('delivers an envelope sent twice once, also after it was handled', async () => {
        const once = recorder();
        await driver.consume(queue, once.handler);
        const sent = envelope('grant.revoked', grantRevoked());

        await driver.send(queue, sent);
        await driver.send(queue, sent);
        await driver.whenIdle();
        await driver.send(queue, sent);
        await driver.whenIdle();

        expect(once.calls).toHaveLength(1);
      });
    }
  });
}
