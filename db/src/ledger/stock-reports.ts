import { addDays, daysBetween, localToday, startOfLocalDay } from '@medstock/core';
import { sql } from 'drizzle-orm';
import type { Tx } from '../pool.ts';
import { requestRecalculation } from '../recalculation/recalculation-outbox.ts';
import { organizationTimeZone } from '../tenant/organization-time-zone.ts';
import { knownAfterEachRow } from './balance-history.ts';
import { LedgerError } from './ledger-error.ts';
import type { NewEntry } from './ledger-replay.ts';
import {
  loadItemLots,
  loadTimeline,
  lockStockRows,
  type MovementRequest,
  micros,
  type PlanEntry,
  type PostedMovement,
  writeReplay,
} from './post-movement.ts';

/**
 * A periodic stock report (库存月报) of one item-location: what a clinic without scanning writes
 * at month end. Quantities in base units; dates are local days of the organisation.
 */
export interface StockReportInput {
  itemId: string;
  locationId: string;
  periodStart: string;
  periodEnd: string;
  /** Stock at the start of the period as the report states it (null: not stated). */
  opening?: number | null;
  received?: number;
  issued?: number;
  /** Losses (expired, damaged): written off. */
  losses?: number;
  lossesReason?: string | null;
  /** Other corrections, signed. */
  adjustments?: number;
  adjustmentsReason?: string | null;
  closingCount: number;
  stockoutDays?: number;
  source?: string;
  importId?: string | null;
  actorId?: string | null;
}

export type StockReportRow = {
  id: string;
  item_id: string;
  location_id: string;
  period_start: string;
  period_end: string;
  opening: string | null;
  received: string;
  issued: string;
  losses: string;
  losses_reason: string | null;
  adjustments: string;
  adjustments_reason: string | null;
  closing_count: string;
  stockout_days: number;
  book_opening: string | null;
  book_closing: string;
  variance: string;
  group_id: string;
  source: string;
  import_id: string | null;
  created_by: string | null;
  created_at: Date;
};

export interface PostedStockReport {
  report: StockReportRow;
  /** false: an identical report of the same period was already posted (nothing written). */
  created: boolean;
  movements: PostedMovement[];
}

/** The longest period one report may cover. */
export const MAX_REPORT_DAYS = 366;

export const STOCK_REPORT_COLUMNS = sql`id, item_id, location_id, to_char(period_start, 'YYYY-MM-DD') as period_start,
  to_char(period_end, 'YYYY-MM-DD') as period_end, opening::text, received::text, issued::text, losses::text, losses_reason,
  adjustments::text, adjustments_reason, closing_count::text, stockout_days, book_opening::text, book_closing::text,
  variance::text, group_id, source, import_id, created_by, created_at`;

const field = (name: string) => name;

function check(input: StockReportInput) {
  const ints: [string, number | null | undefined, boolean][] = [
    ['opening', input.opening, false],
    ['received', input.received, false],
    ['issued', input.issued, false],
    ['losses', input.losses, false],
    ['adjustments', input.adjustments, true],
    ['closingCount', input.closingCount, false],
    ['stockoutDays', input.stockoutDays, false],
  ];
  for (const [name, v, signed] of ints) {
    if (v === undefined || v === null) continue;
    if (!Number.isSafeInteger(v) || (!signed && v < 0))
      throw new LedgerError(
        'invalid_quantity',
        `${name} must be a whole number${signed ? '' : ' >= 0'} of base units, got ${v}.`,
        422,
        field(name),
        { quantity: v },
        signed ? 'whole' : 'whole_not_negative',
      );
  }
  if (input.periodEnd < input.periodStart)
    throw new LedgerError('invalid_period', 'The period ends before it starts.', 422, 'periodEnd');
  const days = daysBetween(input.periodStart, input.periodEnd) + 1;
  if (days > MAX_REPORT_DAYS)
    throw new LedgerError(
      'invalid_period',
      `A report covers at most ${MAX_REPORT_DAYS} days; this one covers ${days}.`,
      422,
      'periodEnd',
      { max: MAX_REPORT_DAYS, days },
      'too_long',
    );
  if ((input.stockoutDays ?? 0) > days)
    throw new LedgerError(
      'invalid_stockout_days',
      `Stock-out days (${input.stockoutDays}) exceed the ${days} days of the period.`,
      422,
      'stockoutDays',
      { stockoutDays: input.stockoutDays ?? 0, days },
    );
  return days;
}

