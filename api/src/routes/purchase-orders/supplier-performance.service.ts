import { addDays, daysBetween, leadTimeDrift, onTime } from '@medstock/core/kpis/index.ts';
import { mean, quantileOf } from '@medstock/core/stats/index.ts';
import { organizationTimeZone, organizationToday, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { unprocessable } from '../../lib/problem.ts';
import type { AuthContext } from '../../plugins/access.ts';
import { assertSiteExists } from '../suggestions/purchase-suggestions.service.ts';
import { OPEN_STATUSES } from './purchase-order.service.ts';

export const DEFAULT_WINDOW_DAYS = 180;
export const MAX_WINDOW_DAYS = 731;

const r2 = (x: number) => Math.round(x * 100) / 100;
const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
const n2 = (x: number | null) => (x === null ? null : r2(x));

interface Acc {
  name: string;
  code: string;
  nominalLeadTimeDays: number;
  receipts: number;
  onTime: number;
  undated: number;
  leadTimes: number[];
  open: number;
  openValue: number;
  overdue: number;
  drafts: number;
  nextExpectedAt: string | null;
}

/**
 * Per supplier, over the organisation's local days `from`..`to` (default the last 180 days) and
 * the sites in scope: on-time rate (receipt postings against an order on or before the expected
 * day — the line's own, else the order's — among postings that had one), lead time (order sent,
 * or approved, → received) mean and 90th percentile over the observations received in the window,
 * and the orders open today (approved, sent or partially received) with their value still to come
 * and how many are late. The same on-time rule as the KPIs (core `onTime`).
 */
export async function supplierPerformance(
  deps: AppDeps,
  auth: AuthContext,
  q: { siteId?: string; from?: string; to?: string },
) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    if (q.siteId) await assertSiteExists(tx, auth, q.siteId);
    const zone = await organizationTimeZone(tx);
    const today = await organizationToday(tx);
    const to = q.to && q.to < today ? q.to : today;
    const from = q.from ?? addDays(to, -(DEFAULT_WINDOW_DAYS - 1));
    if (from > to)
      throw unprocessable('invalid_range', '`from` must be on or before `to` (and before today).', [
        { field: 'querystring:/from', message: 'after `to`' },
      ]);
    if (daysBetween(from, to) >= MAX_WINDOW_DAYS)
      throw unprocessable('range_too_long', `Ask for at most ${MAX_WINDOW_DAYS} days at a time.`, [
        { field: 'querystring:/from', message: 'range too long' },
      ]);
    const end = addDays(to, 1);
    const sites =
      q.siteId !== undefined
        ? sql`po.site_id = ${q.siteId}`
        : auth.siteIds !== null
          ? sql`po.site_id = any(${sql.param([...auth.siteIds])}::uuid[])`
          : sql`true`;
    // Observations tied to no order belong to no site: only a whole-organisation request counts them.
    const wholeOrganisation = q.siteId === undefined && auth.siteIds === null;
    const window = (col: ReturnType<typeof sql>) =>
      sql`${col} >= ${from}::timestamp at time zone ${zone}::text and ${col} < ${end}::timestamp at time zone ${zone}::text`;

    const suppliers = await tx.execute<{
      id: string;
      code: string;
      name: string;
      nominal: number;
    }>(sql`select id, code, name, nominal_lead_time_days::float8 as nominal from suppliers`);
    const acc = new Map<string, Acc>();
    const of = (id: string) => {
      let a = acc.get(id);
      if (!a) {
        const s = suppliers.rows.find((x) => x.id === id);
        a = {
          name: s?.name ?? '',
          code: s?.code ?? '',
          nominalLeadTimeDays: Number(s?.nominal ?? 0),
          receipts: 0,
          onTime: 0,
          undated: 0,
          leadTimes: [],
          open: 0,
          openValue: 0,
          overdue: 0,
          drafts: 0,
          nextExpectedAt: null,
        };
        acc.set(id, a);
      }
      return a;
    };

    // One receipt = one posting against an order (its lines and lots together).
    const receipts = await tx.execute<{ supplier_id: string; expected: string | null; d: string }>(sql`
      select po.supplier_id, to_char(max(coalesce(pol.expected_at, po.expected_at)), 'YYYY-MM-DD') as expected,
             to_char((min(m.occurred_at) at time zone ${zone}::text)::date, 'YYYY-MM-DD') as d
        from movements m
        join purchase_order_lines pol on pol.id = m.purchase_order_line_id
        join purchase_orders po on po.id = pol.purchase_order_id
       where m.type = 'receipt' and ${sites} and ${window(sql`m.occurred_at`)}
       group by po.supplier_id, po.id, m.recorded_at`);
    for (const r of receipts.rows) {
      const a = of(r.supplier_id);
      if (!r.expected) {
        a.undated++;
        continue;
      }
      a.receipts++;
      if (onTime(r.d, r.expected)) a.onTime++;
    }

    const observations = await tx.execute<{ supplier_id: string; days: number }>(sql`
      select o.supplier_id, o.lead_time_days::float8 as days
        from lead_time_observations o left join purchase_orders po on po.id = o.purchase_order_id
       where ${window(sql`o.received_at`)} and ${wholeOrganisation ? sql`true` : sites}
       order by o.received_at, o.id`);
    for (const o of observations.rows) of(o.supplier_id).leadTimes.push(Number(o.days));

    const open = await tx.execute<{
      supplier_id: string;
      status: string;
      orders: number;
      value: number;
      overdue: number;
      next_expected: string | null;
    }>(sql`
      select po.supplier_id, case when po.status = 'draft' then 'draft' else 'open' end as status,
             count(distinct po.id)::int as orders,
             coalesce(sum(greatest(l.quantity_ordered - l.quantity_received, 0) * l.unit_price), 0)::float8 as value,
             count(distinct po.id) filter (where coalesce(l.expected_at, po.expected_at) < ${today}::date
                                             and l.quantity_received < l.quantity_ordered)::int as overdue,
             to_char(min(coalesce(l.expected_at, po.expected_at)) filter (where l.quantity_received < l.quantity_ordered), 'YYYY-MM-DD') as next_expected
        from purchase_orders po join purchase_order_lines l on l.purchase_order_id = po.id
       where po.status = any(${sql.param(['draft', ...OPEN_STATUSES])}::text[]) and ${sites}
       group by 1, 2`);
    for (const o of open.rows) {
      const a = of(o.supplier_id);
      if (o.status === 'draft') {
        a.drafts = Number(o.orders);
        continue;
      }
      a.open = Number(o.orders);
      a.openValue = r2(Number(o.value));
      a.overdue = Number(o.overdue);
      a.nextExpectedAt = o.next_expected;
    }

    const items = [...acc.entries()]
      .map(([id, a]) => ({
        supplierId: id,
        supplierCode: a.code,
        supplierName: a.name,
        receipts: a.receipts,
        receiptsOnTime: a.onTime,
        receiptsWithoutExpectedDate: a.undated,
        onTimeRate: a.receipts ? r4(a.onTime / a.receipts) : null,
        leadTime: {
          observations: a.leadTimes.length,
          meanDays: a.leadTimes.length ? r2(mean(a.leadTimes)) : null,
          p90Days: a.leadTimes.length ? r2(quantileOf(a.leadTimes, 0.9)) : null,
          minDays: a.leadTimes.length ? r2(Math.min(...a.leadTimes)) : null,
          maxDays: a.leadTimes.length ? r2(Math.max(...a.leadTimes)) : null,
          nominalDays: a.nominalLeadTimeDays,
          driftDays: n2(leadTimeDrift(a.leadTimes).driftDays),
        },
        openOrders: a.open,
        openValue: a.openValue,
        overdueOrders: a.overdue,
        nextExpectedAt: a.nextExpectedAt,
        draftOrders: a.drafts,
      }))
      .sort(
        (x, y) => x.supplierName.localeCompare(y.supplierName) || x.supplierId.localeCompare(y.supplierId),
      );
    return { from, to, siteId: q.siteId ?? null, items };
  });
}
