import type { Redis } from 'ioredis';

// Takes one of `limit` slots of an endpoint: a sorted set of holders scored by lease expiry, on
// Redis's clock. Expired holders (a worker killed mid-delivery) are dropped first.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) and not redis.call('ZSCORE', KEYS[1], ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1`;

export interface EndpointSlot {
  release(): Promise<void>;
}

/**
 * Per-endpoint concurrency for webhook deliveries, as a lease in Redis: at most `limit`
 * deliveries to one endpoint are in flight across all workers, so a receiver that hangs holds
 * `limit` slots of its own and none of anyone else's. A lease outlives a crashed holder by at
 * most `leaseMs`. (BullMQ's group concurrency is a Pro feature.)
 */
export class EndpointSlots {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limit: number,
    private readonly leaseMs: number,
  ) {}

  private key(endpointId: string) {
    return `${this.prefix}:webhook-endpoint-slots:${endpointId}`;
  }

  /** A slot for this holder, or null when the endpoint is at its limit. */
  async acquire(endpointId: string, holder: string): Promise<EndpointSlot | null> {
    const key = this.key(endpointId);
    const ok = await this.redis.eval(ACQUIRE, 1, key, this.limit, this.leaseMs, holder);
    if (Number(ok) !== 1) return null;
    return {
      release: async () => {
        await this.redis.zrem(key, holder).catch(() => undefined);
      },
    };
  }
}
