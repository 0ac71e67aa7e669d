import { poolForCell, tenantsWithDueRecalculations } from '@medstock/db';
import type { JobContext } from '../jobs/job-context.ts';
import { errorFields } from '../logger.ts';

/**
 * The worker's own pass over every organisation's recalculation outbox, every
 * RECALC_OUTBOX_POLL_MS, straight from PostgreSQL: a change whose drain job Redis lost (restart,
 * outage, an API that died after its commit) or whose recalculation failed and came due again is
 * recalculated without waiting for the scheduled full run. `drain` is the registered drain
 * handler, so a test that replaces it replaces this too.
 */
export function startPeriodicDrain(
  ctx: JobContext,
  drain: (tenantId: string) => Promise<unknown>,
  everyMs: number,
): { stop(): Promise<void>; runOnce(): Promise<void> } {
  let running: Promise<void> | null = null;
  let stopped = false;
  let failing = false;

  const pass = async () => {
    // Each cell is probed on its own pool: one query there covers its organisations.
    const { rows } = await ctx.database.pool.query<{ cell: string; ids: string[] }>(
      `select cell, array_agg(id order by id) as ids from control.organizations
        where status = 'active' group by cell order by cell`,
    );
    const due: string[] = [];
    for (const { cell, ids } of rows)
      due.push(...(await tenantsWithDueRecalculations(await poolForCell(ctx.database.db, cell), ids)));
    for (const tenantId of due) {
      if (stopped) return;
      await drain(tenantId).catch((err) =>
        ctx.log.warn({ ...errorFields(err), tenantId }, 'periodic outbox drain failed'),
      );
    }
  };

  const runOnce = (): Promise<void> => {
    if (running) return running;
    running = pass()
      .then(() => {
        if (failing) ctx.log.info('periodic outbox drain recovered');
        failing = false;
      })
      .catch((err) => {
        // Database down: say so once, not every couple of seconds.
        if (!failing) ctx.log.error(errorFields(err), 'periodic outbox drain failed');
        failing = true;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  const timer = setInterval(() => void runOnce(), everyMs);
  timer.unref();
  return {
    runOnce,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
