import { addDays, type IsoDate, localDay } from '@medstock/core';
import { sql } from 'drizzle-orm';
import type { Tx } from '../pool.ts';
import { organizationTimeZone, organizationToday } from '../tenant/organization-time-zone.ts';
import { LedgerError } from './ledger-error.ts';

/** Days before expiry from which a lot counts as short-dated (近效期) when no setting says otherwise. */
export const DEFAULT_SHORT_DATED_DAYS = 90;

export interface ReceiptLotCheck {
  itemId: string;
  lotNumber?: string;
  expiryDate?: string;
  occurredAt?: Date;
  /** Receive a lot that expires within the short-dated window: needs `reason`. */
  acceptShortDated?: boolean;
  reason?: string;
}

/**
 * What a person's receipt (a movement or a purchase-order receipt) must say about its lot, before
 * the ledger posts it: a lot-tracked item is received with its lot number and expiry (a known
 * lot's stored expiry counts), and a lot expiring within the short-dated window (receiving
 * settings, default 90 days from the day of the receipt) comes in only with an explicit override
 * and a reason, as an expired one does (the ledger refuses those). Imports of history do not pass
 * here: their old receipts are what they are.
 */
export async function assertReceiptLot(tx: Tx, req: ReceiptLotCheck): Promise<void> {
  // One round trip: the item's tracking, the lot's stored expiry and the short-dated window.
  const r = await tx.execute<{
    lot_tracked: boolean;
    known_expiry: string | null;
    short_dated_days: number | null;
  }>(sql`
    select i.lot_tracked,
           (select to_char(expiry_date, 'YYYY-MM-DD') from lots where item_id = i.id and lot_number = ${req.lotNumber ?? ''}) as known_expiry,
           (select short_dated_days from receiving_settings) as short_dated_days
      from items i where i.id = ${req.itemId}`);
  const item = r.rows[0];
  if (!item) return; // the ledger reports an unknown item
  const lot = req.lotNumber?.trim() ? req.lotNumber : undefined;
  if (item.lot_tracked && !lot)
    throw new LedgerError(
      'lot_required',
      'This item is lot-tracked: a receipt needs the lot number (批号) and the expiry date.',
      422,
      'lotNumber',
    );
  const expiry = (req.expiryDate ?? item.known_expiry ?? undefined) as IsoDate | undefined;
  if (item.lot_tracked && !expiry)
    throw new LedgerError(
      'expiry_required',
      `This item is lot-tracked: give the expiry date of lot ${lot}.`,
      422,
      'expiryDate',
      { lot: lot ?? '' },
    );
  if (!expiry) return;
  const day = req.occurredAt
    ? localDay(req.occurredAt, await organizationTimeZone(tx))
    : await organizationToday(tx);
  // Already expired: the ledger's own check (lot_expired_on_receipt) speaks for it.
  if (expiry < day) return;
  const days = item.short_dated_days ?? DEFAULT_SHORT_DATED_DAYS;
  if (expiry >= addDays(day as IsoDate, days)) return;
  if (!req.acceptShortDated)
    throw new LedgerError(
      'lot_short_dated',
      `Lot ${lot ?? '(untracked)'} expires on ${expiry}, within ${days} days of the receipt; it is received only when the receipt accepts a short-dated lot explicitly (acceptShortDated, with a reason).`,
      409,
      'expiryDate',
      { lot: lot ?? '', expiryDate: expiry, days },
    );
  if (!req.reason?.trim())
    throw new LedgerError('reason_required', 'Accepting a short-dated lot needs a reason.', 422, 'reason');
}
