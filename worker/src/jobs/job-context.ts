import type { AppConfig } from '@medstock/config';
import type { JobName, JobPayloads, JobProducer } from '@medstock/contracts';
import type { Database } from '@medstock/db';
import type { Job } from 'bullmq';
import type { Logger } from '../logger.ts';
import type { WorkerMetrics } from '../observability/worker-metrics.ts';
import type { EndpointSlots } from '../webhooks/endpoint-slots.ts';

export interface JobContext {
  config: AppConfig;
  database: Database;
  /** Enqueues follow-up work (webhook deliveries, recalculations): fails fast when Redis is down. */
  producer: JobProducer;
  /** A child logger carrying the job's name, id, tenant and the request id that caused it. */
  log: Logger;
  /** Counters a job moves itself (webhook delivery outcomes). */
  metrics: WorkerMetrics;
  /** Per-endpoint concurrency of webhook deliveries. */
  endpointSlots: EndpointSlots;
}

export interface JobDefinition<N extends JobName = JobName> {
  /** What the job does, for the registry listing at start-up. */
  description: string;
  /** `token` is the worker's lock token, for jobs that move themselves back to the queue. */
  handle(ctx: JobContext, job: Job<JobPayloads[N]>, token?: string): Promise<unknown>;
}
