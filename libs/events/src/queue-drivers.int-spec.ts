import { testRedisUrl } from '@tessera/test-kit';
import { MemoryEventInbox, redisNamespace, silentLogger } from '../test/support';
import { BullMqQueueDriver } from './bullmq.queue-driver';
import { InProcessBus, InProcessQueueDriver } from './in-process.queue-driver';
import { CONTRACT_RETRY, CONTRACT_RETRY_BY_EVENT, queueDriverContract } from './queue-driver.contract';

queueDriverContract('InProcessQueueDriver', { dedupesById: false }, async (deadLetters) => {
  const driver = new InProcessQueueDriver({
    deadLetters,
    inbox: new MemoryEventInbox(),
    retry: CONTRACT_RETRY,
    retryByEvent: CONTRACT_RETRY_BY_EVENT,
    logger: silentLogger,
    bus: new InProcessBus(),
  });
  return { driver, close: () => driver.close() };
});

const redisUrl = testRedisUrl();
if (redisUrl) {
  queueDriverContract('BullMqQueueDriver', { dedupesById: true }, async (deadLetters) => {
    const namespace = redisNamespace(redisUrl);
    const driver = new BullMqQueueDriver({
      redisUrl,
      deadLetters,
      retry: CONTRACT_RETRY,
      retryByEvent: CONTRACT_RETRY_BY_EVENT,
      logger: silentLogger,
      prefix: namespace.prefix,
    });
    return {
      driver,
      close: async () => {
        await driver.close();
        await namespace.clean();
      },
    };
  });
}
