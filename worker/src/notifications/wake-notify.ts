import type { JobContext } from '../jobs/job-context.ts';

/** Prompt runs of one organisation collapse into one per window. */
const WAKE_WINDOW_MS = 5_000;

/**
 * Runs the organisation's notification job now, after a recalculation opened or changed alerts,
 * instead of waiting for the next minute of its schedule (the robots' "urgent" is seconds). Never
 * throws: if Redis is down, the schedule does it anyway.
 */
export async function wakeNotifications(ctx: Pick<JobContext, 'producer'>, tenantId: string): Promise<void> {
  const window = Math.floor(Date.now() / WAKE_WINDOW_MS);
  try {
    await ctx.producer.add('notify', { tenantId }, { jobId: `notify-now_${tenantId}_${window}` });
  } catch {
    // Redis down (or a producer that cannot enqueue): the minute schedule sends the messages.
  }
}
