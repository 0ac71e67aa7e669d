import { addDays, daysBetween, type EngineInput, startOfLocalDay } from '@medstock/core';
import { balanceSeries as balanceSeriesOf, organizationTimeZone, type Tx } from '@medstock/db';
import { sql } from 'drizzle-orm';

import type { ItemLocationKey } from './watched-item-locations.ts';

/**
 * Three years of daily history: the outlook's yearly-season candidates need two full seasons before
 * their first backtest origin (core/src/forecast/outlook-pool.ts yearlyIndex), so with exactly two
 * years they never switched on live, while the backtest (which loads three) used them.
 */
export const HISTORY_DAYS = 1096;
/**
 * A series' model and distribution family are reselected by rolling origin at least this often
 * (plus 0…RESELECT_SPREAD_DAYS − 1 days, per series); in between, a recalculation fits the stored
 * choice to the current series (issue 10's refit: the selection is most of a fit's cost).
 */
export const RESELECT_AFTER_DAYS = 5;
export const RESELECT_SPREAD_DAYS = 5;
const keyOf = (item: string, loc: string) => `${item}|${loc}`;

type Row = Record<string, unknown>;
function groupBy<T extends Row>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    let list = m.get(k);
    if (!list) {
      list = [];
      m.set(k, list);
    }
    list.push(r);
  }
  return m;
}

/**
 * Loads the engine inputs of many item-locations with one query per kind of data (not per
 * item), so a full recalculation of tens of thousands of item-locations stays set-based.
 */
async function inSequence<T extends readonly (() => Promise<unknown>)[]>(
  fns: T,
): Promise<{ [K in keyof T]: Awaited<ReturnType<T[K]>> }> {
  const out: unknown[] = [];
  for (const fn of fns) out.push(await fn());
  return out as never;
}

export interface LoadOptions {
  historyDays?: number;
  /** The organisation's zone: days (demand buckets, last issue) are its local days. Read from tx when absent. */
  timeZone?: string;
  /**
   * The keys are every watched item-location from `first` to `last` in key order (a full or
   * incremental run's batch): the ledger is read as that one index range.
   */
  range?: { first: ItemLocationKey; last: ItemLocationKey };
}

