import {
  type BacktestParameters,
  type BacktestRow,
  type BacktestSeriesInput,
  type BacktestStep,
  type BacktestSummary,
  backtestItemLocation,
  DEFAULT_RULE_SET,
  fitCalibration,
  recalibrateOnline,
  scoredRows,
  summariseBacktest,
  withPooledPriors,
} from '@medstock/core';
import { addDays } from '@medstock/core/dates/index.ts';
import { type Database, organizationTimeZone, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { currentRuleSet } from '../engine/recalculate.ts';
import { backtestKeys, loadBacktestInputs } from './load-backtest-inputs.ts';

const BATCH = 200;
const keyOf = (x: { itemId: string; locationId: string }) => `${x.itemId}|${x.locationId}`;
function groupByItem<T extends { itemId: string }>(xs: readonly T[]): T[][] {
  const by = new Map<string, T[]>();
  for (const x of xs) by.set(x.itemId, [...(by.get(x.itemId) ?? []), x]);
  return [...by.values()];
}

/** Rows per insert statement once the run is replayed. */
const INSERT_CHUNK = 5_000;
/** Days of history before `from` each series carries: two years, so yearly seasonality has two seasons by the last as-of date. */
const HISTORY_DAYS = 1096;

type RunParameters = {
  from_date: string;
  to_date: string;
  step: BacktestStep;
  horizon_days: number;
  lead_time_mode: 'recorded' | 'fixed' | 'current_terms';
  lead_time_days: number | null;
};

/** The columns a row is stored with: one insert per batch through jsonb_to_recordset. */
const ROW_COLUMNS = sql`item_id uuid, location_id uuid, "asOf" date, position numeric, "leadTimeDays" numeric, model text,
  family text, grain text, forecast jsonb, "pBeforeReceipt" numeric, "pWithinHorizon" numeric, "pWithinHorizonRaw" numeric,
  calibrated boolean, "alertRaised" boolean,
  outcome text, "monthsOfStock" numeric, errors jsonb`;

/**
 * Replays the engine over a past period for every item-location: at each as-of date it sees only
 * what was known then (positions from the whole ledger, lead times received before it, the terms
 * in force then), and the outcome over the run's horizon is then read from the ledger. One row per
 * item-location and as-of date, stored a batch at a time; the summary scores the engine beside
 * the months-of-stock rule and the naive / 3-period-mean forecasts on the same rows. A retried job
 * starts the rows over: the run is replaced, never duplicated.
 */
export async function runBacktest(
  database: Database,
  tenantId: string,
  runId: string,
  onProgress?: (done: number, total: number) => Promise<void> | void,
): Promise<BacktestSummary> {
  const tenant = { organizationId: tenantId };
  const run = await withTenantDb(database.db, tenant, async (tx) => {
    const r = await tx.execute<RunParameters>(
      sql`update backtest_runs set status = 'running', error = null where id = ${runId}
          returning to_char(from_date, 'YYYY-MM-DD') as from_date, to_char(to_date, 'YYYY-MM-DD') as to_date, step,
                    horizon_days, lead_time_mode, lead_time_days`,
    );
    await tx.execute(sql`delete from backtest_rows where run_id = ${runId}`);
    return r.rows[0];
  });
  if (!run) throw new Error(`backtest run ${runId} not found`);
  const parameters: BacktestParameters = {
    from: run.from_date,
    to: run.to_date,
    step: run.step,
    horizonDays: run.horizon_days,
    leadTime:
      run.lead_time_mode === 'fixed'
        ? { mode: 'fixed', days: run.lead_time_days ?? 0 }
        : { mode: 'recorded' },
  };
  // Every day boundary is the organisation's local day.
  const timeZone = await withTenantDb(database.db, tenant, (tx) => organizationTimeZone(tx));
  const start = addDays(parameters.from, -HISTORY_DAYS);
  const end = addDays(parameters.to, parameters.horizonDays);

  const keys = await withTenantDb(database.db, tenant, (tx) => backtestKeys(tx, end));
  const all: BacktestRow[] = [];
  let itemLocations = 0;
  const owners: Array<{ item_id: string; location_id: string }> = [];
  for (let i = 0, next = 0; i < keys.length; i = next) {
    // A batch ends at an item boundary, so all of an item's locations are pooled together.
    next = Math.min(i + BATCH, keys.length);
    while (next < keys.length && keys[next]!.itemId === keys[next - 1]!.itemId) next++;
    await withTenantDb(database.db, tenant, async (tx) => {
      const rules = await currentRuleSet(tx);
      const maxProbability =
        rules.stockoutRisk?.maxProbability ?? DEFAULT_RULE_SET.stockoutRisk.maxProbability;
      const inputs = await loadBacktestInputs(tx, keys.slice(i, next), { start, end, timeZone });
      // Each series leans on the same item's other locations as the engine would have at each date.
      const pooled = new Map<string, BacktestSeriesInput>();
      for (const group of groupByItem(inputs)) {
        const withPriors = withPooledPriors(group.map((g) => g.series));
        group.forEach((g, k) => {
          pooled.set(keyOf(g), withPriors[k]!);
        });
      }
      for (const input of inputs) {
        const rows = backtestItemLocation(
          { ...pooled.get(keyOf(input))!, alertProbability: maxProbability[input.ved] },
          parameters,
        );
        if (rows.length === 0) continue;
        itemLocations++;
        for (const r of rows) {
          all.push(r);
          owners.push({ item_id: input.itemId, location_id: input.locationId });
        }
      }
    });
    await onProgress?.(next, keys.length);
  }
  // The calibration in force at each as-of date is learnt from outcomes known by then, across the
  // whole organisation, so it can only be applied once every series has been replayed.
  const calibrated = recalibrateOnline(all, parameters.horizonDays);
  for (let i = 0; i < calibrated.length; i += INSERT_CHUNK) {
    const stored = calibrated
      .slice(i, i + INSERT_CHUNK)
      .map((r, k) => ({ ...owners[i + k]!, ...r, calibrated: r.calibrated ?? false }));
    await withTenantDb(database.db, tenant, (tx) =>
      tx.execute(sql`
        insert into backtest_rows (run_id, item_id, location_id, as_of, position, lead_time_days, model, family, grain, forecast,
                                   p_before_receipt, p_within_horizon, p_within_horizon_raw, calibrated, alert_raised, outcome,
                                   months_of_stock, errors)
        select ${runId}, x.item_id, x.location_id, "asOf", position, "leadTimeDays", model, family, grain, coalesce(forecast, '[]'),
               "pBeforeReceipt", "pWithinHorizon", "pWithinHorizonRaw", calibrated, "alertRaised", outcome, "monthsOfStock", errors
          from jsonb_to_recordset(${JSON.stringify(stored)}::jsonb) as x(${ROW_COLUMNS})`),
    );
  }
  const summary: BacktestSummary = { ...summariseBacktest(calibrated, parameters), itemLocations };
  const calibration = calibrationFrom(all, parameters);
  await withTenantDb(database.db, tenant, async (tx) => {
    await tx.execute(
      sql`update backtest_runs set status = 'succeeded', summary = ${JSON.stringify(summary)}::jsonb, finished_at = now() where id = ${runId}`,
    );
    // Enough outcomes: the engine now maps its P(stockout within N days) through this
    // organisation's own record (worker/src/engine/load-calibration.ts), and says so.
    if (calibration)
      await tx.execute(sql`
        insert into stockout_calibrations (backtest_run_id, horizon_days, method, calibration, scored_rows, positives)
        values (${runId}, ${parameters.horizonDays}, ${calibration.method}, ${JSON.stringify(calibration)}::jsonb,
                ${calibration.rows}, ${calibration.positives})`);
  });
  return summary;
}

/** Marks a run failed with the reason (after the job's last attempt). */
export async function failBacktest(database: Database, tenantId: string, runId: string, reason: string) {
  await withTenantDb(database.db, { organizationId: tenantId }, (tx) =>
    tx.execute(
      sql`update backtest_runs set status = 'failed', error = ${reason.slice(0, 500)}, finished_at = now() where id = ${runId} and status <> 'succeeded'`,
    ),
  );
}

/**
 * A calibration map fitted to the run's scored rows (stock on hand at the as-of date, outcome
 * known): the raw P(stockout within the horizon) against whether a new stock-out followed. Null
 * below the minimum evidence (core MIN_CALIBRATION_ROWS / MIN_CALIBRATION_POSITIVES).
 */
function calibrationFrom(rows: readonly BacktestRow[], parameters: BacktestParameters) {
  return fitCalibration(
    // On the model's raw probabilities: the live engine maps its raw output through this.
    scoredRows(rows).map((r) => ({ p: r.pWithinHorizon!, outcome: r.outcome === 'new_stockout' })),
    { fittedOn: { from: parameters.from, to: parameters.to, horizonDays: parameters.horizonDays } },
  );
}
