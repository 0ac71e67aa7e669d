import { localToday } from '@medstock/core/dates/index.ts';
import {
  addDays,
  addLedgerTotals,
  alertPrecision,
  daysBetween,
  elapsedDays,
  type Granularity,
  type ItemLocationLedger,
  kpiPeriods,
  type LedgerPeriodTotals,
  leadTimeDrift,
  ledgerKpis,
  mean,
  onTime,
  type Period,
  periodIndexOf,
  precisionRecall,
  startOfMonth,
  summariseLedgerPeriod,
} from '@medstock/core/kpis/index.ts';
import { organizationTimeZone, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { unprocessable } from '../../lib/problem.ts';
import type { AuthContext } from '../../plugins/access.ts';
import { assertSiteExists } from '../suggestions/purchase-suggestions.service.ts';

export const MAX_RANGE_DAYS = 731;

export interface KpiQuery {
  siteId?: string;
  from?: string;
  to?: string;
  granularity?: Granularity;
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
const n2 = (x: number | null) => (x === null ? null : r2(x));
const n4 = (x: number | null) => (x === null ? null : r4(x));

/** Accumulates one scope (a site, or every site in the request) period by period. */
class Scope {
  ledgers: ItemLocationLedger[] = [];
  ledger: LedgerPeriodTotals[] = [];
  resolved: number[];
  dismissed: number[];
  cycleDays: number[][];
  receipts: Array<{ onTime: number; total: number }>;
  suppliers = new Map<string, { name: string; onTime: number; receipts: number; leadTimes: number[] }>();
  backtest = { raised: 0, happened: 0, hits: 0 };

  constructor(
    readonly siteId: string | null,
    readonly siteName: string | null,
    n: number,
  ) {
    this.resolved = Array(n).fill(0);
    this.dismissed = Array(n).fill(0);
    this.cycleDays = Array.from({ length: n }, () => []);
    this.receipts = Array.from({ length: n }, () => ({ onTime: 0, total: 0 }));
  }

  supplier(id: string, name: string) {
    const known = this.suppliers.get(id);
    if (known) return known;
    const s = { name, onTime: 0, receipts: 0, leadTimes: [] as number[] };
    this.suppliers.set(id, s);
    return s;
  }
}

/**
 * KPIs per period for each site in scope and for all of them together. Stock figures replay
 * the ledger (real movements only; imported history never changed on-hand) valued at the
 * item's unit cost, like the stock valuation. Days are the organisation's local days.
 */
export async function computeKpis(deps: AppDeps, auth: AuthContext, q: KpiQuery) {
  const granularity = q.granularity ?? 'month';
  // Days are the organisation's local days: its today, and every bucket and bound below.
  const zone = await withTenantDb(deps.database.db, auth, (tx) => organizationTimeZone(tx));
  const today = localToday(zone);
  const to = q.to && q.to < today ? q.to : today;
  // Default: the last 12 weeks, or this month and the 5 before it.
  const from = q.from ?? (granularity === 'week' ? addDays(to, -83) : startOfMonth(to, -5));
  if (from > to)
    throw unprocessable('invalid_range', '`from` must be on or before `to` (and before today).', [
      { field: 'querystring:/from', message: 'after `to`' },
    ]);
  if (daysBetween(from, to) >= MAX_RANGE_DAYS) {
    throw unprocessable(
      'range_too_long',
      `Ask for at most ${MAX_RANGE_DAYS} days at a time.`,
      [{ field: 'querystring:/from', message: 'range too long' }],
      { max: MAX_RANGE_DAYS },
    );
  }
  const periods = kpiPeriods(from, to, granularity);
  const endExclusive = addDays(to, 1);
  const activityFrom = addDays(from, -90);

  return withTenantDb(deps.database.db, auth, async (tx) => {
    if (q.siteId) await assertSiteExists(tx, auth, q.siteId);
    const siteRows = await tx.execute<{ id: string; name: string }>(sql`
      select id, name from sites
       where true ${q.siteId ? sql`and id = ${q.siteId}` : sql``}
         ${auth.siteIds !== null ? sql`and id = any(${sql.param([...auth.siteIds])}::uuid[])` : sql``}
       order by name, id`);
    const siteIds = siteRows.rows.map((s) => s.id);
    const inScope = sql`any(${sql.param(siteIds)}::uuid[])`;
    // Observations not tied to an order belong to no site: only a request over every site sees them.
    const wholeOrganisation = !q.siteId && auth.siteIds === null;
    const total = new Scope(null, null, periods.length);
    const sites = new Map(siteRows.rows.map((s) => [s.id, new Scope(s.id, s.name, periods.length)]));
    const scopesOf = (siteId: string | null) => {
      const s = siteId ? sites.get(siteId) : undefined;
      return s ? [s, total] : siteId === null && wholeOrganisation ? [total] : [];
    };
    const periodOf = (day: string) => periodIndexOf(periods, day);

    // Stock: one row per item-location and day with movements, from 90 days before the range.
    const days = await tx.execute<{
      item_id: string;
      location_id: string;
      d: string;
      net: number;
      issued: number;
      written_off: number;
      demand: boolean;
    }>(sql`
      select m.item_id, m.location_id, to_char((m.occurred_at at time zone ${zone}::text)::date, 'YYYY-MM-DD') as d,
             coalesce(sum(m.quantity) filter (where m.occurred_at >= ${from}::timestamp at time zone ${zone}::text), 0)::float8 as net,
             coalesce(-sum(m.quantity) filter (where m.type = 'issue' and m.occurred_at >= ${from}::timestamp at time zone ${zone}::text), 0)::float8 as issued,
             coalesce(-sum(m.quantity) filter (where m.type = 'write_off' and m.occurred_at >= ${from}::timestamp at time zone ${zone}::text), 0)::float8 as written_off,
             bool_or(m.type in ('issue', 'transfer_out')) as demand
        from movements m join locations l on l.id = m.location_id
       where m.occurred_at >= ${activityFrom}::timestamp at time zone ${zone}::text and m.occurred_at < ${endExclusive}::timestamp at time zone ${zone}::text
         and l.site_id = ${inScope}
       group by 1, 2, 3`);
    const opening = await tx.execute<{
      item_id: string;
      location_id: string;
      site_id: string;
      unit_cost: number;
      opening: number;
      first_day: string;
    }>(sql`
      select m.item_id, m.location_id, l.site_id, i.unit_cost::float8 as unit_cost,
             coalesce(sum(m.quantity) filter (where m.occurred_at < ${from}::timestamp at time zone ${zone}::text), 0)::float8 as opening,
             to_char(min(m.occurred_at) at time zone ${zone}::text, 'YYYY-MM-DD') as first_day
        from movements m join locations l on l.id = m.location_id join items i on i.id = m.item_id
       where m.occurred_at < ${endExclusive}::timestamp at time zone ${zone}::text and l.site_id = ${inScope}
       group by 1, 2, 3, 4`);
    const dayRows = new Map<string, typeof days.rows>();
    for (const r of days.rows) {
      const k = `${r.item_id}|${r.location_id}`;
      const list = dayRows.get(k);
      if (list) list.push(r);
      else dayRows.set(k, [r]);
    }
    for (const o of opening.rows) {
      const rows = (dayRows.get(`${o.item_id}|${o.location_id}`) ?? []).sort((a, b) =>
        a.d.localeCompare(b.d),
      );
      const inRange = rows.filter((r) => r.d >= from);
      const ledger: ItemLocationLedger = {
        unitCost: Number(o.unit_cost),
        opening: Number(o.opening),
        firstDay: o.first_day,
        net: new Map(inRange.filter((r) => r.net !== 0).map((r) => [r.d, Number(r.net)])),
        demandDays: rows.filter((r) => r.demand).map((r) => r.d),
        issued: new Map(inRange.filter((r) => r.issued !== 0).map((r) => [r.d, Number(r.issued)])),
        writtenOff: new Map(
          inRange.filter((r) => r.written_off !== 0).map((r) => [r.d, Number(r.written_off)]),
        ),
      };
      sites.get(o.site_id)?.ledgers.push(ledger);
    }
    const emptyLedger = ledgerKpis([], periods);
    for (const s of sites.values()) {
      s.ledger = ledgerKpis(s.ledgers, periods);
      total.ledger = total.ledger.length ? addLedgerTotals(total.ledger, s.ledger) : s.ledger;
    }
    if (!total.ledger.length) total.ledger = emptyLedger;

    // Alert precision: alerts closed in the period, resolved (confirmed) or dismissed (false alarm).
    const alerts = await tx.execute<{ site_id: string; dismissed: boolean; d: string }>(sql`
      select a.site_id, a.status = 'dismissed' as dismissed,
             to_char((case when a.status = 'dismissed' then a.dismissed_at else a.resolved_at end at time zone ${zone}::text)::date, 'YYYY-MM-DD') as d
        from alerts a
       where a.site_id = ${inScope}
         and ((a.status = 'dismissed' and a.dismissed_at >= ${from}::timestamp at time zone ${zone}::text and a.dismissed_at < ${endExclusive}::timestamp at time zone ${zone}::text)
           or (a.status = 'resolved' and a.resolved_at >= ${from}::timestamp at time zone ${zone}::text and a.resolved_at < ${endExclusive}::timestamp at time zone ${zone}::text))`);
    for (const a of alerts.rows) {
      const p = periodOf(a.d);
      if (p < 0) continue;
      for (const s of scopesOf(a.site_id)) (a.dismissed ? s.dismissed : s.resolved)[p]!++;
    }

    // Purchase cycle time: orders fully received in the period, created → received.
    const pos = await tx.execute<{ site_id: string; created_at: string; received_at: string; d: string }>(sql`
      select po.site_id, po.created_at, po.received_at, to_char((po.received_at at time zone ${zone}::text)::date, 'YYYY-MM-DD') as d
        from purchase_orders po
       where po.status = 'received' and po.received_at >= ${from}::timestamp at time zone ${zone}::text
         and po.received_at < ${endExclusive}::timestamp at time zone ${zone}::text and po.site_id = ${inScope}`);
    for (const po of pos.rows) {
      const p = periodOf(po.d);
      if (p < 0) continue;
      for (const s of scopesOf(po.site_id)) s.cycleDays[p]!.push(elapsedDays(po.created_at, po.received_at));
    }

    // Supplier on-time: each receipt against an order (one posting, whatever its lines and lots),
    // due on the latest expected day of the lines it received (a line's own, else the order's).
    const receipts = await tx.execute<{
      site_id: string;
      supplier_id: string;
      supplier_name: string;
      expected: string;
      d: string;
    }>(sql`
      select po.site_id, po.supplier_id, su.name as supplier_name,
             to_char(max(coalesce(pol.expected_at, po.expected_at)), 'YYYY-MM-DD') as expected,
             to_char((m.occurred_at at time zone ${zone}::text)::date, 'YYYY-MM-DD') as d
        from movements m
        join purchase_order_lines pol on pol.id = m.purchase_order_line_id
        join purchase_orders po on po.id = pol.purchase_order_id
        join suppliers su on su.id = po.supplier_id
       where m.type = 'receipt' and coalesce(pol.expected_at, po.expected_at) is not null and po.site_id = ${inScope}
         and m.occurred_at >= ${from}::timestamp at time zone ${zone}::text and m.occurred_at < ${endExclusive}::timestamp at time zone ${zone}::text
       group by po.id, po.site_id, po.supplier_id, su.name, m.occurred_at`);
    for (const r of receipts.rows) {
      const p = periodOf(r.d);
      if (p < 0) continue;
      const ok = onTime(r.d, r.expected);
      for (const s of scopesOf(r.site_id)) {
        s.receipts[p]!.total++;
        if (ok) s.receipts[p]!.onTime++;
        const sup = s.supplier(r.supplier_id, r.supplier_name);
        sup.receipts++;
        if (ok) sup.onTime++;
      }
    }

    // Lead-time drift per supplier: every observation up to the end of the range, in order.
    const observations = await tx.execute<{
      supplier_id: string;
      supplier_name: string;
      site_id: string | null;
      days: number;
    }>(sql`
      select o.supplier_id, su.name as supplier_name, po.site_id, o.lead_time_days::float8 as days
        from lead_time_observations o join suppliers su on su.id = o.supplier_id
        left join purchase_orders po on po.id = o.purchase_order_id
       where o.received_at < ${endExclusive}::timestamp at time zone ${zone}::text
         and ${wholeOrganisation ? sql`true` : sql`po.site_id = ${inScope}`}
       order by o.received_at, o.id`);
    for (const o of observations.rows) {
      for (const s of scopesOf(o.site_id))
        s.supplier(o.supplier_id, o.supplier_name).leadTimes.push(Number(o.days));
    }

    // Backtest: the latest succeeded run, scored over the item-locations in scope.
    const run = await tx.execute<{
      id: string;
      from_date: string;
      to_date: string;
      finished_at: string | null;
    }>(sql`
      select id, to_char(from_date, 'YYYY-MM-DD') as from_date, to_char(to_date, 'YYYY-MM-DD') as to_date, finished_at
        from backtest_runs where status = 'succeeded' and format = 2 order by finished_at desc nulls last, created_at desc limit 1`);
    const bt = run.rows[0];
    if (bt) {
      const counts = await tx.execute<{
        site_id: string;
        raised: number;
        happened: number;
        hits: number;
      }>(sql`
        select l.site_id, count(*) filter (where b.alert_raised)::int as raised, count(*) filter (where b.outcome = 'new_stockout')::int as happened,
               count(*) filter (where b.alert_raised and b.outcome = 'new_stockout')::int as hits
          from backtest_rows b join locations l on l.id = b.location_id
         -- New stock-outs only: rows already at zero (or whose outcome is unknown) are not predictions.
         where b.run_id = ${bt.id} and l.site_id = ${inScope} and b.outcome in ('new_stockout', 'none') group by 1`);
      for (const c of counts.rows) {
        for (const s of scopesOf(c.site_id)) {
          s.backtest.raised += c.raised;
          s.backtest.happened += c.happened;
          s.backtest.hits += c.hits;
        }
      }
    }

    const view = (s: Scope) => ({
      siteId: s.siteId,
      siteName: s.siteName,
      periods: periods.map((p, i) => periodView(p, s, i)),
      suppliers: [...s.suppliers.entries()]
        .map(([id, x]) => {
          const drift = leadTimeDrift(x.leadTimes);
          return {
            supplierId: id,
            supplierName: x.name,
            receipts: x.receipts,
            receiptsOnTime: x.onTime,
            onTimeRate: x.receipts ? r4(x.onTime / x.receipts) : null,
            leadTime: {
              observations: drift.observations,
              overallMeanDays: n2(drift.overallMeanDays),
              recentMeanDays: n2(drift.recentMeanDays),
              historyMeanDays: n2(drift.historyMeanDays),
              driftDays: n2(drift.driftDays),
            },
          };
        })
        .sort(
          (a, b) => a.supplierName.localeCompare(b.supplierName) || a.supplierId.localeCompare(b.supplierId),
        ),
      backtest: bt
        ? (() => {
            const pr = precisionRecall(s.backtest.raised, s.backtest.happened, s.backtest.hits);
            return {
              runId: bt.id,
              from: bt.from_date,
              to: bt.to_date,
              finishedAt: bt.finished_at ? new Date(bt.finished_at).toISOString() : null,
              precision: n4(pr.precision),
              recall: n4(pr.recall),
              alertsRaised: pr.alertsRaised,
              stockouts: pr.stockouts,
            };
          })()
        : null,
    });
    return { from, to, granularity, total: view(total), sites: [...sites.values()].map(view) };
  });
}

function periodView(p: Period, s: Scope, i: number) {
  const t = s.ledger[i]!;
  const k = summariseLedgerPeriod(t);
  const cycle = mean(s.cycleDays[i]!);
  const rc = s.receipts[i]!;
  return {
    start: p.start,
    end: addDays(p.end, -1),
    days: p.days,
    stockout: {
      rate: n4(k.stockoutRate),
      stockoutDays: t.stockoutDays,
      itemLocationDays: t.itemLocationDays,
    },
    inventory: { endValue: r2(t.endValue), averageValue: r2(k.averageInventoryValue) },
    turnover: { days: n2(k.turnoverDays), consumptionValue: r2(t.consumptionValue) },
    alerts: {
      precision: n4(alertPrecision(s.resolved[i]!, s.dismissed[i]!)),
      resolved: s.resolved[i]!,
      dismissed: s.dismissed[i]!,
    },
    purchasing: { cycleTimeDays: n2(cycle), ordersReceived: s.cycleDays[i]!.length },
    supplierOnTime: {
      rate: rc.total ? r4(rc.onTime / rc.total) : null,
      onTime: rc.onTime,
      receipts: rc.total,
    },
    expiryWriteOff: { value: r2(t.writeOffValue), quantity: t.writeOffQuantity },
  };
}
