import { Redis } from 'ioredis';

/** How long a producer waits for Redis before giving up (the work is in PostgreSQL or retried). */
export const PRODUCER_TIMEOUT_MS = 1000;

/**
 * A connection for enqueueing. It fails fast instead of queueing commands while Redis is down
 * (enableOfflineQueue: false) or waiting on a hung server (commandTimeout), so a request that
 * enqueues never hangs on Redis. It reconnects by itself when Redis returns.
 */
export function producerConnection(url: string, onError: (err: Error) => void = () => {}): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: PRODUCER_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  });
  redis.on('error', onError);
  return redis;
}

/** BullMQ workers need maxRetriesPerRequest: null (their blocking commands wait across reconnects). */
export function workerConnection(url: string, onError: (err: Error) => void = () => {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  });
  redis.on('error', onError);
  return redis;
}
