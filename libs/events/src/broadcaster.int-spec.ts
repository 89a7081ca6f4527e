import { EventEmitter } from 'node:events';
import { eventually, testRedisUrl } from '@tessera/test-kit';
import { redisNamespace, silentLogger } from '../test/support';
import { InProcessBroadcaster, type Broadcaster } from './broadcaster';
import { RedisBroadcaster } from './redis.broadcaster';

interface Replicas {
  /** Two broadcasters standing for two replicas (or two services of one process). */
  a: Broadcaster;
  b: Broadcaster;
  close(): Promise<void>;
}

function broadcasterSuite(name: string, create: () => Promise<Replicas>): void {
  describe(name, () => {
    let replicas: Replicas;
    beforeEach(async () => {
      replicas = await create();
    });
    afterEach(() => replicas.close());

    it('reaches the subscribers of every replica with one publish', async () => {
      const onA: unknown[] = [];
      const onB: unknown[] = [];
      await replicas.a.subscribe('claims', (m) => void onA.push(m));
      await replicas.b.subscribe('claims', (m) => void onB.push(m));

      await replicas.a.publish('claims', { sub: 'alice' });

      await eventually(() => {
        expect(onA).toEqual([{ sub: 'alice' }]);
        expect(onB).toEqual([{ sub: 'alice' }]);
      });
    });

    it('keeps channels apart and stops after unsubscribing', async () => {
      const claims: unknown[] = [];
      const grants: unknown[] = [];
      const unsubscribe = await replicas.b.subscribe('claims', (m) => void claims.push(m));
      await replicas.b.subscribe('grants', (m) => void grants.push(m));

      await replicas.a.publish('grants', { grantId: 'g-1' });
      await eventually(() => expect(grants).toHaveLength(1));
      await unsubscribe();
      await replicas.a.publish('claims', { sub: 'bob' });
      // Messages on one connection arrive in order: once this one is in, the one before would be too.
      await replicas.a.publish('grants', { grantId: 'g-2' });
      await eventually(() => expect(grants).toHaveLength(2));

      expect(claims).toEqual([]);
    });

    it('delivers to the other listeners when one of them throws', async () => {
      const received: unknown[] = [];
      await replicas.b.subscribe('claims', () => {
        throw new Error('listener bug');
      });
      await replicas.b.subscribe('claims', (m) => void received.push(m));

      await replicas.a.publish('claims', { sub: 'carol' });

      await eventually(() => expect(received).toEqual([{ sub: 'carol' }]));
    });
  });
}

broadcasterSuite('InProcessBroadcaster', async () => {
  const emitter = new EventEmitter();
  const a = new InProcessBroadcaster(emitter, silentLogger);
  const b = new InProcessBroadcaster(emitter, silentLogger);
  return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
});

describe('InProcessBroadcaster delivery', () => {
  it('runs listeners after publish returns, on a copy of the message', async () => {
    const broadcaster = new InProcessBroadcaster(new EventEmitter(), silentLogger);
    const received: unknown[] = [];
    await broadcaster.subscribe('claims', (m) => void received.push(m));
    const message = { sub: 'dave' };

    await broadcaster.publish('claims', message);
    expect(received).toEqual([]);
    message.sub = 'mallory';

    await eventually(() => expect(received).toEqual([{ sub: 'dave' }]));
    await broadcaster.close();
  });
});

const redisUrl = testRedisUrl();
if (redisUrl) {
  broadcasterSuite('RedisBroadcaster', async () => {
    const { prefix } = redisNamespace(redisUrl);
    const a = new RedisBroadcaster(redisUrl, silentLogger, prefix);
    const b = new RedisBroadcaster(redisUrl, silentLogger, prefix);
    return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
  });
}
