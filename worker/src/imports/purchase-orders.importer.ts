import { type RowReason, rowReason } from '@medstock/contracts/imports/row-messages.ts';
import { sql } from 'drizzle-orm';
import {
  APPLY_BATCH,
  type ApplyContext,
  ApplyRowError,
  columnIndex,
  type KindImporter,
  type ValidateContext,
} from './importer.ts';
import { createInstantParser, parseNonNegative, parseNumber, toBase } from './parse-values.ts';
import type { ImportRow } from './read-rows.ts';
import { locationKey, unitOfCell, unitWordZh } from './reference-data.ts';

const C = columnIndex('purchase_orders');
const DAY_MS = 86_400_000;

interface LineInput {
  poNumber: string;
  supplierId: string;
  siteId: string;
  locationId: string;
  itemId: string;
  ordered: number;
  received: number;
  unitPrice: number;
  orderedAt: number;
  receivedAt: number;
}

interface OrderHeader {
  number: string;
  supplierId: string;
  siteId: string;
  locationId: string;
  orderedAt: number;
  receivedAt: number;
  line: number;
}

/**
 * Purchase-order history: each row is an order line; rows sharing a po_number are one order,
 * created closed (`received`, source `import`) so it never counts as in transit. Every line
 * with a receipt records a lead-time observation (received − ordered) for its supplier and
 * item: the history the engine's lead-time statistics need from day one. Memory holds one
 * header per order; lines stream.
 */
