import {
  asOfIndices,
  type BacktestRow,
  type BacktestStep,
  backtestSeries,
  DEFAULT_ENGINE_SETTINGS,
  riskClassOf,
  selectingForecaster,
  summariseBacktest,
} from '@medstock/core';
import { type Database, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { allItemLocations, loadEngineInputs } from '../engine/load-inputs.ts';
import { currentRuleSet, todayUtc } from '../engine/recalculate.ts';

const DAY = 86_400_000;
const HORIZON = 28;

/**
 * Replays the engine over a past period for every item-location and stores one row per
 * item-location and as-of date, plus the summary (alert precision and recall for stockouts,
 * forecast MASE and RMSSE). Only demand known before each as-of date is used; lead times use
 * the current estimate (stated in the summary).
 */
export async function runBacktest(
  database: Database,
  tenantId: string,
  runId: string,
  onProgress?: (done: number, total: number) => Promise<void> | void,
) {
  const tenant = { organizationId: tenantId };
  const run = await withTenantDb(database.db, tenant, async (tx) => {
    const r = await tx.execute<{ from_date: string; to_date: string; step: BacktestStep }>(
      sql`update backtest_runs set status = 'running' where id = ${runId} returning to_char(from_date, 'YYYY-MM-DD') as from_date, to_char(to_date, 'YYYY-MM-DD') as to_date, step`,
    );
    // A retried job starts the rows over: the run is replaced, never duplicated.
    await tx.execute(sql`delete from backtest_rows where run_id = ${runId}`);
    return r.rows[0];
  });
  if (!run) throw new Error(`backtest run ${runId} not found`);
  const today = todayUtc();
  const historyDays =
    Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${run.from_date}T00:00:00Z`)) / DAY) + 730;
  const keys = await withTenantDb(database.db, tenant, (tx) => allItemLocations(tx));
  const all: BacktestRow[] = [];
  for (let i = 0; i < keys.length; i += 200) {
    const batch = keys.slice(i, i + 200);
    await withTenantDb(database.db, tenant, async (tx) => {
      const rules = await currentRuleSet(tx);
      const inputs = await loadEngineInputs(tx, batch, today, HORIZON, historyDays);
      for (const input of inputs) {
        const lt = input.leadTimes.observedDays.length
          ? input.leadTimes.observedDays.reduce((a, b) => a + b, 0) / input.leadTimes.observedDays.length
          : input.leadTimes.nominalDays;
        const rows = backtestSeries(
          {
            history: input.history,
            balance: input.balance,
            startDate: input.historyStartDate,
            leadTimeDays: lt,
            leadTimeSdDays: lt * 0.25,
            serviceLevel:
              rules.serviceLevels[riskClassOf(input.item.abc, input.item.ved)] ??
              DEFAULT_ENGINE_SETTINGS.serviceLevel,
            maxProbability: rules.stockoutRisk.maxProbability[input.item.ved],
          },
          asOfIndices(input.historyStartDate, run.from_date, run.to_date, run.step),
          selectingForecaster,
          HORIZON,
        );
        if (rows.length === 0) continue;
        all.push(...rows);
        const json = rows.map((r) => ({
          ...r,
          item_id: input.item.id,
          location_id: input.location.id,
          stockoutProbability: Number.isFinite(r.stockoutProbability) ? r.stockoutProbability : 0,
        }));
        await tx.execute(sql`
          insert into backtest_rows (run_id, item_id, location_id, as_of, model, forecast_mean, actual_mean, stockout_probability, alert_raised, stockout_happened)
          select ${runId}, item_id, location_id, "asOf"::date, model, "forecastMean", "actualMean", "stockoutProbability", "alertRaised", "stockoutHappened"
            from jsonb_to_recordset(${JSON.stringify(json)}::jsonb) as x(item_id uuid, location_id uuid, "asOf" text, model text, "forecastMean" numeric,
                 "actualMean" numeric, "stockoutProbability" numeric, "alertRaised" boolean, "stockoutHappened" boolean)`);
      }
    });
    await onProgress?.(Math.min(i + 200, keys.length), keys.length);
  }
  const summary = {
    ...summariseBacktest(all),
    itemLocations: keys.length,
    horizonDays: HORIZON,
    note: 'lead time: current estimate per supplier and item',
  };
  await withTenantDb(database.db, tenant, (tx) =>
    tx.execute(
      sql`update backtest_runs set status = 'succeeded', summary = ${JSON.stringify(summary)}::jsonb, finished_at = now() where id = ${runId}`,
    ),
  );
  return summary;
}
