import type { DemandOutlook, DemandTotal } from '../forecast/outlook-types.ts';
import { normalInv } from '../stats/normal.ts';
import { fmt, pct } from './explain.ts';

/**
 * Stockout probability over named horizons (issue 9 §3), from on-hand, in-transit quantities arriving
 * at their expected days, and the demand outlook.
 *
 * "Within N days": a stockout happens when, at some moment t < N, the demand since the as-of date
 * uses up the on-hand plus what has arrived by then (the stock reaches zero — a day at zero is a
 * stock-out day in a monthly report, and the backtest's outcome is "the balance reaches ≤ 0").
 * Between two arrivals the shortfall only grows, so it is enough to check just before each arrival
 * and at N:
 *   P(stockout by N) = P(∃k: D[0, t_k) ≥ S_k),  t_k ∈ {arrival days < N} ∪ {N},
 *   S_k = on-hand + arrivals before t_k.
 * Without an arrival inside the window that is exactly 1 − F_{D[0,N)}(on-hand − 1) for whole units. With arrivals it is
 * computed by stepping the distribution of cumulative demand (given no stockout yet) through the
 * windows between checkpoints, their demands taken as independent, and it is never below the largest
 * single-checkpoint probability (which the outlook's own window distributions give exactly).
 *
 * "Before the next possible receipt": an order placed now arrives after the lead time L, so
 * P = E_L[P(stockout by L)], L lognormal with the lead time's mean and sd (16 equal-probability strata).
 *
 * When the outlook reports `unreportedDays` (consumed since the last posted report, not yet off the
 * ledger's on-hand), every cumulative window starts that many days before the as-of date.
 *
 * The value is exactly 1 when on-hand plus arrivals already due is ≤ 0 (the item is out) and null when
 * on-hand is unknown or the outlook cannot give a distribution — never 0 for "unknown".
 */

/** An in-transit quantity expected `day` days after the as-of date (≤ 0: due now, counts as on hand). */
export interface InTransitArrival {
  readonly day: number;
  readonly qty: number;
}

export interface LeadTimeDays {
  readonly meanDays: number;
  readonly sdDays: number;
}

/** A monotone map from raw to calibrated probability (see core/src/calibration). */
export interface ProbabilityRecalibration {
  apply(p: number): number;
  /** e.g. 'isotonic, 1 240 backtest rows'. */
  readonly label: { readonly zh: string; readonly en: string };
}

export interface StockoutRiskInput {
  /** On-hand in base units; null when the ledger does not know it. */
  readonly onHand: number | null;
  readonly inTransit?: readonly InTransitArrival[];
  /** null when no forecast could be made. */
  readonly outlook: DemandOutlook | null;
  readonly leadTime: LeadTimeDays;
  /** N of "within N days"; default 30. */
  readonly horizonDays?: number;
  /** Optional recalibration of each horizon's probability (fitted on the organisation's backtest). */
  readonly recalibration?: {
    readonly beforeReceipt?: ProbabilityRecalibration | null;
    readonly withinDays?: ProbabilityRecalibration | null;
  };
}

export type StockoutHorizon = 'before_receipt' | 'within_days';

export interface StockoutRiskValue {
  readonly horizon: StockoutHorizon;
  /** N for 'within_days'; the mean lead time for 'before_receipt'. */
  readonly days: number;
  readonly value: number | null;
  /** The raw model probability before recalibration (equal to value when none was applied). */
  readonly raw: number | null;
  readonly recalibrated: boolean;
  /** Why the value is what it is: 'computed', 'already_out', 'unknown_on_hand', 'no_outlook'. */
  readonly basis: 'computed' | 'already_out' | 'unknown_on_hand' | 'no_outlook';
  readonly formula: { readonly zh: string; readonly en: string };
  readonly substituted: { readonly zh: string; readonly en: string };
  readonly inputs: {
    readonly onHand: number | null;
    readonly arrivals: readonly InTransitArrival[];
    readonly leadTimeMeanDays: number;
    readonly leadTimeSdDays: number;
    /** Demand distribution over the window [0, days). */
    readonly demand: string | null;
    readonly demandMean: number | null;
  };
}