export async function createPurchaseOrdersImporter(
  ctx: ValidateContext,
  actorId: string | null,
): Promise<KindImporter> {
  const orders = new Map<string, OrderHeader>();
  const lines = new Map<string, number>();
  const instant = createInstantParser(ctx.notAfterMs, ctx.timeZone);

  function resolve(row: ImportRow, report: boolean): LineInput | null {
    const v = row.values;
    let bad = false;
    const err = (field: string, reason: RowReason) => {
      bad = true;
      if (report) ctx.error(row.line, field, reason);
    };
    const poNumber = v[C.po_number!]!;
    if (poNumber.length < 1 || poNumber.length > 60)
      err('po_number', rowReason('length_between', { min: 1, max: 60 }));
    const supplierId = ctx.refs.suppliers.get(v[C.supplier_code!]!);
    if (!supplierId) err('supplier_code', rowReason('unknown_supplier', { supplier: v[C.supplier_code!]! }));
    const siteCode = v[C.site_code!]!;
    const location = ctx.refs.locations.get(locationKey(siteCode, v[C.location_code!]!));
    if (!location) {
      if (!ctx.refs.siteCodes.has(siteCode)) err('site_code', rowReason('unknown_site', { site: siteCode }));
      else
        err(
          'location_code',
          rowReason('unknown_location', { location: v[C.location_code!]!, site: siteCode }),
        );
    }
    const itemCode = v[C.item_code!]!;
    const item = ctx.refs.items.get(itemCode);
    if (!item) err('item_code', rowReason('unknown_item', { item: itemCode }));
    let factor = 1;
    let unit = '';
    if (item) {
      const u = unitOfCell(item, v[C.unit!]!);
      if (!u.ok) err('unit', u.reason);
      else [unit, factor] = [u.unit, u.factor];
    }
    const qty = (field: string, s: string, positive: boolean): number => {
      const q = positive ? parseNumber(s) : parseNonNegative(s);
      if (!q.ok) err(field, q.reason);
      else if (positive && q.value <= 0) err(field, rowReason('must_be_positive', { value: s }));
      else if (item) {
        const b = toBase(q.value, factor, unit, item.baseUnit, (c) => unitWordZh(item, c));
        if (b.ok) return b.value;
        err(field, b.reason);
      }
      return 0;
    };
    const ordered = qty('quantity', v[C.quantity!]!, true);
    const received = v[C.quantity_received!]
      ? qty('quantity_received', v[C.quantity_received!]!, false)
      : ordered;
    let unitPrice = 0;
    if (v[C.unit_price!]) {
      const p = parseNonNegative(v[C.unit_price!]!);
      if (p.ok) unitPrice = p.value;
      else err('unit_price', p.reason);
    }
    const orderedAt = instant(v[C.ordered_at!]!);
    if (!orderedAt.ok) err('ordered_at', orderedAt.reason);
    const receivedAt = instant(v[C.received_at!]!);
    if (!receivedAt.ok) err('received_at', receivedAt.reason);
    else if (orderedAt.ok && receivedAt.value.ms < orderedAt.value.ms)
      err('received_at', rowReason('before_ordered'));
    if (bad || !orderedAt.ok || !receivedAt.ok) return null;
    return {
      poNumber,
      supplierId: supplierId!,
      siteId: location!.siteId,
      locationId: location!.id,
      itemId: item!.id,
      ordered,
      received,
      unitPrice,
      orderedAt: orderedAt.value.ms,
      receivedAt: receivedAt.value.ms,
    };
  }

  return {
    validate(row) {
      const l = resolve(row, true);
      if (!l) return;
      const h = orders.get(l.poNumber);
      if (!h) {
        orders.set(l.poNumber, {
          number: l.poNumber,
          supplierId: l.supplierId,
          siteId: l.siteId,
          locationId: l.locationId,
          orderedAt: l.orderedAt,
          receivedAt: l.receivedAt,
          line: row.line,
        });
      } else {
        // One order has one supplier, one receiving location and one order date.
        if (h.supplierId !== l.supplierId)
          ctx.error(
            row.line,
            'supplier_code',
            rowReason('po_other_supplier', { po: l.poNumber, line: h.line }),
          );
        if (h.locationId !== l.locationId)
          ctx.error(
            row.line,
            'location_code',
            rowReason('po_other_location', { po: l.poNumber, line: h.line }),
          );
        if (h.orderedAt !== l.orderedAt)
          ctx.error(row.line, 'ordered_at', rowReason('po_other_date', { po: l.poNumber, line: h.line }));
        h.receivedAt = Math.max(h.receivedAt, l.receivedAt);
      }
      const key = `${l.poNumber}\u0000${l.itemId}`;
      const dup = lines.get(key);
      if (dup !== undefined)
        ctx.error(row.line, 'item_code', rowReason('po_item_twice', { po: l.poNumber, line: dup }));
      else lines.set(key, row.line);
    },
    async finishValidation() {
      lines.clear();
      const numbers = [...orders.keys()];
      for (let i = 0; i < numbers.length; i += 10_000) {
        const chunk = numbers.slice(i, i + 10_000);
        const taken = await ctx.withTx((tx) =>
          tx.execute<{ number: string }>(
            sql`select number from purchase_orders where number = any(${sql.param(chunk)}::text[])`,
          ),
        );
        for (const r of taken.rows)
          ctx.error(orders.get(r.number)!.line, 'po_number', rowReason('po_exists', { po: r.number }));
      }
    },
    async apply(a: ApplyContext) {
      const ids = new Map<string, string>();
      const headers = [...orders.values()];
      for (let i = 0; i < headers.length; i += APPLY_BATCH) {
        const batch = headers.slice(i, i + APPLY_BATCH).map((h) => ({
          number: h.number,
          supplier_id: h.supplierId,
          site_id: h.siteId,
          location_id: h.locationId,
          ordered_at: new Date(h.orderedAt).toISOString(),
          received_at: new Date(h.receivedAt).toISOString(),
        }));
        const r = await a.tx.execute<{ id: string; number: string }>(sql`
          insert into purchase_orders (number, supplier_id, site_id, location_id, status, source, created_by, created_at,
                                       approved_at, sent_at, received_at, updated_at)
          select x.number, x.supplier_id, x.site_id, x.location_id, 'received', 'import', ${actorId}::uuid, x.ordered_at,
                 x.ordered_at, x.ordered_at, x.received_at, now()
            from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as x(
                   number text, supplier_id uuid, site_id uuid, location_id uuid, ordered_at timestamptz, received_at timestamptz)
          returning id, number`);
        for (const row of r.rows) ids.set(row.number, row.id);
      }
      let applied = 0;
      let observations = 0;
      let batch: LineInput[] = [];
      const flush = async () => {
        const json = JSON.stringify(
          batch.map((l) => ({
            purchase_order_id: ids.get(l.poNumber)!,
            supplier_id: l.supplierId,
            item_id: l.itemId,
            ordered: l.ordered,
            received: l.received,
            unit_price: l.unitPrice,
            ordered_at: new Date(l.orderedAt).toISOString(),
            received_at: new Date(l.receivedAt).toISOString(),
            lead_time_days: Math.round(((l.receivedAt - l.orderedAt) / DAY_MS) * 1000) / 1000,
          })),
        );
        const record = sql.raw(
          'purchase_order_id uuid, supplier_id uuid, item_id uuid, ordered bigint, received bigint, unit_price numeric, ordered_at timestamptz, received_at timestamptz, lead_time_days numeric',
        );
        await a.tx.execute(sql`
          insert into purchase_order_lines (purchase_order_id, item_id, quantity_ordered, quantity_received, unit_price)
          select x.purchase_order_id, x.item_id, x.ordered, x.received, x.unit_price from jsonb_to_recordset(${json}::jsonb) as x(${record})`);
        const r = await a.tx.execute(sql`
          insert into lead_time_observations (supplier_id, item_id, purchase_order_id, ordered_at, received_at, lead_time_days, source)
          select x.supplier_id, x.item_id, x.purchase_order_id, x.ordered_at, x.received_at, x.lead_time_days, 'import'
            from jsonb_to_recordset(${json}::jsonb) as x(${record}) where x.received > 0`);
        observations += r.rowCount ?? 0;
        applied += batch.length;
        batch = [];
        await a.progress(applied);
      };
      for await (const row of a.rows()) {
        const l = resolve(row, false);
        if (!l) throw new ApplyRowError(row.line, 'row', rowReason('row_changed'));
        batch.push(l);
        if (batch.length >= APPLY_BATCH) await flush();
      }
      if (batch.length) await flush();
      return { purchaseOrders: ids.size, lines: applied, leadTimeObservations: observations };
    },
    async dispose() {},
  };
}
