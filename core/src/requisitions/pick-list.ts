/**
 * First expiry, first out (FEFO) as a pure function: which lots to take, and how much of each, to
 * cover a quantity from one location's stock. The ledger's own allocation (db first-expiry.ts)
 * and a requisition's pick list both use it, so what the picker is told to take is what an issue
 * without a named lot would take.
 */
export interface PickableLot {
  lotNumber: string;
  /** YYYY-MM-DD; null sorts last (no expiry). */
  expiryDate: string | null;
  onHand: number;
  /** Units of it on hold (quarantine: inspection pending, a recall): never picked for an issue. */
  held?: number;
}

export interface PickOptions {
  /** The organisation's local day (YYYY-MM-DD): a lot is expired from the day after its expiry date. */
  today: string;
  /** Returns and write-offs may take expired and quarantined lots; issues and transfers may not. */
  allowUnusable?: boolean;
  /** Rows are already in expiry order (the ledger reads them so); otherwise they are sorted here. */
  sorted?: boolean;
}

export interface LotPick<L extends PickableLot = PickableLot> {
  lot: L;
  quantity: number;
}

export interface PickResult<L extends PickableLot = PickableLot> {
  picks: LotPick<L>[];
  /** What the usable lots could not cover (0 when covered). */
  shortfall: number;
  /** Units left out because their lot is expired or quarantined. */
  skippedExpired: number;
  skippedQuarantined: number;
}

export const isExpiredOn = (expiryDate: string | null, today: string) =>
  expiryDate !== null && expiryDate < today;

/** Earliest expiry first; a lot without expiry last; ties keep the given order (stable sort). */
export function fefoOrder<L extends PickableLot>(lots: readonly L[]): L[] {
  return [...lots].sort((a, b) =>
    a.expiryDate === b.expiryDate
      ? 0
      : a.expiryDate === null
        ? 1
        : b.expiryDate === null
          ? -1
          : a.expiryDate < b.expiryDate
            ? -1
            : 1,
  );
}

export function pickFirstExpiry<L extends PickableLot>(
  lots: readonly L[],
  quantity: number,
  opts: PickOptions,
): PickResult<L> {
  const picks: LotPick<L>[] = [];
  let left = Math.max(0, quantity);
  let skippedExpired = 0;
  let skippedQuarantined = 0;
  for (const lot of opts.sorted ? lots : fefoOrder(lots)) {
    const onHand = Number(lot.onHand);
    if (onHand <= 0) continue;
    if (!opts.allowUnusable && isExpiredOn(lot.expiryDate, opts.today)) {
      skippedExpired += onHand;
      continue;
    }
    const held = opts.allowUnusable ? 0 : Math.min(onHand, Math.max(0, Number(lot.held ?? 0)));
    skippedQuarantined += held;
    if (left <= 0 || held === onHand) continue;
    const take = Math.min(left, onHand - held);
    picks.push({ lot, quantity: take });
    left -= take;
  }
  return { picks, shortfall: left, skippedExpired, skippedQuarantined };
}
