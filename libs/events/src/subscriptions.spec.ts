import { BACKCHANNEL_QUEUE, QUEUE_CONCURRENCY, queueName, queuesOf, SUBSCRIPTIONS } from './subscriptions';

describe('queue concurrency', () => {
  it("runs the admin API's deliveries (audit entries, revocation outcomes) four at a time, so the audit log keeps up with sign-ins", () => {
    expect(QUEUE_CONCURRENCY[queueName('admin-api')]).toBe(4);
    // Nothing else consumes from that queue: its handlers are the order-independent ones named above.
    expect(queuesOf('admin-api')).toEqual([queueName('admin-api')]);
  });

  it('keeps the inboxes whose events change state in order (token service, authentication service) one delivery at a time', () => {
    expect(QUEUE_CONCURRENCY[queueName('token-service')]).toBeUndefined();
    expect(QUEUE_CONCURRENCY[queueName('auth-service')]).toBeUndefined();
    expect(QUEUE_CONCURRENCY[BACKCHANNEL_QUEUE]).toBe(16);
  });

  it('names only queues some event is routed to', () => {
    const routed = new Set(Object.values(SUBSCRIPTIONS).flat());
    expect(Object.keys(QUEUE_CONCURRENCY).filter((queue) => !routed.has(queue))).toEqual([]);
  });
});
