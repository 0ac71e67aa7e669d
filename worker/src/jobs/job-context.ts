import type { AppConfig } from '@medstock/config';
import type { Database } from '@medstock/db';
import type { Job } from 'bullmq';
import type { TenantJobData } from '../queues.ts';

export interface JobContext {
  config: AppConfig;
  database: Database;
  /** Enqueues webhook deliveries (set by the worker once the delivery job exists). */
  enqueue?: (tenantId: string, deliveryIds: string[]) => Promise<void>;
}

export interface JobDefinition {
  /** What the job does, for the registry listing at start-up. */
  description: string;
  handle(ctx: JobContext, job: Job<TenantJobData>): Promise<unknown>;
}
