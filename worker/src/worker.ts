import type { AppConfig } from '@medstock/config';
import { createDatabase, type Database } from '@medstock/db';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { JobDefinition } from './jobs/job-context.ts';
import { assertJobRegistry, JOB_REGISTRY } from './jobs/job-registry.ts';
import { queueConnection, TENANT_QUEUE, type TenantJobData, tenantQueue } from './queues.ts';
import { syncTenantSchedules } from './schedules/tenant-schedules.ts';
import { addDeliveryJobs } from './webhooks/delivery-queue.ts';

export interface RunningWorker {
  worker: Worker<TenantJobData>;
  database: Database;
  close(): Promise<void>;
}

/** Starts the worker: checks the job table, connects, syncs per-tenant schedules, processes jobs. */
export async function startWorker(
  config: AppConfig,
  opts: { registry?: Record<string, JobDefinition>; scheduleSyncMs?: number } = {},
): Promise<RunningWorker> {
  const registry: Record<string, JobDefinition> = opts.registry ?? JOB_REGISTRY;
  assertJobRegistry(registry, Object.keys(JOB_REGISTRY));
  const database = createDatabase(config.DATABASE_URL, config.PG_POOL_MAX);
  const connection = queueConnection(config);
  const queueConn = queueConnection(config);
  const queue = tenantQueue(config, queueConn);

  const worker = new Worker<TenantJobData>(
    TENANT_QUEUE,
    async (job: Job<TenantJobData>) => {
      const def = registry[job.name];
      if (!def) throw new UnrecoverableError(`no handler for job '${job.name}'`);
      if (typeof job.data?.tenantId !== 'string') throw new UnrecoverableError('job data has no tenantId');
      // Webhook deliveries written by a job (alerts, import.finished) go out at once.
      return def.handle(
        { config, database, enqueue: (tenant, ids) => addDeliveryJobs(queue, config, tenant, ids) },
        job,
      );
    },
    {
      connection,
      prefix: config.QUEUE_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      lockDuration: config.WORKER_LOCK_DURATION_MS,
      stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
      maxStalledCount: 5,
    },
  );
  worker.on('error', () => {});

  await syncTenantSchedules(config, database, queue);
  // New organisations sign up while the worker runs: pick them up periodically.
  const timer = setInterval(() => {
    syncTenantSchedules(config, database, queue).catch(() => {});
  }, opts.scheduleSyncMs ?? 60_000);
  timer.unref();

  return {
    worker,
    database,
    close: async () => {
      clearInterval(timer);
      await worker.close();
      await queue.close();
      await Promise.allSettled([connection.quit(), queueConn.quit(), database.close()]);
    },
  };
}
