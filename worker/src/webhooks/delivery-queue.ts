import type { AppConfig } from '@medstock/config';
import { type Database, tenantSchema } from '@medstock/db';
import type { JobsOptions, Queue } from 'bullmq';
import type { JobContext } from '../jobs/job-context.ts';
import { queueConnection, type TenantJobData, tenantQueue } from '../queues.ts';

export const WEBHOOK_DELIVERY_JOB = 'webhook-delivery';
export const WEBHOOK_SWEEP_JOB = 'webhook-sweep';

/** One job id per delivery: enqueues from the API, the engine and the sweeper collapse into one. */
export const deliveryJobId = (deliveryId: string) => `whd_${deliveryId}`;
export const sweepSchedulerId = (tenantId: string) => `webhook-sweep_${tenantId}`;

/**
 * Retries are BullMQ's: WEBHOOK_MAX_ATTEMPTS attempts, the n-th retry after base·2^(n−1)
 * (10 s, 20 s, 40 s … by default). Finished jobs are removed so a later redelivery of the same
 * delivery can use the id again; the delivery log lives in the database, not in Redis.
 */
export function deliveryJobOptions(
  config: Pick<AppConfig, 'WEBHOOK_MAX_ATTEMPTS' | 'WEBHOOK_BACKOFF_BASE_MS'>,
  deliveryId: string,
): JobsOptions {
  return {
    jobId: deliveryJobId(deliveryId),
    attempts: config.WEBHOOK_MAX_ATTEMPTS,
    backoff: { type: 'exponential', delay: config.WEBHOOK_BACKOFF_BASE_MS },
    removeOnComplete: true,
    removeOnFail: true,
  };
}

/** The delay before retry number `retry` (1-based), as BullMQ computes it. */
export function retryDelayMs(config: Pick<AppConfig, 'WEBHOOK_BACKOFF_BASE_MS'>, retry: number): number {
  return config.WEBHOOK_BACKOFF_BASE_MS * 2 ** (retry - 1);
}

export async function addDeliveryJobs(
  queue: Queue<TenantJobData>,
  config: AppConfig,
  tenantId: string,
  deliveryIds: readonly string[],
): Promise<void> {
  if (deliveryIds.length === 0) return;
  await queue.addBulk(
    deliveryIds.map((deliveryId) => ({
      name: WEBHOOK_DELIVERY_JOB,
      data: { tenantId, deliveryId },
      opts: deliveryJobOptions(config, deliveryId),
    })),
  );
}

/**
 * The per-organisation sweeper: re-enqueues pending deliveries whose job was lost (Redis
 * restarted, the process died between commit and enqueue). Upserting by a fixed id is idempotent.
 */
export async function scheduleWebhookSweep(
  queue: Queue<TenantJobData>,
  config: AppConfig,
  tenantId: string,
): Promise<void> {
  await queue.upsertJobScheduler(
    sweepSchedulerId(tenantId),
    { every: config.WEBHOOK_SWEEP_EVERY_MS },
    { name: WEBHOOK_SWEEP_JOB, data: { tenantId }, opts: { removeOnComplete: 10, removeOnFail: 50 } },
  );
}

/**
 * Schedules the sweeper of every organisation that has webhook endpoints. For the worker's
 * schedule sync (so sweepers come back after Redis loses its data).
 */
export async function syncWebhookSweeps(
  config: AppConfig,
  database: Database,
  queue: Queue<TenantJobData>,
): Promise<number> {
  const { rows } = await database.pool.query<{ id: string }>(
    `select id from control.organizations where status = 'active' order by id`,
  );
  let scheduled = 0;
  for (const { id } of rows) {
    const has = await database.pool
      .query(`select 1 from "${tenantSchema(id)}".webhook_endpoints limit 1`)
      .then((r) => (r.rowCount ?? 0) > 0)
      .catch(() => false);
    if (has) {
      await scheduleWebhookSweep(queue, config, id);
      scheduled++;
    }
  }
  return scheduled;
}

/**
 * Runs `fn` with the tenant queue. Worker jobs get no queue in their context, so this opens a
 * short-lived connection: used once per import and by a sweep that found lost deliveries.
 */
export async function withTenantQueue<T>(
  config: AppConfig,
  fn: (queue: Queue<TenantJobData>) => Promise<T>,
): Promise<T> {
  const connection = queueConnection(config);
  const queue = tenantQueue(config, connection);
  try {
    return await fn(queue);
  } finally {
    await queue.close().catch(() => {});
    await connection.quit().catch(() => {});
  }
}

/** Hands deliveries to the delivery job after the transaction that wrote them has committed. */
export async function dispatchDeliveries(
  ctx: JobContext,
  tenantId: string,
  deliveryIds: readonly string[],
): Promise<void> {
  if (deliveryIds.length === 0) return;
  try {
    if (ctx.enqueue) await ctx.enqueue(tenantId, [...deliveryIds]);
    else await withTenantQueue(ctx.config, (q) => addDeliveryJobs(q, ctx.config, tenantId, deliveryIds));
  } catch {
    // The sweeper sends pending deliveries whose enqueue was lost.
  }
}
