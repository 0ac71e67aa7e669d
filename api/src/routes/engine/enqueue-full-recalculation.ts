import type { AppDeps } from '../../deps.ts';

/** Requests within one window collapse into one full run (a double click on "recalculate now"). */
const WINDOW_MS = 2_000;

/**
 * Asks the worker for a full recalculation of the organisation (every item-location), the same
 * job the schedule runs. The job id is deterministic — per `reason` when given (a rule version
 * triggers exactly one run), else per time window — so repeats are de-duplicated while the job
 * waits, and a finished job (removed on completion) never blocks a later request. Returns the
 * job id, or null when the queue is unreachable (the scheduled run catches up).
 */
export async function enqueueFullRecalculation(
  deps: AppDeps,
  tenantId: string,
  reason?: string,
): Promise<string | null> {
  return deps.jobs.requestFullRecalculation(tenantId, reason ?? String(Math.floor(Date.now() / WINDOW_MS)));
}
