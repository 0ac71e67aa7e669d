/**
 * Which past balances of an item-location the ledger knows (pure; the engine and the backtest
 * use it). Walking the item-location's rows forward in time, the balance is known from the start
 * when its first row is a receipt or a count (stocktake); otherwise it is unknown until the first
 * stocktake row (a count, its variance rows, or a history baseline); after that it stays known.
 * A known balance is the sum of every row up to that time, history included.
 */

export interface BalanceDay {
  /** Day label (YYYY-MM-DD, in whatever day convention the caller buckets by). */
  day: string;
  /** Sum of quantities of the day's rows. */
  net: number;
  /** The day's first row type (the earliest row), to decide known-from-start. */
  firstType?: string;
  /** The day has a stocktake row (count, variance, baseline). */
  hasCount: boolean;
}

/** Does a row of this type make the balance known from the start when it is the first row? */
export const STARTS_KNOWN = new Set(['receipt', 'stocktake']);

/**
 * End-of-day balances for `days` consecutive day labels (oldest first), null where unknown.
 * `rows` are per-day aggregates in ascending day order (days before the window included: they
 * carry the opening balance and may make it known).
 */
export function balanceSeries(rows: readonly BalanceDay[], days: readonly string[]): (number | null)[] {
  const out: (number | null)[] = Array(days.length).fill(null);
  let balance = 0;
  let known = false;
  let started = false;
  let j = 0;
  for (let i = 0; i < days.length; i++) {
    const d = days[i]!;
    while (j < rows.length && rows[j]!.day <= d) {
      const r = rows[j++]!;
      if (!started) {
        started = true;
        if (r.firstType && STARTS_KNOWN.has(r.firstType)) known = true;
      }
      if (r.hasCount) known = true;
      balance += r.net;
    }
    out[i] = known ? balance : null;
  }
  return out;
}

/** Whether the balance at the end of each row's time is known (row-level form, same rule). */
export function knownAfterEachRow(types: readonly string[]): boolean[] {
  let known = false;
  return types.map((t, i) => {
    if (i === 0 && STARTS_KNOWN.has(t)) known = true;
    if (t === 'stocktake') known = true;
    return known;
  });
}
