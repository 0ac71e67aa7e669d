import { JOB_QUEUES, schedulerIds } from '@medstock/contracts';
import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { overdueDeliveries } from '../webhooks/deliver.ts';
import type { JobDefinition } from './job-context.ts';

/**
 * Per-organisation safety net for webhook deliveries: pending deliveries whose next attempt is
 * overdue by more than one sweep period lost their job (Redis restarted, the API died between
 * commit and enqueue) and are enqueued again. An organisation without endpoints or pending
 * deliveries, or no longer active, drops its own schedule.
 */
export const webhookSweepJob: JobDefinition<'webhook-sweep'> = {
  description: 'webhook sweeper: re-enqueues pending deliveries whose job was lost',
  async handle(ctx, job) {
    const { tenantId } = job.data;
    const org = await ctx.database.pool.query(
      `select 1 from control.organizations where id = $1 and status = 'active'`,
      [tenantId],
    );
    const idle =
      !org.rowCount ||
      (await withTenantDb(ctx.database.db, { organizationId: tenantId }, async (tx) => {
        const r = await tx.execute<{ busy: boolean }>(sql`
          select exists (select 1 from webhook_endpoints) or exists (select 1 from webhook_deliveries where status = 'pending') as busy`);
        return !r.rows[0]?.busy;
      }));
    if (idle) {
      await ctx.producer
        .queue(JOB_QUEUES['webhook-sweep'])
        .removeJobScheduler(schedulerIds.webhookSweep(tenantId));
      return { unscheduled: true };
    }
    const ids = await overdueDeliveries(ctx.database, tenantId, ctx.config.WEBHOOK_SWEEP_EVERY_MS);
    await ctx.producer.enqueueWebhookDeliveries(tenantId, ids);
    return { requeued: ids.length };
  },
};
