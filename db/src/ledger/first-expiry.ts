import { pickFirstExpiry } from '@medstock/core';
import { type SQL, sql } from 'drizzle-orm';
import { LedgerError } from './ledger-error.ts';

/** A lot with stock at a location, as first-expiry-first-out reads it. */
export type FirstExpiryRow = {
  id: string;
  lot_number: string;
  expiry_date: string | null;
  on_hand: number;
  /** Units of the row in quarantine (inspection pending, recall): not issuable, not transferable. */
  held: number;
};

export interface FirstExpiryAllocation {
  lot: FirstExpiryRow;
  qty: number;
}

/** Movements that take stock today without naming a lot: first expiry, first out over every lot. */
export function takesFirstExpiry(req: { type: string; lotNumber?: string; occurredAt?: Date }): boolean {
  return (
    req.occurredAt === undefined &&
    req.lotNumber === undefined &&
    ['issue', 'return', 'write_off', 'transfer'].includes(req.type)
  );
}

/**
 * Issues and transfers skip expired lots and quarantined units; returns to the supplier and
 * write-offs may take them (that is how rejected, recalled or expired stock leaves).
 */
export const takesExpired = (type: string) => type === 'return' || type === 'write_off';

/**
 * The CTE `locked`: the item's stock rows at these locations, locked in the ledger's lock order
 * (location, then lot; see lockStockRows), materialised so the locks are taken in that order
 * whatever reads them afterwards.
 */
export const lockedStock = (itemId: SQL, locationIds: readonly string[]) => sql`
    locked as materialized (
      select location_id, lot_id, on_hand, quarantined from stock
       where item_id = ${itemId} and location_id = any(${sql.param([...locationIds])}::uuid[])
       order by location_id, lot_id
       for update)`;

const EXPIRY_ORDER = sql`l.expiry_date asc nulls last, l.created_at, l.id`;

/**
 * A location's lots with stock, in expiry order, from `stock` (give the item) or from `locked`.
 * `ordinal` adds that order as a column `ord` (to aggregate them in order; not with FOR UPDATE).
 */
export const firstExpiryRows = (locationId: string, from: SQL, itemId?: string, ordinal = false) => sql`
    select l.id, l.lot_number, to_char(l.expiry_date, 'YYYY-MM-DD') as expiry_date, s.on_hand,
           least(s.quarantined, s.on_hand) as held
           ${ordinal ? sql`, row_number() over (order by ${EXPIRY_ORDER}) as ord` : sql``}
      from ${from} s join lots l on l.id = s.lot_id
     where s.location_id = ${locationId} and s.on_hand > 0 ${itemId === undefined ? sql`` : sql`and s.item_id = ${itemId}`}
     order by ${EXPIRY_ORDER}`;

/**
 * Takes `qty` from the earliest-expiring lots (core's pickFirstExpiry, which a requisition's pick
 * list uses too). A lot is expired from the day after its expiry date, in the organisation's local
 * days (`today`); expired and quarantined lots are taken only when `allowExpired` (returns,
 * write-offs).
 */
export function allocateFirstExpiry(
  rows: readonly FirstExpiryRow[],
  qty: number,
  allowExpired: boolean,
  today: string,
): FirstExpiryAllocation[] {
  const lots = rows.map((row) => ({
    row,
    lotNumber: row.lot_number,
    expiryDate: row.expiry_date,
    onHand: Number(row.on_hand),
    held: Number(row.held ?? 0),
  }));
  const r = pickFirstExpiry(lots, qty, { today, allowUnusable: allowExpired, sorted: true });
  if (r.shortfall > 0) {
    const available = qty - r.shortfall;
    throw new LedgerError(
      'insufficient_stock',
      r.skippedQuarantined > 0
        ? `Only ${available} usable units are in stock at this location (${r.skippedQuarantined} more are in quarantined lots); ${qty} were requested.`
        : `Only ${available} usable (unexpired) units are in stock at this location; ${qty} were requested.`,
      409,
      'quantity',
      { available, quantity: qty, quarantined: r.skippedQuarantined },
      r.skippedQuarantined > 0 ? 'quarantined' : undefined,
    );
  }
  return r.picks.map((p) => ({ lot: p.lot.row, qty: p.quantity }));
}
