import { UnrecoverableError } from 'bullmq';
import { runBacktest } from '../backtest/run-backtest.ts';
import type { JobDefinition } from './job-context.ts';

/** Runs a backtest the API (or the CLI) created as a queued run. */
export const backtestJob: JobDefinition<'backtest'> = {
  description: 'backtest / replay of the engine over a past period',
  async handle(ctx, job) {
    const runId = job.data.runId;
    if (typeof runId !== 'string') throw new UnrecoverableError('backtest job needs a runId');
    return runBacktest(ctx.database, job.data.tenantId, runId, (done, total) =>
      job.updateProgress({ done, total }).catch(() => undefined),
    );
  },
};
