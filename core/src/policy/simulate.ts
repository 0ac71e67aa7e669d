import { type PackRules, roundOrderQuantity } from './order-quantity.ts';

export interface InventoryState {
  /** Day index (0-based) at the end of which the review happens. */
  readonly day: number;
  readonly onHand: number;
  /** Ordered, not yet received. */
  readonly inTransit: number;
  /** on-hand + in-transit (− backorders when backordering). */
  readonly position: number;
  /** Demand of days 0..day (inclusive), what the policy has seen so far. */
  readonly history: readonly number[];
}

/** Returns the quantity to order now (≤ 0 = no order). */
export type OrderPolicy = (state: InventoryState) => number;

export interface SimulationOptions {
  /** Days from order to receipt; the receipt is usable from the following morning. */
  readonly leadTimeDays: number | ((day: number) => number);
  readonly initialOnHand: number;
  /** Review every R days (1 = daily). Also the length of a "cycle" for cycle service level. */
  readonly reviewPeriodDays?: number;
  /**
   * true (default): unmet demand is lost (the ward borrows from elsewhere, the patient is
   * substituted) — usual for consumables. false: it is backordered and served on receipt.
   */
  readonly lostSales?: boolean;
  /** Days excluded from the statistics at the start (the initial stock is arbitrary). Default 0. */
  readonly warmupDays?: number;
}

export interface SimulationResult {
  /** Share of demand served from stock on the day it occurred. */
  readonly fillRate: number;
  /** Share of review cycles without any unmet demand. */
  readonly cycleServiceLevel: number;
  /** Mean end-of-day on-hand stock. */
  readonly averageOnHand: number;
  readonly stockoutDays: number;
  readonly totalDemand: number;
  readonly unmetDemand: number;
  readonly orders: number;
  readonly cycles: number;
  readonly days: number;
}

/**
 * Day-by-day inventory simulation: morning receipts, the day's demand, end-of-day review. An
 * order placed at the end of day t with lead time L is usable from day t + L + 1, so an
 * order-up-to level must cover L + R days of demand. Deterministic: same inputs, same result.
 */
export function simulatePolicy(
  demand: readonly number[],
  policy: OrderPolicy,
  options: SimulationOptions,
): SimulationResult {
  const R = Math.max(1, Math.round(options.reviewPeriodDays ?? 1));
  const lost = options.lostSales ?? true;
  const warm = options.warmupDays ?? 0;
  const arrivals = new Map<number, number>();
  let onHand = options.initialOnHand;
  let inTransit = 0;
  let served = 0;
  let unmet = 0;
  let total = 0;
  let invSum = 0;
  let invDays = 0;
  let stockoutDays = 0;
  let orders = 0;
  let cycles = 0;
  let badCycles = 0;
  let cycleShort = false;
  const history: number[] = [];
  for (let day = 0; day < demand.length; day++) {
    const arriving = arrivals.get(day) ?? 0;
    if (arriving > 0) {
      onHand += arriving;
      inTransit -= arriving;
      arrivals.delete(day);
    }
    const d = Math.max(0, demand[day]! || 0);
    const available = Math.max(0, onHand);
    const sv = Math.min(available, d);
    const short = d - sv;
    onHand = lost ? onHand - sv : onHand - d;
    history.push(d);
    if (day >= warm) {
      total += d;
      served += sv;
      unmet += short;
      invSum += Math.max(0, onHand);
      invDays++;
      if (short > 1e-9) {
        stockoutDays++;
        cycleShort = true;
      }
      if ((day - warm + 1) % R === 0 || day === demand.length - 1) {
        cycles++;
        if (cycleShort) badCycles++;
        cycleShort = false;
      }
    }
    if (day % R === R - 1) {
      const q = policy({ day, onHand, inTransit, position: onHand + inTransit, history });
      if (q > 0) {
        const L = Math.max(
          0,
          Math.round(
            typeof options.leadTimeDays === 'function' ? options.leadTimeDays(day) : options.leadTimeDays,
          ),
        );
        const at = day + L + 1;
        arrivals.set(at, (arrivals.get(at) ?? 0) + q);
        inTransit += q;
        orders++;
      }
    }
  }
  return {
    fillRate: total > 0 ? served / total : 1,
    cycleServiceLevel: cycles > 0 ? 1 - badCycles / cycles : 1,
    averageOnHand: invDays > 0 ? invSum / invDays : 0,
    stockoutDays,
    totalDemand: total,
    unmetDemand: unmet,
    orders,
    cycles,
    days: invDays,
  };
}

/** Static min/max: when position ≤ min, order up to max (rounded to packs/MOQ). */
export function minMaxPolicy(min: number, max: number, rules: PackRules = {}): OrderPolicy {
  return (s) => (s.position <= min ? roundOrderQuantity(max - s.position, rules).value : 0);
}

export function simulateMinMax(
  demand: readonly number[],
  params: { min: number; max: number } & Omit<SimulationOptions, 'initialOnHand'> & {
      initialOnHand?: number;
    },
): SimulationResult {
  return simulatePolicy(demand, minMaxPolicy(params.min, params.max), {
    ...params,
    initialOnHand: params.initialOnHand ?? params.max,
  });
}

export interface TuneMinMaxOptions extends Omit<SimulationOptions, 'initialOnHand'> {
  /** Fill rate the static policy must reach. */
  readonly targetFillRate: number;
  /** Gaps max − min to try, in units; default multiples of mean daily demand 0, ½, 1, 2, 3, 5, 7, 10, 14. */
  readonly gaps?: readonly number[];
}

/**
 * The best static min/max for a demand series with hindsight: for each gap, the smallest min that
 * reaches the target fill rate (bisection — fill rate rises with min), keeping the pair with the
 * least average stock. Tuned on the very series it is judged on, so it is a demanding baseline.
 */
export function tuneMinMax(
  demand: readonly number[],
  options: TuneMinMaxOptions,
): { min: number; max: number; result: SimulationResult } | null {
  const mean = demand.reduce((a, b) => a + Math.max(0, b), 0) / Math.max(1, demand.length);
  const gaps = options.gaps ?? [0, 0.5, 1, 2, 3, 5, 7, 10, 14].map((g) => g * mean);
  const L = typeof options.leadTimeDays === 'number' ? options.leadTimeDays : 7;
  const maxDemand = Math.max(0, ...demand);
  let best: { min: number; max: number; result: SimulationResult } | null = null;
  for (const gap of gaps) {
    const run = (min: number) => simulateMinMax(demand, { ...options, min, max: min + gap });
    let lo = 0;
    let hi = Math.max(1, (L + 2) * maxDemand);
    if (run(hi).fillRate < options.targetFillRate) continue;
    for (let i = 0; i < 40 && hi - lo > 1e-3 * Math.max(1, mean); i++) {
      const mid = (lo + hi) / 2;
      if (run(mid).fillRate >= options.targetFillRate) hi = mid;
      else lo = mid;
    }
    const result = run(hi);
    if (!best || result.averageOnHand < best.result.averageOnHand) best = { min: hi, max: hi + gap, result };
  }
  return best;
}

/** Order-up-to policy with a level that may change every review (e.g. from rolling forecasts). */
export function orderUpToPolicy(
  level: (state: InventoryState) => number,
  rules: PackRules = {},
): OrderPolicy {
  return (s) => roundOrderQuantity(level(s) - s.position, rules).value;
}