const same = (r: StockReportRow, i: StockReportInput) =>
  r.period_end === i.periodEnd &&
  (r.opening === null ? null : Number(r.opening)) === (i.opening ?? null) &&
  Number(r.received) === (i.received ?? 0) &&
  Number(r.issued) === (i.issued ?? 0) &&
  Number(r.losses) === (i.losses ?? 0) &&
  Number(r.adjustments) === (i.adjustments ?? 0) &&
  Number(r.closing_count) === i.closingCount &&
  r.stockout_days === (i.stockoutDays ?? 0);

/**
 * Posts a report as dated ledger entries in the caller's transaction, then stores it:
 * - opening stated and the ledger's balance at the period start unknown or different: a count of
 *   the whole item-location at the end of the day before ('opening differs from book');
 * - on the last day (or now, when the period ends today), in this order: the receipt of
 *   `received` (untracked lot), `adjustments` (signed), `losses` written off, the issue of
 *   `issued` (first-expiry-first), then the closing count of the whole item-location — whose
 *   variance row makes any discrepancy between opening + flows and the count visible.
 * Earlier entries absorbed by later counts keep the later counts true; the closing count absorbs
 * everything of the period, so on-hand at the period end equals the closing count.
 * Re-posting an identical report of the same item-location and period changes nothing
 * (created = false); a different one is 409 report_exists, an overlapping period 409 report_overlaps.
 */
