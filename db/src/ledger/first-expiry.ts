import { type SQL, sql } from 'drizzle-orm';
import { LedgerError } from './ledger-error.ts';

/** A lot with stock at a location, as first-expiry-first-out reads it. */
export type FirstExpiryRow = {
  id: string;
  lot_number: string;
  expiry_date: string | null;
  on_hand: number;
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

/** Issues and transfers skip expired lots; returns and write-offs may take them. */
export const takesExpired = (type: string) => type === 'return' || type === 'write_off';

/**
 * The CTE `locked`: the item's stock rows at these locations, locked in the ledger's lock order
 * (location, then lot; see lockStockRows), materialised so the locks are taken in that order
 * whatever reads them afterwards.
 */
export const lockedStock = (itemId: SQL, locationIds: readonly string[]) => sql`
    locked as materialized (
      select location_id, lot_id, on_hand from stock
       where item_id = ${itemId} and location_id = any(${sql.param([...locationIds])}::uuid[])
       order by location_id, lot_id
       for update)`;

const EXPIRY_ORDER = sql`l.expiry_date asc nulls last, l.created_at, l.id`;

/**
 * A location's lots with stock, in expiry order, from `stock` (give the item) or from `locked`.
 * `ordinal` adds that order as a column `ord` (to aggregate them in order; not with FOR UPDATE).
 */
export const firstExpiryRows = (locationId: string, from: SQL, itemId?: string, ordinal = false) => sql`
    select l.id, l.lot_number, to_char(l.expiry_date, 'YYYY-MM-DD') as expiry_date, s.on_hand
           ${ordinal ? sql`, row_number() over (order by ${EXPIRY_ORDER}) as ord` : sql``}
      from ${from} s join lots l on l.id = s.lot_id
     where s.location_id = ${locationId} and s.on_hand > 0 ${itemId === undefined ? sql`` : sql`and s.item_id = ${itemId}`}
     order by ${EXPIRY_ORDER}`;

/**
 * Takes `qty` from the earliest-expiring lots. A lot is expired from the day after its expiry
 * date, in the organisation's local days (`today`).
 */
export function allocateFirstExpiry(
  rows: readonly FirstExpiryRow[],
  qty: number,
  allowExpired: boolean,
  today: string,
): FirstExpiryAllocation[] {
  const out: FirstExpiryAllocation[] = [];
  let left = qty;
  for (const row of rows) {
    if (left <= 0) break;
    if (!allowExpired && row.expiry_date !== null && row.expiry_date < today) continue;
    const take = Math.min(left, Number(row.on_hand));
    out.push({ lot: row, qty: take });
    left -= take;
  }
  if (left > 0) {
    const available = qty - left;
    throw new LedgerError(
      'insufficient_stock',
      `Only ${available} usable (unexpired) units are in stock at this location; ${qty} were requested.`,
      409,
      'quantity',
    );
  }
  return out;
}
