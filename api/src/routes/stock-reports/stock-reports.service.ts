import { toBaseQuantity, UnitConversionError } from '@medstock/core';
import {
  LedgerError,
  type PostedMovement,
  postStockReport,
  STOCK_REPORT_COLUMNS,
  type StockReportRow,
  type Tx,
  withTenantDb,
} from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { type FieldError, lineLedgerProblem, notFound, ProblemError } from '../../lib/problem.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';
import { itemUnitsOf } from '../movements/movement.service.ts';

export interface StockReportBody {
  itemId?: string;
  itemCode?: string;
  locationId: string;
  periodStart: string;
  periodEnd: string;
  opening?: number | null;
  received?: number;
  issued?: number;
  losses?: number;
  lossesReason?: string;
  adjustments?: number;
  adjustmentsReason?: string;
  closingCount: number;
  stockoutDays?: number;
  unit?: string;
}

type ViewRow = StockReportRow & { item_code: string; site_id: string };

export function stockReportView(r: ViewRow) {
  const n = (v: string | null) => (v === null ? null : Number(v));
  return {
    id: r.id,
    itemId: r.item_id,
    itemCode: r.item_code,
    locationId: r.location_id,
    siteId: r.site_id,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    opening: n(r.opening),
    received: Number(r.received),
    issued: Number(r.issued),
    losses: Number(r.losses),
    lossesReason: r.losses_reason,
    adjustments: Number(r.adjustments),
    adjustmentsReason: r.adjustments_reason,
    closingCount: Number(r.closing_count),
    stockoutDays: r.stockout_days,
    bookOpening: n(r.book_opening),
    bookClosing: Number(r.book_closing),
    variance: Number(r.variance),
    groupId: r.group_id,
    source: r.source,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

const SELECT = sql`select r.*, i.code as item_code, l.site_id from (select ${STOCK_REPORT_COLUMNS} from stock_reports) r
  join items i on i.id = r.item_id join locations l on l.id = r.location_id`;

const QUANTITY_FIELDS = ['opening', 'received', 'issued', 'losses', 'adjustments', 'closingCount'] as const;

type ItemRow = {
  id: string;
  base_unit: string;
  units: { code: string; factor: number }[] | null;
};

/** Resolves codes and units of one report; field errors are collected with the report's path. */
async function resolveReport(
  tx: Tx,
  auth: AuthContext,
  body: StockReportBody,
  path: string,
  errors: FieldError[],
) {
  const loc = await tx.execute<{ site_id: string; active: boolean }>(
    sql`select l.site_id, (l.active and s.active) as active from locations l join sites s on s.id = l.site_id where l.id = ${body.locationId}`,
  );
  const site = loc.rows[0]?.site_id;
  if (!site || !loc.rows[0]!.active)
    errors.push({
      field: `${path}/locationId`,
      message: 'unknown or inactive location',
      code: 'unknown_location',
    });
  else assertSiteVisible(auth, site, 'The location');
  if (!body.itemId && !body.itemCode) {
    errors.push({ field: `${path}/itemId`, message: 'give itemId or itemCode', code: 'item_required' });
    return null;
  }
  const item = await tx.execute<ItemRow>(sql`
    select i.id, i.base_unit,
           (select json_agg(json_build_object('code', u.code, 'factor', u.factor)) from item_units u where u.item_id = i.id) as units
      from items i where ${body.itemId ? sql`i.id = ${body.itemId}` : sql`i.code = ${body.itemCode!}`}`);
  const it = item.rows[0];
  if (!it) {
    errors.push({
      field: `${path}/${body.itemId ? 'itemId' : 'itemCode'}`,
      message: 'unknown item',
      code: 'unknown_item',
    });
    return null;
  }
  if (body.itemId && body.itemCode) {
    const code = await tx.execute<{ code: string }>(sql`select code from items where id = ${it.id}`);
    if (code.rows[0]?.code !== body.itemCode)
      errors.push({ field: `${path}/itemCode`, message: 'is not the code of itemId', code: 'item_mismatch' });
  }
  const units = itemUnitsOf({ ...it, unit_cost: '0' });
  const base: Record<string, number | null> = {};
  for (const f of QUANTITY_FIELDS) {
    const v = body[f];
    if (v === undefined || v === null) {
      base[f] = v ?? null;
      continue;
    }
    try {
      base[f] = toBaseQuantity(units, v, body.unit ?? it.base_unit, { allowNegative: f === 'adjustments' });
    } catch (e) {
      if (!(e instanceof UnitConversionError)) throw e;
      errors.push({
        field: `${path}/${e.code === 'units.unknown_unit' ? 'unit' : f}`,
        message: e.message,
        code: e.code.replace('.', '_'),
      });
    }
  }
  if (!site) return null;
  return { itemId: it.id, siteId: site, base };
}

export interface PostOutcome {
  reports: { report: ReturnType<typeof stockReportView>; created: boolean }[];
  posted: PostedMovement[];
}

/**
 * Posts one or many reports in ONE transaction: all are written or none. Every report's codes
 * and units are checked first (all field errors together, 422); then each is posted through the
 * ledger (postStockReport); a ledger refusal names the report's index.
 */
export async function postStockReports(
  deps: AppDeps,
  auth: AuthContext,
  bodies: StockReportBody[],
  batch: boolean,
): Promise<PostOutcome> {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const errors: FieldError[] = [];
    const pathOf = (i: number) => (batch ? `body:/reports/${i}` : 'body:');
    const resolved = [];
    for (const [i, b] of bodies.entries()) resolved.push(await resolveReport(tx, auth, b, pathOf(i), errors));
    const seen = new Map<string, number>();
    for (const [i, r] of resolved.entries()) {
      if (!r) continue;
      const key = `${r.itemId}|${bodies[i]!.locationId}|${bodies[i]!.periodStart}`;
      const first = seen.get(key);
      if (first !== undefined)
        errors.push({
          field: `${pathOf(i)}/periodStart`,
          message: `the same item, location and period as report ${first}`,
          code: 'duplicate_report',
          params: { first },
        });
      else seen.set(key, i);
    }
    if (errors.length)
      throw new ProblemError(
        422,
        errors[0]!.code ?? 'invalid_report',
        'Unprocessable content',
        `${errors.length} problem(s) in the report${batch ? 's' : ''}; nothing was posted.`,
        errors,
        // Worded as a whole; each field error keeps its own code's words.
        { params: { count: errors.length }, messageKey: 'invalid_report' },
      );
    const out: PostOutcome = { reports: [], posted: [] };
    for (const [i, r] of resolved.entries()) {
      const b = bodies[i]!;
      try {
        const p = await postStockReport(tx, {
          itemId: r!.itemId,
          locationId: b.locationId,
          periodStart: b.periodStart,
          periodEnd: b.periodEnd,
          opening: r!.base.opening ?? null,
          received: r!.base.received ?? 0,
          issued: r!.base.issued ?? 0,
          losses: r!.base.losses ?? 0,
          lossesReason: b.lossesReason ?? null,
          adjustments: r!.base.adjustments ?? 0,
          adjustmentsReason: b.adjustmentsReason ?? null,
          closingCount: r!.base.closingCount ?? 0,
          stockoutDays: b.stockoutDays ?? 0,
          source: auth.kind === 'api_key' ? 'integration' : 'api',
          actorId: auth.userId ?? auth.apiKeyId,
        });
        const view = await tx.execute<ViewRow>(sql`${SELECT} where r.id = ${p.report.id}`);
        out.reports.push({ report: stockReportView(view.rows[0]!), created: p.created });
        out.posted.push(...p.movements);
      } catch (e) {
        if (!(e instanceof LedgerError)) throw e;
        const field = `${pathOf(i)}/${!e.field || e.field === 'quantity' ? 'closingCount' : e.field}`;
        throw lineLedgerProblem(
          e,
          field,
          batch ? `Report ${i}: ${e.message} Nothing was posted.` : e.message,
        );
      }
    }
    return out;
  });
}