export interface StockoutRisk {
  readonly beforeReceipt: StockoutRiskValue;
  readonly withinDays: StockoutRiskValue;
}

export const DEFAULT_STOCKOUT_HORIZON_DAYS = 30;
/** Lead-time strata for E_L[·]; equal-probability midpoints of a lognormal. */
const LEAD_TIME_STRATA = 16;
/** Largest number of grid cells for cumulative demand in the stepped computation. */
const MAX_GRID = 400;
/** Stock is used up when demand reaches it: P(D ≥ S) = 1 − F(S − ε). */
const REACH_EPS = 1e-9;

const FORMULA_WITHIN = {
  en: 'P(stockout within N days) = P(D[0,t) ≥ on hand + arrivals before t, for some t ≤ N)',
  zh: 'N天内缺货概率 = P(存在 t ≤ N，使 D[0,t) ≥ 在库 + t 之前到货量)',
};
const FORMULA_BEFORE = {
  en: 'P(stockout before the next receipt) = E_L[P(D[0,t) ≥ on hand + arrivals before t, for some t ≤ L)], L ~ lead time',
  zh: '下次到货前缺货概率 = E_L[P(存在 t ≤ L，使 D[0,t) ≥ 在库 + t 之前到货量)]，L 为交期',
};

export function stockoutRisk(input: StockoutRiskInput): StockoutRisk {
  const N = input.horizonDays ?? DEFAULT_STOCKOUT_HORIZON_DAYS;
  if (!(N > 0)) throw new RangeError(`horizonDays must be > 0, got ${N}`);
  const L = {
    meanDays: Math.max(0, input.leadTime.meanDays),
    sdDays: Math.max(0, input.leadTime.sdDays || 0),
  };
  const arrivals = [...(input.inTransit ?? [])]
    .filter((a) => Number.isFinite(a.day) && Number.isFinite(a.qty) && a.qty !== 0)
    .sort((a, b) => a.day - b.day);
  const base = { onHand: input.onHand, arrivals, leadTimeMeanDays: L.meanDays, leadTimeSdDays: L.sdDays };

  const make = (
    horizon: StockoutHorizon,
    days: number,
    raw: number | null,
    basis: StockoutRiskValue['basis'],
    demand: DemandTotal | null,
    recal: ProbabilityRecalibration | null | undefined,
  ): StockoutRiskValue => {
    // Already out stays 1 and unknown stays null: recalibration only moves computed probabilities.
    const useRecal = basis === 'computed' && raw !== null && recal != null;
    const value = useRecal ? clamp01(recal.apply(raw)) : raw;
    const formula = horizon === 'within_days' ? FORMULA_WITHIN : FORMULA_BEFORE;
    return {
      horizon,
      days,
      value,
      raw,
      recalibrated: useRecal,
      basis,
      formula,
      substituted: substitute(
        horizon,
        days,
        value,
        raw,
        basis,
        input.onHand,
        arrivals,
        L,
        demand,
        useRecal ? recal : null,
      ),
      inputs: { ...base, demand: demand?.label ?? null, demandMean: demand?.mean ?? null },
    };
  };

  const recal = input.recalibration ?? {};
  if (input.onHand === null || !Number.isFinite(input.onHand)) {
    return {
      beforeReceipt: make('before_receipt', L.meanDays, null, 'unknown_on_hand', null, null),
      withinDays: make('within_days', N, null, 'unknown_on_hand', null, null),
    };
  }
  const due = arrivals.filter((a) => a.day <= 0).reduce((s, a) => s + a.qty, 0);
  const stock0 = input.onHand + due;
  const future = arrivals.filter((a) => a.day > 0);
  if (stock0 <= 0) {
    return {
      beforeReceipt: make('before_receipt', L.meanDays, 1, 'already_out', null, null),
      withinDays: make('within_days', N, 1, 'already_out', null, null),
    };
  }
  const outlook = input.outlook;
  const pBy = (T: number) => (outlook ? probabilityBy(outlook, stock0, future, T) : null);
  let within: number | null = null;
  let before: number | null = null;
  let demandN: DemandTotal | null = null;
  let demandL: DemandTotal | null = null;
  try {
    within = pBy(N);
    const u = Math.max(0, outlook?.unreportedDays ?? 0);
    demandN = outlook ? outlook.total(-u, N) : null;
    if (outlook) {
      const strata = leadTimeStrata(L.meanDays, L.sdDays);
      let s = 0;
      for (const t of strata) {
        const p = pBy(t);
        if (p === null) throw new Error('no probability');
        s += p;
      }
      before = s / strata.length;
      demandL = outlook.total(-u, Math.max(L.meanDays, 1e-9));
    }
  } catch {
    within = null;
    before = null;
  }
  if (within === null || !Number.isFinite(within) || before === null || !Number.isFinite(before)) {
    return {
      beforeReceipt: make('before_receipt', L.meanDays, null, 'no_outlook', null, null),
      withinDays: make('within_days', N, null, 'no_outlook', null, null),
    };
  }
  return {
    beforeReceipt: make(
      'before_receipt',
      L.meanDays,
      clamp01(before),
      'computed',
      demandL,
      recal.beforeReceipt,
    ),
    withinDays: make('within_days', N, clamp01(within), 'computed', demandN, recal.withinDays),
  };
}

