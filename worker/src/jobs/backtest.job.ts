import { UnrecoverableError } from 'bullmq';
import { failBacktest, runBacktest } from '../backtest/run-backtest.ts';
import type { JobDefinition } from './job-context.ts';

/** Runs a backtest the API (or the CLI) created as a queued run. */
export const backtestJob: JobDefinition<'backtest'> = {
  description: 'backtest / replay of the engine over a past period',
  async handle(ctx, job) {
    const runId = job.data.runId;
    if (typeof runId !== 'string') throw new UnrecoverableError('backtest job needs a runId');
    try {
      return await runBacktest(ctx.database, job.data.tenantId, runId, (done, total) =>
        job.updateProgress({ done, total }).catch(() => undefined),
      );
    } catch (err) {
      // After the last attempt the run says so, instead of showing "running" for ever.
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        await failBacktest(
          ctx.database,
          job.data.tenantId,
          runId,
          // The driver's message, not the query with its parameters.
          `the backtest failed: ${((err as Error).cause as Error | undefined)?.message ?? (err as Error).message}`,
        ).catch(() => undefined);
      }
      throw err;
    }
  },
};
