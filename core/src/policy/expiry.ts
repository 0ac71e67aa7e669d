import { daysBetween } from '../forecast/dates.ts';
import { type Explained, fmt } from './explain.ts';

export interface Lot {
  readonly lot: string;
  readonly qty: number;
  /** Days from today until the lot expires, or an ISO date (then `asOf` is required). */
  readonly expiry: number | string;
  readonly unitCost: number;
}

export interface LotExpiryRisk {
  readonly lot: string;
  readonly qty: number;
  readonly unitCost: number;
  /** Days from today to expiry (negative = already expired). */
  readonly expiryDay: number;
  /** Day on which FEFO consumption of this lot starts and (if used up) ends. */
  readonly startDay: number;
  readonly endDay: number;
  readonly consumed: number;
  /** Quantity still on the shelf when the lot expires. */
  readonly qtyAtRisk: number;
  readonly valueAtRisk: number;
  readonly explanation: string;
}

/** value = total value at risk; qtyAtRisk = total quantity at risk. */
export interface ExpiryRiskResult
  extends Explained<{ dailyRate: number; asOf: string | null; lots: number }> {
  readonly lots: LotExpiryRisk[];
  readonly qtyAtRisk: number;
}

/**
 * FEFO expiry risk. Lots are consumed one after another in expiry order at the forecast daily
 * rate; a lot is usable up to (not including) its expiry day, so a lot expiring in e days can give
 * at most rate·e units counted from today. When a lot expires with stock left, the next lot starts
 * on that day. What is left at expiry is the quantity and value at risk — the number that tells
 * a storekeeper to transfer a lot to a busier ward now rather than write it off later.
 */
export function expiryRisk(
  lots: readonly Lot[],
  dailyRate: number,
  options: { asOf?: string } = {},
): ExpiryRiskResult {
  const rate = Math.max(0, dailyRate);
  const withDay = lots.map((l, i) => {
    let day: number;
    if (typeof l.expiry === 'number') day = l.expiry;
    else {
      if (!options.asOf) throw new RangeError(`lot ${l.lot}: ISO expiry needs options.asOf`);
      day = daysBetween(options.asOf, l.expiry);
    }
    return { ...l, expiryDay: day, order: i };
  });
  withDay.sort((a, b) => a.expiryDay - b.expiryDay || a.order - b.order);
  let t = 0;
  const out: LotExpiryRisk[] = [];
  for (const l of withDay) {
    const start = t;
    const window = Math.max(0, l.expiryDay - start);
    const usable = rate * window;
    const consumed = Math.min(l.qty, usable);
    const left = l.qty - consumed;
    // Used up before expiry: the next lot starts when this one runs out; otherwise at its expiry.
    const end = left > 0 ? Math.max(start, l.expiryDay) : start + (rate > 0 ? consumed / rate : 0);
    t = end;
    out.push({
      lot: l.lot,
      qty: l.qty,
      unitCost: l.unitCost,
      expiryDay: l.expiryDay,
      startDay: start,
      endDay: end,
      consumed,
      qtyAtRisk: left,
      valueAtRisk: left * l.unitCost,
      explanation: `lot ${l.lot}: from day ${fmt(start, 1)} to expiry day ${fmt(l.expiryDay, 0)} uses min(${fmt(l.qty)}, ${fmt(rate)}·${fmt(window, 1)}) = ${fmt(consumed)}; at risk ${fmt(left)} × ${fmt(l.unitCost)} = ${fmt(left * l.unitCost)}`,
    });
  }
  const qtyAtRisk = out.reduce((s, l) => s + l.qtyAtRisk, 0);
  const value = out.reduce((s, l) => s + l.valueAtRisk, 0);
  return {
    value,
    formula: 'at risk per lot = qty − min(qty, d̄·(expiry − start)), lots consumed FEFO',
    substituted: `${out.map((l) => `${l.lot} ${fmt(l.qtyAtRisk)}×${fmt(l.unitCost)}`).join(', ')} → value at risk ${fmt(value)}`,
    inputs: { dailyRate: rate, asOf: options.asOf ?? null, lots: lots.length },
    lots: out,
    qtyAtRisk,
  };
}