/**
 * P(stockout by T) given stock0 > 0 now and future arrivals (day > 0), sorted by day.
 * Throws when the outlook returns a non-finite distribution.
 */
export function probabilityBy(
  outlook: DemandOutlook,
  stock0: number,
  arrivals: readonly InTransitArrival[],
  T: number,
): number {
  if (!(T > 0)) return 0;
  // Checkpoints: just before each arrival inside (0, T), and T itself.
  const cps: { t: number; stock: number }[] = [];
  let stock = stock0;
  for (const a of arrivals) {
    if (a.day >= T) break;
    cps.push({ t: a.day, stock });
    stock += a.qty;
  }
  cps.push({ t: T, stock });
  // Each single checkpoint's probability is exact from the outlook's own window distribution.
  let marginalMax = 0;
  // Consumption since the last posted report (monthly reports mid-month) is not yet off the ledger's
  // on-hand: every cumulative window then starts that many days before the as-of date.
  const u = Math.max(0, outlook.unreportedDays ?? 0);
  for (const c of cps) {
    const d = outlook.total(-u, c.t);
    const p = exceed(d, c.stock);
    if (!Number.isFinite(p)) throw new Error('outlook distribution not finite');
    marginalMax = Math.max(marginalMax, p);
  }
  if (cps.length === 1 || marginalMax >= 1) return clamp01(marginalMax);
  // Stepped: f[j] = P(no stockout yet, cumulative demand in cell j), cell j = (j−1)w < D ≤ j·w.
  const top = Math.max(...cps.map((c) => c.stock));
  if (!(top > 0)) return 1;
  const w = Math.max(1, top / MAX_GRID);
  let f = [1];
  let prev = 0;
  for (const c of cps) {
    if (c.stock <= 0) return 1;
    const inc = outlook.total(prev === 0 ? -u : prev, c.t);
    // Survival needs D < stock: cells j with j·w < stock.
    const cells = Math.ceil(c.stock / w - REACH_EPS) - 1;
    if (cells < 0) return 1;
    const g: number[] = [];
    let last = 0;
    for (let m = 0; m <= cells; m++) {
      const F = clamp01(inc.cdf(m * w));
      if (!Number.isFinite(F)) throw new Error('outlook distribution not finite');
      g.push(Math.max(0, F - last));
      last = Math.max(last, F);
    }
    const next = new Array<number>(cells + 1).fill(0);
    for (let j = 0; j < f.length && j <= cells; j++) {
      const fj = f[j]!;
      if (fj === 0) continue;
      for (let m = 0; j + m <= cells; m++) next[j + m]! += fj * g[m]!;
    }
    f = next;
    prev = c.t;
  }
  const survive = f.reduce((s, x) => s + x, 0);
  return clamp01(Math.max(marginalMax, 1 - survive));
}

