/**
 * Adds planned demand (scheduled procedures × their bill of consumables) on top of the statistical
 * forecast, day by day. History-based forecasts see only the usual mix; a booked list of twelve hip
 * replacements next Tuesday is known, not forecast. Planned entries beyond the forecast horizon are
 * ignored; missing or invalid entries count as 0.
 */
export function addPlannedDemand(forecast: readonly number[], planned: readonly number[]): number[] {
  return forecast.map((f, i) => {
    const p = planned[i];
    return f + (p !== undefined && Number.isFinite(p) && p > 0 ? p : 0);
  });
}
