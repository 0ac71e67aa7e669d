import type {
  BacktestOutcome,
  BacktestParameters,
  BacktestRow,
  BacktestStep,
  BacktestSummary,
  ForecastErrors,
} from '@medstock/core';
import { summariseBacktest } from '@medstock/core';
import type { Tx } from '@medstock/db';
import { type SQL, sql } from 'drizzle-orm';
import type { AuthContext } from '../../plugins/access.ts';

export type LeadTimeMode = 'recorded' | 'fixed' | 'current_terms';

export type RunRecord = {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  format: number;
  from_date: string;
  to_date: string;
  step: BacktestStep;
  horizon_days: number;
  horizon_periods: number | null;
  lead_time_mode: LeadTimeMode;
  lead_time_days: number | null;
  summary: Record<string, unknown> | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
};

export const RUN_SELECT = sql`select id, status, format, to_char(from_date, 'YYYY-MM-DD') as from_date, to_char(to_date, 'YYYY-MM-DD') as to_date, step,
  horizon_days, horizon_periods, lead_time_mode, lead_time_days, summary, error, created_at, finished_at from backtest_runs`;

/** The parameters a format-2 run was made with (what the worker and summariseBacktest read). */
export function parametersOf(r: RunRecord): BacktestParameters {
  return {
    from: r.from_date,
    to: r.to_date,
    step: r.step,
    horizonDays: r.horizon_days,
    leadTime:
      r.lead_time_mode === 'fixed' ? { mode: 'fixed', days: r.lead_time_days ?? 0 } : { mode: 'recorded' },
  };
}

export type ScopedRun = RunRecord & {
  scope: 'organization' | 'your sites';
};

/** Rows of locations at the caller's sites; nothing to add for an all-sites caller. */
export function visibleRows(auth: AuthContext, alias = 'b'): SQL {
  return auth.siteIds === null
    ? sql``
    : sql`and ${sql.raw(alias)}.location_id in (select id from locations where site_id = any(${sql.param([...auth.siteIds])}::uuid[]))`;
}

/** What the database keeps of a row, as the contract's BacktestRow (plus the keys). */
export type StoredRow = {
  item_id: string;
  location_id: string;
  as_of: string;
  position: string | null;
  lead_time_days: string | null;
  model: string;
  family: string | null;
  grain: string | null;
  forecast: BacktestRow['forecast'];
  p_before_receipt: string | null;
  p_within_horizon: string | null;
  p_within_horizon_raw: string | null;
  calibrated: boolean;
  alert_raised: boolean;
  outcome: BacktestOutcome;
  months_of_stock: string | null;
  errors: { engine: ForecastErrors; naive: ForecastErrors; mean3: ForecastErrors } | null;
};

export const STORED_COLUMNS = sql`b.item_id, b.location_id, to_char(b.as_of, 'YYYY-MM-DD') as as_of, b.position::text, b.lead_time_days::text,
  b.model, b.family, b.grain, b.forecast, b.p_before_receipt::text, b.p_within_horizon::text, b.p_within_horizon_raw::text, b.calibrated, b.alert_raised, b.outcome,
  b.months_of_stock::text, b.errors`;

const num = (v: string | null) => (v === null ? null : Number(v));
const NO_ERRORS: ForecastErrors = { mase: null, rmsse: null, pinball: null };

export function contractRow(r: StoredRow): BacktestRow {
  return {
    asOf: r.as_of,
    position: num(r.position),
    leadTimeDays: num(r.lead_time_days) ?? 0,
    model: r.model,
    family: r.family ?? '',
    grain: r.grain ?? '',
    forecast: r.forecast,
    pBeforeReceipt: num(r.p_before_receipt),
    pWithinHorizon: num(r.p_within_horizon),
    pWithinHorizonRaw: num(r.p_within_horizon_raw),
    calibrated: r.calibrated,
    alertRaised: r.alert_raised,
    outcome: r.outcome,
    monthsOfStock: num(r.months_of_stock),
    errors: r.errors ?? { engine: NO_ERRORS, naive: NO_ERRORS, mean3: NO_ERRORS },
  };
}

/**
 * A site-limited caller's view of finished runs: the stored summary scores every site, so theirs
 * is scored again, by the same function, from the rows of their sites' locations. A format-1
 * run's old summary cannot be recounted: they get none.
 */
export async function scopeRuns(tx: Tx, auth: AuthContext, runs: RunRecord[]): Promise<ScopedRun[]> {
  if (auth.siteIds === null) return runs.map((r) => ({ ...r, scope: 'organization' }));
  const out: ScopedRun[] = [];
  for (const r of runs) {
    if (r.summary === null) {
      out.push({ ...r, scope: 'your sites' });
      continue;
    }
    if (r.format === 1) {
      out.push({ ...r, summary: null, scope: 'your sites' });
      continue;
    }
    const rows = await tx.execute<StoredRow>(
      sql`select ${STORED_COLUMNS} from backtest_rows b where b.run_id = ${r.id} ${visibleRows(auth)}`,
    );
    const itemLocations = new Set(rows.rows.map((x) => `${x.item_id}|${x.location_id}`)).size;
    const summary: BacktestSummary = {
      ...summariseBacktest(rows.rows.map(contractRow), parametersOf(r)),
      itemLocations,
    };
    out.push({ ...r, summary: summary as unknown as Record<string, unknown>, scope: 'your sites' });
  }
  return out;
}

/** Number of as-of dates from `from` to `to` inclusive at this step (calendar months for monthly). */
export function asOfCount(from: string, to: string, step: BacktestStep): number {
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  if (b < a) return 0;
  const days = Math.round((b - a) / 86_400_000);
  if (step === 'daily') return days + 1;
  if (step === 'weekly') return Math.floor(days / 7) + 1;
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = to.split('-').map(Number) as [number, number, number];
  return (ty - fy) * 12 + (tm - fm) + (td >= fd ? 1 : 0);
}

/** Days one period of the step stands for: a monthly period is 31 days so its month-end count falls inside. */
export const PERIOD_DAYS: Record<BacktestStep, number> = { daily: 1, weekly: 7, monthly: 31 };
