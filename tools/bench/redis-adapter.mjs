// A small ioredis adapter for oidc-provider, modelled on oidc-provider's example
// (example/adapters/redis.js in the oidc-provider repository): one JSON value per model
// instance with a TTL, hashes for consumable models, and grant / uid / userCode indexes.
import Redis from 'ioredis';

const grantable = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);
const consumable = new Set([
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

const grantKeyFor = (id) => `grant:${id}`;
const userCodeKeyFor = (userCode) => `userCode:${userCode}`;
const uidKeyFor = (uid) => `uid:${uid}`;

export function createRedisAdapter(url) {
  const client = new Redis(url, { keyPrefix: 'oidc:', lazyConnect: false, maxRetriesPerRequest: 2 });

  class RedisAdapter {
    constructor(name) {
      this.name = name;
    }

    key(id) {
      return `${this.name}:${id}`;
    }

    async upsert(id, payload, expiresIn) {
      const key = this.key(id);
      const multi = client.multi();
      if (consumable.has(this.name)) {
        multi.hset(key, { payload: JSON.stringify(payload) });
      } else {
        multi.set(key, JSON.stringify(payload));
      }
      if (expiresIn) multi.expire(key, expiresIn);

      if (grantable.has(this.name) && payload.grantId) {
        const grantKey = grantKeyFor(payload.grantId);
        multi.rpush(grantKey, key);
        // Keep the grant index alive at least as long as its longest-lived member.
        const ttl = await client.ttl(grantKey);
        if (expiresIn > ttl) multi.expire(grantKey, expiresIn);
      }
      if (payload.userCode) {
        const userCodeKey = userCodeKeyFor(payload.userCode);
        multi.set(userCodeKey, id);
        if (expiresIn) multi.expire(userCodeKey, expiresIn);
      }
      if (payload.uid) {
        const uidKey = uidKeyFor(payload.uid);
        multi.set(uidKey, id);
        if (expiresIn) multi.expire(uidKey, expiresIn);
      }
      await multi.exec();
    }

    async find(id) {
      if (!id) return undefined;
      const data = consumable.has(this.name)
        ? await client.hgetall(this.key(id))
        : await client.get(this.key(id));
      if (!data || (typeof data === 'object' && Object.keys(data).length === 0)) return undefined;
      if (typeof data === 'string') return JSON.parse(data);
      const { payload, ...rest } = data;
      return { ...rest, ...JSON.parse(payload) };
    }

    async findByUid(uid) {
      return this.find(await client.get(uidKeyFor(uid)));
    }

    async findByUserCode(userCode) {
      return this.find(await client.get(userCodeKeyFor(userCode)));
    }

    async destroy(id) {
      await client.del(this.key(id));
    }

    async revokeByGrantId(grantId) {
      const grantKey = grantKeyFor(grantId);
      // The list holds unprefixed keys (ioredis' keyPrefix applies to key arguments, not to
      // values), so del() prefixes them exactly once.
      const tokens = await client.lrange(grantKey, 0, -1);
      const multi = client.multi();
      for (const token of tokens) multi.del(token);
      multi.del(grantKey);
      await multi.exec();
    }

    async consume(id) {
      await client.hset(this.key(id), 'consumed', Math.floor(Date.now() / 1000));
    }
  }

  return { adapter: RedisAdapter, close: () => client.quit() };
}
