/** How many of the latest observations count as "recent" for lead-time drift. */
export const RECENT_LEAD_TIMES = 3;
/** Earlier observations needed before drift means anything: one earlier order is no baseline. */
export const MIN_EARLIER_LEAD_TIMES = 2;

export interface LeadTimeDrift {
  /** Every observation given. */
  readonly observations: number;
  /** Mean of all observations, null without any. */
  readonly overallMeanDays: number | null;
  /** How many observations the recent mean is over (at most RECENT_LEAD_TIMES). */
  readonly recentN: number;
  /** Mean of the latest RECENT_LEAD_TIMES; null while drift is undefined. */
  readonly recentMeanDays: number | null;
  /** Mean of the observations before the recent ones; null while drift is undefined. */
  readonly historyMeanDays: number | null;
  /** recent mean − earlier mean (positive: deliveries are getting slower); null with too little history. */
  readonly driftDays: number | null;
}

const avg = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Lead-time drift — the one definition the alert, the KPI page and the lead-time estimate share:
 * the mean of the latest RECENT_LEAD_TIMES observations against the mean of the ones before them
 * (disjoint windows, so the recent orders do not dilute the baseline they are compared with).
 * Undefined (nulls) until there are at least MIN_EARLIER_LEAD_TIMES earlier observations.
 * `chronological`: lead times in days, oldest first (received_at, then id).
 */
export function leadTimeDrift(chronological: readonly number[]): LeadTimeDrift {
  const n = chronological.length;
  const overallMeanDays = n > 0 ? avg(chronological) : null;
  const recent = chronological.slice(-RECENT_LEAD_TIMES);
  const earlier = chronological.slice(0, Math.max(0, n - RECENT_LEAD_TIMES));
  if (earlier.length < MIN_EARLIER_LEAD_TIMES)
    return {
      observations: n,
      overallMeanDays,
      recentN: recent.length,
      recentMeanDays: null,
      historyMeanDays: null,
      driftDays: null,
    };
  const recentMeanDays = avg(recent);
  const historyMeanDays = avg(earlier);
  return {
    observations: n,
    overallMeanDays,
    recentN: recent.length,
    recentMeanDays,
    historyMeanDays,
    driftDays: recentMeanDays - historyMeanDays,
  };
}