/** P(D ≥ stock): demand uses up the stock (discrete cdfs floor their argument, so this is 1 − F(stock − 1) for whole units). */
function exceed(d: DemandTotal, stock: number): number {
  if (stock <= 0) return 1;
  return 1 - clamp01(d.cdf(stock - REACH_EPS));
}

/** Equal-probability strata midpoints of a lognormal with the given mean and sd (sd 0: the mean). */
export function leadTimeStrata(meanDays: number, sdDays: number, k = LEAD_TIME_STRATA): number[] {
  if (!(meanDays > 0)) return [0];
  if (!(sdDays > 0)) return [meanDays];
  const s2 = Math.log(1 + (sdDays * sdDays) / (meanDays * meanDays));
  const mu = Math.log(meanDays) - s2 / 2;
  const s = Math.sqrt(s2);
  return Array.from({ length: k }, (_, i) => Math.exp(mu + s * normalInv((i + 0.5) / k)));
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

function substitute(
  horizon: StockoutHorizon,
  days: number,
  value: number | null,
  raw: number | null,
  basis: StockoutRiskValue['basis'],
  onHand: number | null,
  arrivals: readonly InTransitArrival[],
  L: LeadTimeDays,
  demand: DemandTotal | null,
  recal: ProbabilityRecalibration | null,
): { zh: string; en: string } {
  const nameEn =
    horizon === 'within_days'
      ? `P(stockout within ${fmt(days, 0)} days)`
      : 'P(stockout before the next receipt)';
  const nameZh = horizon === 'within_days' ? `${fmt(days, 0)}天内缺货概率` : '下次到货前缺货概率';
  if (basis === 'unknown_on_hand')
    return { en: `${nameEn} unknown: on-hand not known`, zh: `${nameZh}未知：在库数量未知` };
  if (basis === 'no_outlook')
    return { en: `${nameEn} unknown: no demand forecast`, zh: `${nameZh}未知：无法预测需求` };
  if (basis === 'already_out')
    return {
      en: `${nameEn} = 100%: on hand ${fmt(onHand ?? 0, 0)} plus due arrivals ≤ 0, already out`,
      zh: `${nameZh} = 100%：在库 ${fmt(onHand ?? 0, 0)} 加已到期到货 ≤ 0，已缺货`,
    };
  const fut = arrivals.filter((a) => a.day > 0);
  const arrEn = fut.length
    ? `, arriving ${fut.map((a) => `${fmt(a.qty, 0)} on day ${fmt(a.day, 0)}`).join(', ')}`
    : ', nothing in transit';
  const arrZh = fut.length
    ? `，在途 ${fut.map((a) => `第${fmt(a.day, 0)}天到 ${fmt(a.qty, 0)}`).join('、')}`
    : '，无在途';
  const ltEn =
    horizon === 'before_receipt' ? `, lead time ${fmt(L.meanDays, 1)} ± ${fmt(L.sdDays, 1)} days` : '';
  const ltZh = horizon === 'before_receipt' ? `，交期 ${fmt(L.meanDays, 1)} ± ${fmt(L.sdDays, 1)} 天` : '';
  const dEn = demand ? `, demand over ${fmt(days, 0)} days ${demand.label}` : '';
  const dZh = demand ? `，${fmt(days, 0)}天需求 ${demand.label}` : '';
  const rEn = recal && raw !== null ? ` (model ${pct(raw)}, recalibrated: ${recal.label.en})` : '';
  const rZh = recal && raw !== null ? `（模型 ${pct(raw)}，按本机构回测校准：${recal.label.zh}）` : '';
  return {
    en: `${nameEn} = ${pct(value ?? Number.NaN)}${rEn}: on hand ${fmt(onHand ?? 0, 0)}${arrEn}${ltEn}${dEn}`,
    zh: `${nameZh} = ${pct(value ?? Number.NaN)}${rZh}：在库 ${fmt(onHand ?? 0, 0)}${arrZh}${ltZh}${dZh}`,
  };
}