export async function loadEngineInputs(
  tx: Tx,
  keys: ItemLocationKey[],
  today: string,
  horizonDays: number,
  { historyDays = HISTORY_DAYS, timeZone, range }: LoadOptions = {},
): Promise<EngineInput[]> {
  const HISTORY_DAYS = historyDays;
  if (keys.length === 0) return [];
  const itemIds = [...new Set(keys.map((k) => k.itemId))];
  const locIds = [...new Set(keys.map((k) => k.locationId))];
  const start = addDays(today, -HISTORY_DAYS);
  const horizonEnd = addDays(today, horizonDays);
  const zone = timeZone ?? (await organizationTimeZone(tx));
  const startAt = startOfLocalDay(start, zone).toISOString();
  const todayAt = startOfLocalDay(today, zone).toISOString();
  const pairs = sql`(select * from unnest(${sql.param(keys.map((k) => k.itemId))}::uuid[], ${sql.param(keys.map((k) => k.locationId))}::uuid[]) as p(item_id, location_id))`;

  // One client runs one query at a time: these run in sequence inside the caller's transaction.
  const [
    items,
    locs,
    ledger,
    lots,
    transit,
    suppliers,
    leadTimes,
    pars,
    anomalies,
    latePos,
    planned,
    subs,
    sources,
  ] = await inSequence([
    () =>
      tx.execute<{
        id: string;
        code: string;
        name_zh: string;
        name_en: string;
        ved: 'V' | 'E' | 'D';
        abc: 'A' | 'B' | 'C' | null;
        unit_cost: string;
        base_unit: string;
        base_unit_zh: string;
        base_unit_en: string;
        substitute_group: string | null;
        typical_monthly_usage: string | null;
      }>(
        sql`select id, code, name_zh, name_en, ved, abc, unit_cost::text, base_unit, base_unit_zh, base_unit_en, substitute_group, typical_monthly_usage::text from items where id = any(${sql.param(itemIds)}::uuid[])`,
      ),
    () =>
      tx.execute<{ id: string; name: string; site_id: string; site_name: string }>(
        sql`select l.id, l.name, l.site_id, s.name as site_name from locations l join sites s on s.id = l.site_id where l.id = any(${sql.param(locIds)}::uuid[])`,
      ),
    // The ledger, once per batch, one row per item-location (its days as JSON arrays: a batch's few
    // hundred thousand days cost a few hundred rows to transfer, parsed by the native JSON parser,
    // not one row each): the
    // demand series (issues and transfers out, imported history included), the daily net change of
    // real stock (for stock-out days) and the days with an issue (for days since the last issue). A batch of consecutive keys reads only its own range of the
    // (item, location, time) index, so a full run reads the ledger once in series order instead of
    // hashing the whole table per batch (the quadratic cost of issue 10).
    () =>
      tx.execute<{
        item_id: string;
        location_id: string;
        /** Local days, as day numbers from the window's first day (negative before it), ascending. */
        di: number[];
        /** Demand of the day within the window (issues and transfers out), ≥ 0. */
        q: number[];
        /** Net change of stock that day. */
        net: number[];
        /** 1: a count that day; 2: its first row is a receipt or a count; 4: an issue that day. */
        flags: number[];
      }>(sql`
      select item_id, location_id, json_agg(di order by di) as di, json_agg(q order by di) as q,
             json_agg(net order by di) as net, json_agg(flags order by di) as flags
        from (
          select m.item_id, m.location_id, ((m.occurred_at at time zone ${zone}::text)::date - ${start}::date) as di,
                 (-coalesce(sum(m.quantity) filter (where m.type in ('issue', 'transfer_out') and m.occurred_at >= ${startAt}::timestamptz and m.occurred_at < ${todayAt}::timestamptz), 0))::float8 as q,
                 coalesce(sum(m.quantity), 0)::float8 as net,
                 -- Known-ness of past balances (db balance-history): a count or baseline makes it
                 -- known; so does a first row that is a receipt or a count.
                 (case when bool_or(m.type = 'stocktake') then 1 else 0 end
                  + case when min(m.occurred_at) filter (where m.type in ('receipt', 'stocktake')) = min(m.occurred_at) then 2 else 0 end
                  + case when bool_or(m.type = 'issue') then 4 else 0 end) as flags
            from movements m
            ${
              range
                ? sql`where (m.item_id, m.location_id) >= (${range.first.itemId}::uuid, ${range.first.locationId}::uuid)
                        and (m.item_id, m.location_id) <= (${range.last.itemId}::uuid, ${range.last.locationId}::uuid)`
                : sql`join ${pairs} p using (item_id, location_id)`
            }
           group by 1, 2, 3) x
       group by 1, 2`),
    () =>
      tx.execute<{
        item_id: string;
        location_id: string;
        lot_number: string;
        expiry_date: string | null;
        on_hand: number;
      }>(sql`
      select s.item_id, s.location_id, lo.lot_number, to_char(lo.expiry_date, 'YYYY-MM-DD') as expiry_date,
             s.on_hand - least(s.quarantined, s.on_hand) as on_hand
        from stock s join ${pairs} p using (item_id, location_id) join lots lo on lo.id = s.lot_id
       -- Units on hold (inspection pending, a recall) cannot be used: the engine sees usable stock only.
       where s.on_hand > least(s.quarantined, s.on_hand)`),
    () =>
      tx.execute<{ item_id: string; location_id: string; expected_in: number | null; q: number }>(sql`
      select l.item_id, po.location_id, (po.expected_at - ${today}::date) as expected_in,
             sum(greatest(l.quantity_ordered - l.quantity_received, 0))::float8 as q
        from purchase_order_lines l join purchase_orders po on po.id = l.purchase_order_id
       where po.status in ('approved', 'sent', 'partially_received') and l.item_id = any(${sql.param(itemIds)}::uuid[])
       group by 1, 2, 3 having sum(greatest(l.quantity_ordered - l.quantity_received, 0)) > 0`),
    () =>
      tx.execute<{
        item_id: string;
        supplier_id: string;
        name: string;
        pack_size: number;
        moq_packs: number;
        pack_price: string;
        lead: string;
      }>(sql`
      select distinct on (isup.item_id) isup.item_id, s.id as supplier_id, s.name, isup.pack_size, isup.moq_packs, isup.pack_price::text,
             coalesce(isup.nominal_lead_time_days, s.nominal_lead_time_days)::text as lead
        from item_suppliers isup join suppliers s on s.id = isup.supplier_id
       where isup.item_id = any(${sql.param(itemIds)}::uuid[]) and s.active
       order by isup.item_id, isup.preferred desc, isup.pack_price`),
    () =>
      tx.execute<{ item_id: string; supplier_id: string; days: number }>(sql`
      select item_id, supplier_id, lead_time_days::float8 as days from lead_time_observations
       where item_id = any(${sql.param(itemIds)}::uuid[]) order by received_at, id`),
    () =>
      tx.execute<{ item_id: string; location_id: string; min_qty: number; max_qty: number | null }>(sql`
      select pl.item_id, pl.location_id, pl.min_qty, pl.max_qty from par_levels pl join ${pairs} p using (item_id, location_id)`),
    () =>
      tx.execute<{
        item_id: string;
        location_id: string;
        day: string;
        quantity: number;
        expected: number;
      }>(sql`
      select a.item_id, a.location_id, to_char(a.day, 'YYYY-MM-DD') as day, a.quantity::float8 as quantity, a.expected::float8 as expected
        from consumption_anomalies a join ${pairs} p using (item_id, location_id) where a.status = 'pending' order by a.day desc`),
    () =>
      tx.execute<{
        item_id: string;
        location_id: string;
        id: string;
        number: string;
        expected_at: string;
        days_late: number;
        supplier_name: string;
      }>(sql`
      select l.item_id, po.location_id, po.id, po.number, to_char(po.expected_at, 'YYYY-MM-DD') as expected_at,
             (${today}::date - po.expected_at) as days_late, s.name as supplier_name
        from purchase_order_lines l join purchase_orders po on po.id = l.purchase_order_id join suppliers s on s.id = po.supplier_id
       where po.status in ('approved', 'sent', 'partially_received') and po.expected_at < ${today}::date
         and l.quantity_received < l.quantity_ordered and l.item_id = any(${sql.param(itemIds)}::uuid[])`),
    () =>
      tx.execute<{ item_id: string; location_id: string; d: string; q: number }>(sql`
      select k.item_id, sp.location_id, to_char(sp.scheduled_for, 'YYYY-MM-DD') as d, sum(k.quantity)::float8 as q
        from scheduled_procedures sp join procedure_kit_items k on k.procedure_type_id = sp.procedure_type_id
       where sp.status = 'scheduled' and sp.scheduled_for >= ${today}::date and sp.scheduled_for < ${horizonEnd}::date
         and k.item_id = any(${sql.param(itemIds)}::uuid[]) group by 1, 2, 3`),
    () =>
      tx.execute<{
        for_item: string;
        location_id: string;
        code: string;
        name_zh: string;
        name_en: string;
        on_hand: number;
      }>(sql`
      select i.id as for_item, s.location_id, o.code, o.name_zh, o.name_en, sum(s.on_hand)::float8 as on_hand
        from items i join items o on o.substitute_group = i.substitute_group and o.id <> i.id and o.active
        join stock s on s.item_id = o.id
       where i.id = any(${sql.param(itemIds)}::uuid[]) and i.substitute_group is not null and s.on_hand > 0
       group by 1, 2, 3, 4, 5`),
    () =>
      tx.execute<{
        item_id: string;
        location_id: string;
        site_id: string;
        site_name: string;
        available: number;
      }>(sql`
      select s.item_id, s.location_id, l.site_id, si.name as site_name, (sum(s.on_hand) - coalesce(max(pl.max_qty), 0))::float8 as available
        from stock s join locations l on l.id = s.location_id join sites si on si.id = l.site_id
        join par_levels pl on pl.location_id = s.location_id and pl.item_id = s.item_id
        join lots lo on lo.id = s.lot_id
       where s.item_id = any(${sql.param(itemIds)}::uuid[]) and pl.max_qty is not null and (lo.expiry_date is null or lo.expiry_date > ${today}::date + 30)
       group by 1, 2, 3, 4 having sum(s.on_hand) > coalesce(max(pl.max_qty), 0)`),
  ] as const);

  // Stock reports: the days out of stock they state are censored at the end of their period.
  const reports = await tx.execute<{
    item_id: string;
    location_id: string;
    period_start: string;
    period_end: string;
    stockout_days: number;
  }>(sql`
    select r.item_id, r.location_id, to_char(r.period_start, 'YYYY-MM-DD') as period_start,
           to_char(r.period_end, 'YYYY-MM-DD') as period_end, r.stockout_days
      from stock_reports r join ${pairs} p using (item_id, location_id)`);
  const reportsBy = groupBy(reports.rows, (r) => keyOf(r.item_id, r.location_id));
  // The stored model choice, reused (fitted again on today's series, not reselected) until the
  // series is due its periodic reselection: after RESELECT_AFTER_DAYS, give or take a few days per
  // series so one first run's item-locations do not all reselect on the same later day.
  const choices = await tx.execute<{
    item_id: string;
    location_id: string;
    model: string;
    family: string;
    grain: string | null;
  }>(sql`
    select c.item_id, c.location_id, c.model, c.forecast_family as family, c.forecast_grain as grain
      from item_location_policies c join ${pairs} p using (item_id, location_id)
     where c.model <> 'none' and c.forecast_family is not null and c.model_chosen_at is not null
       and c.model_chosen_at > now() - make_interval(days => ${RESELECT_AFTER_DAYS} + abs(hashtext(c.item_id::text || c.location_id::text)) % ${RESELECT_SPREAD_DAYS})`);
  const choiceBy = new Map(
    choices.rows.map((r) => [
      keyOf(r.item_id, r.location_id),
      { model: r.model, family: r.family, grain: r.grain },
    ]),
  );
  const itemById = new Map(items.rows.map((r) => [r.id, r]));
  const locById = new Map(locs.rows.map((r) => [r.id, r]));
  const ledgerBy = new Map(ledger.rows.map((r) => [keyOf(r.item_id, r.location_id), r]));
  const lotsBy = groupBy(lots.rows, (r) => keyOf(r.item_id, r.location_id));
  const transitBy = groupBy(transit.rows, (r) => keyOf(r.item_id, r.location_id));
  const supplierBy = new Map(suppliers.rows.map((r) => [r.item_id, r]));
  const leadBy = groupBy(leadTimes.rows, (r) => `${r.item_id}|${r.supplier_id}`);
  const parBy = new Map(
    pars.rows.map((r) => [keyOf(r.item_id, r.location_id), r.max_qty === null ? null : Number(r.max_qty)]),
  );
  const parMinBy = new Map(pars.rows.map((r) => [keyOf(r.item_id, r.location_id), Number(r.min_qty)]));
  const anomaliesBy = groupBy(anomalies.rows, (r) => keyOf(r.item_id, r.location_id));
  const lateBy = groupBy(latePos.rows, (r) => keyOf(r.item_id, r.location_id));
  const plannedBy = groupBy(planned.rows, (r) => keyOf(r.item_id, r.location_id));
  const subsBy = groupBy(subs.rows, (r) => keyOf(r.for_item, r.location_id));
  const sourcesBy = groupBy(sources.rows, (r) => r.item_id);

  // Day strings repeat across every item-location of the batch: parse and format each once.
  const dayCache = new Map<string, number>();
  const dayIndex = (d: string) => {
    let i = dayCache.get(d);
    if (i === undefined) {
      i = daysBetween(start, d);
      dayCache.set(d, i);
    }
    return i;
  };
  const labelCache = new Map<number, string>();
  const dayLabel = (i: number) => {
    let d = labelCache.get(i);
    if (d === undefined) {
      d = addDays(start, i);
      labelCache.set(i, d);
    }
    return d;
  };
  const out: EngineInput[] = [];
  for (const k of keys) {
    const item = itemById.get(k.itemId);
    const loc = locById.get(k.locationId);
    if (!item || !loc) continue;
    const key = keyOf(k.itemId, k.locationId);
    // History starts at the first day with any movement, so new items are not padded with zeros.
    const led = ledgerBy.get(key);
    const di = led?.di ?? [];
    let firstDay = HISTORY_DAYS;
    for (let j = 0; j < di.length; j++)
      if (led!.q[j] !== 0 || led!.net[j] !== 0) {
        firstDay = di[j]!;
        break;
      }
    firstDay = Math.max(0, firstDay);
    const history: number[] = Array(HISTORY_DAYS - firstDay).fill(0);
    for (let j = 0; j < di.length; j++) {
      const i = di[j]! - firstDay;
      if (i >= 0 && i < history.length && led!.q[j] !== 0) history[i] = led!.q[j]!;
    }
    // End-of-day balance from the whole ledger, history included; null while unknown (before the
    // first count or baseline, unless the first row is a receipt or a count). A day that ended at
    // zero known stock censors demand; so do the stock-out days a stock report states.
    const stockoutDays = Array(history.length).fill(false);
    const windowDays = history.map((_, i) => dayLabel(firstDay + i));
    const balanceSeries: (number | null)[] = balanceSeriesOf(
      di.map((d, j) => ({
        day: dayLabel(d),
        net: led!.net[j]!,
        firstType: led!.flags[j]! & 2 ? 'receipt' : 'issue',
        hasCount: (led!.flags[j]! & 1) !== 0,
      })),
      windowDays,
    );
    for (let i = 0; i < history.length; i++) {
      const b = balanceSeries[i];
      stockoutDays[i] = b !== null && b !== undefined && b <= 0 && history[i] === 0;
    }
    for (const rep of reportsBy.get(key) ?? []) {
      const first = dayIndex(rep.period_start) - firstDay;
      const last = dayIndex(rep.period_end) - firstDay;
      for (let i = Math.max(0, first); i <= Math.min(last, history.length - 1); i++)
        stockoutDays[i] = i > last - Number(rep.stockout_days);
    }
    const plannedArr = Array(horizonDays).fill(0);
    for (const r of plannedBy.get(key) ?? []) {
      const i = daysBetween(today, r.d);
      if (i >= 0 && i < horizonDays) plannedArr[i] += Number(r.q);
    }
    const sup = supplierBy.get(k.itemId);
    const itemLots = (lotsBy.get(key) ?? []).map((l) => ({
      lotNumber: l.lot_number,
      expiryDate: l.expiry_date,
      onHand: Number(l.on_hand),
    }));
    const source = (sourcesBy.get(k.itemId) ?? []).find(
      (s) => s.location_id !== k.locationId && s.site_id !== loc.site_id,
    );
    // Days are in order: the last day with an issue is the last flagged one.
    let lastIssue: number | null = null;
    for (let j = di.length - 1; j >= 0 && lastIssue === null; j--) if (led!.flags[j]! & 4) lastIssue = di[j]!;
    out.push({
      today,
      item: {
        id: item.id,
        code: item.code,
        nameZh: item.name_zh,
        nameEn: item.name_en,
        ved: item.ved,
        abc: item.abc,
        unitCost: Number(item.unit_cost),
        baseUnit: item.base_unit,
        baseUnitZh: item.base_unit_zh,
        baseUnitEn: item.base_unit_en,
      },
      location: { id: loc.id, name: loc.name, siteName: loc.site_name },
      history,
      historyStartDate: addDays(start, firstDay),
      balance: balanceSeries,
      stockoutDays,
      excludedDays: (anomaliesBy.get(key) ?? [])
        .map((a) => dayIndex(a.day) - firstDay)
        .filter((i) => i >= 0 && i < history.length),
      planned: plannedArr,
      onHand: itemLots.reduce((a, l) => a + l.onHand, 0),
      inTransit: (transitBy.get(key) ?? []).reduce((a, r) => a + Number(r.q), 0),
      arrivals: (transitBy.get(key) ?? []).map((r) => ({
        // Days from today; null when the order has no expected date (then: after the lead time).
        // An overdue order is assumed as late again as it already is, never "today".
        day: r.expected_in === null ? null : r.expected_in >= 0 ? r.expected_in : -r.expected_in,
        quantity: Number(r.q),
      })),
      lots: itemLots,
      leadTimes: {
        observedDays: sup
          ? (leadBy.get(`${k.itemId}|${sup.supplier_id}`) ?? []).map((r) => Number(r.days))
          : [],
        nominalDays: sup ? Number(sup.lead) : 7,
      },
      supplier: sup
        ? {
            id: sup.supplier_id,
            name: sup.name,
            packSize: sup.pack_size,
            moqPacks: sup.moq_packs,
            packPrice: Number(sup.pack_price),
          }
        : null,
      parMax: parBy.get(key) ?? null,
      parMin: parMinBy.get(key) ?? null,
      typicalMonthlyUsage: item.typical_monthly_usage === null ? null : Number(item.typical_monthly_usage),
      // Never issued: count from the first movement, so a fresh receipt is not dead stock yet.
      lastIssueDaysAgo: lastIssue !== null ? HISTORY_DAYS - lastIssue : history.length,
      pendingAnomalies: (anomaliesBy.get(key) ?? []).map((a) => ({
        date: a.day,
        quantity: Number(a.quantity),
        expected: Number(a.expected),
      })),
      latePurchaseOrders: (lateBy.get(key) ?? []).map((p) => ({
        id: p.id,
        number: p.number,
        expectedAt: p.expected_at,
        daysLate: Number(p.days_late),
        supplierName: p.supplier_name,
      })),
      substitutesInStock: (subsBy.get(key) ?? []).map((s) => ({
        code: s.code,
        nameZh: s.name_zh,
        nameEn: s.name_en,
        onHand: Number(s.on_hand),
      })),
      previousChoice: choiceBy.get(key) ?? null,
      transferSource: source
        ? {
            locationId: source.location_id,
            siteName: source.site_name,
            availableBase: Number(source.available),
          }
        : null,
    });
  }
  return out;
}
