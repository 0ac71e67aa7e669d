import { addDays } from '../dates/calendar-dates.ts';
import type { Period } from './periods.ts';

/**
 * One item at one location as the ledger tells it, for the stock KPIs. Quantities are base
 * units; imported history (which never changed on-hand) is left out of `opening` and `net`.
 */
export interface ItemLocationLedger {
  /** Cost of one base unit (the item's catalogue cost, as in the stock valuation). */
  unitCost: number;
  /** On-hand at the start of the first period: the sum of real movements before it. */
  opening: number;
  /** The first day with a real movement (usually the first receipt); null when none. */
  firstDay: string | null;
  /** Net change of on-hand per day inside the periods (day → signed base units). */
  net: ReadonlyMap<string, number>;
  /** Days with demand (issues or transfers out, imported history included), sorted ascending. */
  demandDays: readonly string[];
  /** Units consumed (issued) per day inside the periods. */
  issued: ReadonlyMap<string, number>;
  /** Units written off per day inside the periods. */
  writtenOff: ReadonlyMap<string, number>;
}

/** Sums over item-locations for one period; ratios are taken from them by `summariseLedgerPeriod`. */
export interface LedgerPeriodTotals {
  days: number;
  /** Item-location-days counted for the stockout rate (active item-locations only). */
  itemLocationDays: number;
  /** Of those, days that ended with nothing on hand. */
  stockoutDays: number;
  /** Σ over days of the end-of-day inventory value (÷ days = average inventory value). */
  valueDaySum: number;
  /** Inventory value at the end of the period's last day. */
  endValue: number;
  /** Value of the units issued (consumed) in the period. */
  consumptionValue: number;
  writeOffValue: number;
  writeOffQuantity: number;
}

/** How far back demand makes an item-location count as "in use" for the stockout rate. */
export const ACTIVITY_WINDOW_DAYS = 90;

const emptyTotals = (days: number): LedgerPeriodTotals => ({
  days,
  itemLocationDays: 0,
  stockoutDays: 0,
  valueDaySum: 0,
  endValue: 0,
  consumptionValue: 0,
  writeOffValue: 0,
  writeOffQuantity: 0,
});

function hasDemandBetween(days: readonly string[], from: string, toExclusive: string): boolean {
  // Few demand days per item-location and period: a linear scan from a binary-searched start.
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < days.length && days[lo]! < toExclusive;
}

/**
 * Replays each item-location's ledger day by day over the periods, giving per period:
 *  - stockout rate inputs: among item-locations with demand in the period or the 90 days
 *    before it (items in use), the days since their first real movement, and how many of
 *    those ended with zero on hand;
 *  - inventory value: end-of-day on-hand × unit cost, summed (for the average) and at the end;
 *  - consumption and write-off value.
 * Pure and linear in item-locations × days.
 */
export function ledgerKpis(
  ledgers: Iterable<ItemLocationLedger>,
  periods: readonly Period[],
  activityWindowDays = ACTIVITY_WINDOW_DAYS,
): LedgerPeriodTotals[] {
  const totals = periods.map((p) => emptyTotals(p.days));
  // The day strings of each period, built once (not per item-location).
  const periodDays = periods.map((p) => Array.from({ length: p.days }, (_, i) => addDays(p.start, i)));
  const windowStarts = periods.map((p) => addDays(p.start, -activityWindowDays));
  for (const l of ledgers) {
    let balance = l.opening;
    for (let pi = 0; pi < periods.length; pi++) {
      const p = periods[pi]!;
      const t = totals[pi]!;
      const active =
        l.firstDay !== null && l.firstDay < p.end && hasDemandBetween(l.demandDays, windowStarts[pi]!, p.end);
      for (const d of periodDays[pi]!) {
        balance += l.net.get(d) ?? 0;
        t.valueDaySum += Math.max(0, balance) * l.unitCost;
        if (active && d >= l.firstDay!) {
          t.itemLocationDays++;
          if (balance <= 0) t.stockoutDays++;
        }
        const issued = l.issued.get(d);
        if (issued) t.consumptionValue += issued * l.unitCost;
        const w = l.writtenOff.get(d);
        if (w) {
          t.writeOffQuantity += w;
          t.writeOffValue += w * l.unitCost;
        }
      }
      t.endValue += Math.max(0, balance) * l.unitCost;
    }
  }
  return totals;
}

/** Adds period totals of several scopes (sites) into one (the organisation). */
export function addLedgerTotals(
  a: readonly LedgerPeriodTotals[],
  b: readonly LedgerPeriodTotals[],
): LedgerPeriodTotals[] {
  return a.map((x, i) => {
    const y = b[i]!;
    return {
      days: x.days,
      itemLocationDays: x.itemLocationDays + y.itemLocationDays,
      stockoutDays: x.stockoutDays + y.stockoutDays,
      valueDaySum: x.valueDaySum + y.valueDaySum,
      endValue: x.endValue + y.endValue,
      consumptionValue: x.consumptionValue + y.consumptionValue,
      writeOffValue: x.writeOffValue + y.writeOffValue,
      writeOffQuantity: x.writeOffQuantity + y.writeOffQuantity,
    };
  });
}

export interface LedgerPeriodKpis {
  /** stockoutDays ÷ itemLocationDays; null when no item-location was in use. */
  stockoutRate: number | null;
  averageInventoryValue: number;
  /** Average inventory value ÷ daily consumption value; null when nothing was consumed. */
  turnoverDays: number | null;
}

export function summariseLedgerPeriod(t: LedgerPeriodTotals): LedgerPeriodKpis {
  const averageInventoryValue = t.days > 0 ? t.valueDaySum / t.days : 0;
  const dailyConsumption = t.days > 0 ? t.consumptionValue / t.days : 0;
  return {
    stockoutRate: t.itemLocationDays > 0 ? t.stockoutDays / t.itemLocationDays : null,
    averageInventoryValue,
    turnoverDays: dailyConsumption > 0 ? averageInventoryValue / dailyConsumption : null,
  };
}
