import type { AppConfig } from '@medstock/config';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

/** One queue for tenant work. Job data carries the tenant id and record ids only, never secrets. */
export const TENANT_QUEUE = 'tenant';

export interface TenantJobData {
  tenantId: string;
  [key: string]: unknown;
}

/** BullMQ needs maxRetriesPerRequest: null on worker connections (blocking commands). */
export function queueConnection(config: AppConfig): Redis {
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  redis.on('error', () => {});
  return redis;
}

export function tenantQueue(config: AppConfig, connection: Redis): Queue<TenantJobData> {
  return new Queue<TenantJobData>(TENANT_QUEUE, { connection, prefix: config.QUEUE_PREFIX });
}
