import type { AppConfig } from '@medstock/config';
import { type JobProducer, WEBHOOK_BACKOFF_TYPE } from '@medstock/contracts';
import { type Database, poolForCell, tenantSchema } from '@medstock/db';

/**
 * The delay before retry number `retry` (1-based): WEBHOOK_BACKOFF_BASE_MS·2^(retry−1), 10 s,
 * 20 s, 40 s … by default. The worker's own setting: BullMQ asks the worker (backoffStrategy)
 * when a delivery fails, and deliverOnce writes the same time as the delivery's next attempt.
 */
export function retryDelayMs(config: Pick<AppConfig, 'WEBHOOK_BACKOFF_BASE_MS'>, retry: number): number {
  return config.WEBHOOK_BACKOFF_BASE_MS * 2 ** (Math.max(1, retry) - 1);
}

/** The webhook-delivery queue's backoff strategy (the jobs name the type, the worker the delays). */
export function deliveryBackoffStrategy(config: Pick<AppConfig, 'WEBHOOK_BACKOFF_BASE_MS'>) {
  return (attemptsMade: number, type?: string): number => {
    if (type !== WEBHOOK_BACKOFF_TYPE) throw new Error(`unknown backoff type '${type}'`);
    return retryDelayMs(config, attemptsMade);
  };
}

/**
 * Schedules the sweeper of every organisation that has webhook endpoints. For the worker's
 * schedule sync (so sweepers come back after Redis loses its data).
 */
export async function syncWebhookSweeps(
  config: AppConfig,
  database: Database,
  producer: JobProducer,
): Promise<number> {
  const { rows } = await database.pool.query<{ id: string; cell: string }>(
    `select id, cell from control.organizations where status = 'active' order by id`,
  );
  let scheduled = 0;
  for (const { id, cell } of rows) {
    // The schema is on the organisation's cell (an unreachable cell counts as no endpoints).
    const has = await poolForCell(database.db, cell)
      .then((pool) => pool.query(`select 1 from "${tenantSchema(id)}".webhook_endpoints limit 1`))
      .then((r) => (r.rowCount ?? 0) > 0)
      .catch(() => false);
    if (has) {
      await producer.scheduleWebhookSweep(id, config.WEBHOOK_SWEEP_EVERY_MS);
      scheduled++;
    }
  }
  return scheduled;
}