export async function postStockReport(tx: Tx, input: StockReportInput): Promise<PostedStockReport> {
  check(input);
  const item = await tx.execute(sql`select 1 from items where id = ${input.itemId}`);
  if (!item.rowCount) throw new LedgerError('unknown_item', 'The item does not exist.', 422, 'itemId');
  const loc = await tx.execute(sql`select 1 from locations where id = ${input.locationId} and active`);
  if (!loc.rowCount)
    throw new LedgerError(
      'unknown_location',
      'The location does not exist or is inactive.',
      422,
      'locationId',
    );
  const zone = await organizationTimeZone(tx);
  if (input.periodEnd > localToday(zone))
    throw new LedgerError(
      'period_not_ended',
      `The period ends on ${input.periodEnd}, after today: post the report once the closing count is done.`,
      422,
      'periodEnd',
      { periodEnd: input.periodEnd },
    );

  // One report of an item-location at a time (the overlap check), then the ledger's lock order.
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${`stock_report:${input.itemId}:${input.locationId}`}, 0))`,
  );
  await lockStockRows(tx, input.itemId, [input.locationId], undefined);
  const clash = await tx.execute<StockReportRow>(sql`
    select ${STOCK_REPORT_COLUMNS} from stock_reports
     where item_id = ${input.itemId} and location_id = ${input.locationId}
       and period_start <= ${input.periodEnd}::date and period_end >= ${input.periodStart}::date
     order by period_start limit 1`);
  const existing = clash.rows[0];
  if (existing) {
    if (existing.period_start === input.periodStart && same(existing, input))
      return { report: existing, created: false, movements: [] };
    if (existing.period_start === input.periodStart)
      throw new LedgerError(
        'report_exists',
        `A different report of this item and location for the period from ${existing.period_start} is already posted (${existing.id}); post a correcting stocktake or adjustment instead.`,
        409,
        'periodStart',
        { periodStart: existing.period_start, reportId: existing.id },
      );
    throw new LedgerError(
      'report_overlaps',
      `The period overlaps the report of ${existing.period_start} to ${existing.period_end} (${existing.id}).`,
      409,
      'periodStart',
      { periodStart: existing.period_start, periodEnd: existing.period_end, reportId: existing.id },
    );
  }

  const start = micros(startOfLocalDay(input.periodStart, zone));
  const end = Math.min(micros(startOfLocalDay(addDays(input.periodEnd, 1), zone)), micros(new Date()));
  const base: MovementRequest = {
    type: 'stocktake',
    itemId: input.itemId,
    locationId: input.locationId,
    quantity: 0,
    source: input.source ?? 'stock_report',
    reference: `stock report ${input.periodStart}..${input.periodEnd}`,
    actorId: input.actorId ?? null,
    importId: input.importId ?? undefined,
  };

  // The ledger's view at the period start: its balance, and whether it is known.
  const timeline = await loadTimeline(tx, input.itemId, input.locationId);
  const before = timeline.filter((r) => r.at < start).sort((a, b) => a.at - b.at);
  const known = before.length > 0 && knownAfterEachRow(before.map((r) => r.type)).at(-1) === true;
  const bookOpening = known ? before.reduce((a, r) => a + r.quantity, 0) : null;

  const entries: PlanEntry[] = [];
  const at = (us: number) => us;
  if (input.opening !== undefined && input.opening !== null && input.opening !== bookOpening) {
    entries.push({
      entry: { kind: 'count', ref: 0, at: at(start - 1), counted: input.opening, lotId: null },
      type: 'stocktake',
      reason: bookOpening === null ? 'opening balance (book unknown)' : 'opening differs from book',
    });
  }
  const lots = await loadItemLots(tx, input.itemId);
  const flow = (ref: number, us: number, quantity: number, type: PlanEntry['type'], reason?: string) => {
    if (quantity === 0) return;
    const entry: NewEntry =
      quantity > 0
        ? { kind: 'movement', ref, at: us, quantity, lotId: lots.untracked.id }
        : { kind: 'movement', ref, at: us, quantity, lotId: null, allowExpired: type !== 'issue' };
    entries.push({ entry, type, ...(reason ? { reason } : {}) });
  };
  flow(1, end - 5, input.received ?? 0, 'receipt', 'received (stock report)');
  flow(
    2,
    end - 4,
    input.adjustments ?? 0,
    'adjustment',
    input.adjustmentsReason ?? 'adjustment (stock report)',
  );
  flow(3, end - 3, -(input.losses ?? 0), 'write_off', input.lossesReason ?? 'losses (stock report)');
  flow(4, end - 2, -(input.issued ?? 0), 'issue', 'issued (stock report)');
  entries.push({
    entry: { kind: 'count', ref: 5, at: end - 1, counted: input.closingCount, lotId: null },
    type: 'stocktake',
    reason: 'closing count (stock report)',
  });

  const groupId = crypto.randomUUID();
  const { posted, bookAtCount } = await writeReplay(tx, base, groupId, input.locationId, entries, lots);
  const bookClosing = bookAtCount.get(5) ?? 0;
  const r = await tx.execute<StockReportRow>(sql`
    insert into stock_reports (item_id, location_id, period_start, period_end, opening, received, issued, losses, losses_reason,
                               adjustments, adjustments_reason, closing_count, stockout_days, book_opening, book_closing, variance,
                               group_id, source, import_id, created_by)
    values (${input.itemId}, ${input.locationId}, ${input.periodStart}::date, ${input.periodEnd}::date, ${input.opening ?? null},
            ${input.received ?? 0}, ${input.issued ?? 0}, ${input.losses ?? 0}, ${input.lossesReason ?? null},
            ${input.adjustments ?? 0}, ${input.adjustmentsReason ?? null}, ${input.closingCount}, ${input.stockoutDays ?? 0},
            ${bookOpening}, ${bookClosing}, ${input.closingCount - bookClosing}, ${groupId}, ${input.source ?? 'api'},
            ${input.importId ?? null}, ${input.actorId ?? null})
    returning ${STOCK_REPORT_COLUMNS}`);
  await requestRecalculation(tx, [{ itemId: input.itemId, locationId: input.locationId }]);
  return { report: r.rows[0]!, created: true, movements: posted };
}