export async function getStockReport(deps: AppDeps, auth: AuthContext, id: string) {
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<ViewRow>(sql`${SELECT} where r.id = ${id}`),
  );
  const row = r.rows[0];
  if (!row || (auth.siteIds !== null && !auth.siteIds.includes(row.site_id)))
    throw notFound('The stock report');
  return stockReportView(row);
}

export interface StockReportFilter {
  itemId?: string;
  locationId?: string;
  siteId?: string;
  from?: string;
  to?: string;
}

/** Newest period first; keyset (period_end, id). */
export async function listStockReports(
  deps: AppDeps,
  auth: AuthContext,
  f: StockReportFilter,
  limit: number,
  after?: [string, string],
) {
  if (f.siteId) assertSiteVisible(auth, f.siteId);
  const conds = [sql`true`];
  if (f.itemId) conds.push(sql`r.item_id = ${f.itemId}`);
  if (f.locationId) conds.push(sql`r.location_id = ${f.locationId}`);
  if (f.siteId) conds.push(sql`l.site_id = ${f.siteId}`);
  // period_end is formatted as text in the view: compare it as a date.
  if (f.from) conds.push(sql`r.period_end::date >= ${f.from}::date`);
  if (f.to) conds.push(sql`r.period_end::date <= ${f.to}::date`);
  if (auth.siteIds !== null) conds.push(sql`l.site_id = any(${sql.param([...auth.siteIds])}::uuid[])`);
  if (after) conds.push(sql`(r.period_end::date, r.id) < (${after[0]}::date, ${after[1]}::uuid)`);
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<ViewRow>(
      sql`${SELECT} where ${sql.join(conds, sql` and `)} order by r.period_end desc, r.id desc limit ${limit + 1}`,
    ),
  );
  return r.rows;
}
