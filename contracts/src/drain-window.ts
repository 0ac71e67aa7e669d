import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Where a wake-up of an organisation's outbox drain falls in its debounce window. The first
 * wake-up opens a window of `windowMs` and runs at once (leading); every later one inside the
 * window belongs to the window's single trailing run, due when the window closes. BullMQ's own
 * deduplication has no mode with both edges (throttle mode keeps only the leading job and drops
 * the rest, debounce mode keeps only a delayed trailing one, keepLastIfActive queues one run after
 * the active one with no window), so the window lives in one Redis key, set and read atomically.
 */
export interface DrainSlot {
  edge: 'leading' | 'trailing';
  /** The window's id: the leading and trailing job ids are made from it, so repeats collapse. */
  window: string;
  /** 0 for the leading run; for the trailing run, what is left of the window. */
  delayMs: number;
  /**
   * Whether this caller must enqueue the run: the leading one, and the first caller of a window's
   * trailing run. Later callers find it enqueued (or being enqueued) and add nothing.
   */
  enqueue: boolean;
}

// KEYS[1] the window (its id, expiring with it), KEYS[2] "its trailing run is taken";
// ARGV[1] the window in ms, ARGV[2] a fresh window id.
const SLOT_SCRIPT = `
local open = redis.call('GET', KEYS[1])
if not open then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
  return {'leading', ARGV[2], 0, 1}
end
local left = redis.call('PTTL', KEYS[1])
if left < 1 then left = 1 end
local first = redis.call('SET', KEYS[2], open, 'PX', left, 'NX')
return {'trailing', open, left, first and 1 or 0}`;

type WithSlotCommand = Redis & {
  drainSlot(
    window: string,
    trailing: string,
    windowMs: number,
    windowId: string,
  ): Promise<[string, string, number, number]>;
};

/** The key that says a window's trailing run is taken (set with the window's remaining life). */
export const trailingKeyOf = (windowKey: string) => `${windowKey}:trailing`;

export async function claimDrainSlot(redis: Redis, key: string, windowMs: number): Promise<DrainSlot> {
  const r = redis as WithSlotCommand;
  // Defined once per connection; ioredis sends it by SHA after the first call.
  if (typeof r.drainSlot !== 'function')
    redis.defineCommand('drainSlot', { numberOfKeys: 2, lua: SLOT_SCRIPT });
  const [edge, window, left, enqueue] = await r.drainSlot(key, trailingKeyOf(key), windowMs, randomUUID());
  return {
    edge: edge === 'leading' ? 'leading' : 'trailing',
    window,
    delayMs: edge === 'leading' ? 0 : Number(left),
    enqueue: Number(enqueue) === 1,
  };
}
