import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

// KEYS[1] the lease; ARGV[1] this holder's token, ARGV[2] the lease in ms. Renews the lease when
// this holder has it, takes it when nobody has; 1 when this holder has it afterwards.
const HOLD_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

// Deletes the lease only if this holder still has it (never a successor's).
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

type WithLeaseCommands = Redis & {
  leaseHold(key: string, token: string, ms: number): Promise<number>;
  leaseRelease(key: string, token: string): Promise<number>;
};

/**
 * One holder at a time among the processes sharing `key`: a Redis key set with NX and a TTL whose
 * value is the holder's token, so only the holder renews or releases it. A holder that dies stops
 * renewing and the lease passes to the next process that asks once the TTL has run out; one that
 * stops releases it, and the next ask takes over at once. Work done under it must stay safe to
 * repeat (a holder paused past its TTL may overlap its successor once).
 */
export class LeaderLease {
  readonly token = randomUUID();

  constructor(
    private readonly redis: Redis,
    readonly key: string,
    readonly ttlMs: number,
  ) {
    const r = redis as WithLeaseCommands;
    // Defined once per connection; ioredis sends them by SHA after the first call.
    if (typeof r.leaseHold !== 'function') {
      redis.defineCommand('leaseHold', { numberOfKeys: 1, lua: HOLD_SCRIPT });
      redis.defineCommand('leaseRelease', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
    }
  }

  /** Takes or renews the lease; true while this process holds it. Throws when Redis is down. */
  async hold(): Promise<boolean> {
    return (await (this.redis as WithLeaseCommands).leaseHold(this.key, this.token, this.ttlMs)) === 1;
  }

  /** Gives the lease up if this process holds it, so another takes over without waiting. */
  async release(): Promise<void> {
    await (this.redis as WithLeaseCommands).leaseRelease(this.key, this.token);
  }
}
