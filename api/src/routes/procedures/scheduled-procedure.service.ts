import { addDays, daysBetween } from '@medstock/core';
import {
  emitEvent,
  organizationToday,
  type PostedMovement,
  postMovement,
  requestRecalculation,
  type Tx,
  withTenantDb,
} from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { conflict, type FieldError, notFound, ProblemError, unprocessable } from '../../lib/problem.ts';
import { iso, isoRequired } from '../../lib/schemas.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';
import { usableLocationSite } from '../purchase-orders/lookups.ts';

export type ProcedureStatus = 'scheduled' | 'done' | 'cancelled';

type ScheduledRow = {
  id: string;
  procedure_type_id: string;
  procedure_type_code: string;
  site_id: string;
  location_id: string;
  scheduled_for: string;
  external_ref: string | null;
  status: ProcedureStatus;
  done_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
};

const SP_SELECT = sql`
  select sp.id, sp.procedure_type_id, pt.code as procedure_type_code, sp.site_id, sp.location_id,
         to_char(sp.scheduled_for, 'YYYY-MM-DD') as scheduled_for, sp.external_ref, sp.status, sp.done_at, sp.created_at, sp.updated_at
    from scheduled_procedures sp join procedure_types pt on pt.id = sp.procedure_type_id`;

export function scheduledView(r: ScheduledRow) {
  return {
    id: r.id,
    procedureTypeId: r.procedure_type_id,
    procedureTypeCode: r.procedure_type_code,
    siteId: r.site_id,
    locationId: r.location_id,
    scheduledFor: r.scheduled_for,
    externalRef: r.external_ref,
    status: r.status,
    doneAt: iso(r.done_at),
    createdAt: isoRequired(r.created_at),
    updatedAt: isoRequired(r.updated_at),
  };
}

async function loadScheduled(tx: Tx, id: string) {
  const r = await tx.execute<ScheduledRow>(sql`${SP_SELECT} where sp.id = ${id}`);
  return r.rows[0];
}

export interface ProcedureRef {
  procedureTypeId?: string;
  procedureTypeCode?: string;
}

/** Procedure types named by id or by code (an HIS knows its own codes), in one query. */
async function procedureTypesByRef(tx: Tx, refs: readonly ProcedureRef[]) {
  const ids = refs.flatMap((r) => (r.procedureTypeId ? [r.procedureTypeId] : []));
  const codes = refs.flatMap((r) => (r.procedureTypeCode && !r.procedureTypeId ? [r.procedureTypeCode] : []));
  const r = await tx.execute<{ id: string; code: string }>(sql`
    select id, code from procedure_types where id = any(${sql.param(ids)}::uuid[]) or code = any(${sql.param(codes)}::text[])`);
  const byId = new Map(r.rows.map((x) => [x.id, x.id]));
  const byCode = new Map(r.rows.map((x) => [x.code, x.id]));
  return (ref: ProcedureRef) =>
    ref.procedureTypeId
      ? byId.get(ref.procedureTypeId)
      : ref.procedureTypeCode
        ? byCode.get(ref.procedureTypeCode)
        : undefined;
}

function procedureTypeError(ref: ProcedureRef, at: string): FieldError {
  if (!ref.procedureTypeId && !ref.procedureTypeCode)
    return {
      field: `${at}/procedureTypeId`,
      message: 'give procedureTypeId or procedureTypeCode',
      code: 'required',
    };
  return ref.procedureTypeId
    ? { field: `${at}/procedureTypeId`, message: 'unknown procedure type', code: 'unknown_procedure_type' }
    : { field: `${at}/procedureTypeCode`, message: 'unknown procedure type', code: 'unknown_procedure_type' };
}

/**
 * Kit items × location of the given procedures: the item-locations whose planned demand changed.
 * They are marked for recalculation in this transaction (outbox) and returned.
 */
async function plannedPairs(tx: Tx, procedureIds: readonly string[]) {
  if (procedureIds.length === 0) return [];
  const r = await tx.execute<{ item_id: string; location_id: string }>(sql`
    select distinct k.item_id, sp.location_id from scheduled_procedures sp join procedure_kit_items k on k.procedure_type_id = sp.procedure_type_id
     where sp.id = any(${sql.param([...procedureIds])}::uuid[])`);
  const pairs = r.rows.map((x) => ({ itemId: x.item_id, locationId: x.location_id }));
  await requestRecalculation(tx, pairs);
  return pairs;
}

export interface ScheduleInput extends ProcedureRef {
  locationId: string;
  scheduledFor: string;
  externalRef?: string;
}

export async function scheduleProcedure(deps: AppDeps, auth: AuthContext, input: ScheduleInput) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const siteId = await usableLocationSite(tx, auth, input.locationId);
    const typeId = (await procedureTypesByRef(tx, [input]))(input);
    if (!typeId)
      throw unprocessable('unknown_procedure_type', 'The procedure type does not exist.', [
        procedureTypeError(input, 'body:'),
      ]);
    if (input.externalRef !== undefined) {
      const taken = await tx.execute(
        sql`select 1 from scheduled_procedures where external_ref = ${input.externalRef}`,
      );
      if (taken.rowCount)
        throw conflict(
          'external_ref_taken',
          `A scheduled procedure with externalRef ${input.externalRef} exists; use the bulk route to update it.`,
          { externalRef: input.externalRef },
        );
    }
    const r = await tx.execute<{ id: string }>(sql`
      insert into scheduled_procedures (procedure_type_id, site_id, location_id, scheduled_for, external_ref)
      values (${typeId}, ${siteId}, ${input.locationId}, ${input.scheduledFor}, ${input.externalRef ?? null}) returning id`);
    const id = r.rows[0]!.id;
    return {
      procedure: scheduledView((await loadScheduled(tx, id))!),
      touched: await plannedPairs(tx, [id]),
    };
  });
}

export interface BulkScheduleItem extends ScheduleInput {
  externalRef: string;
  status?: 'scheduled' | 'cancelled';
}

export type BulkOutcome = 'created' | 'updated' | 'unchanged' | 'locked';

/**
 * The HIS posts its schedule, again and again: rows are matched by externalRef, created when
 * new, updated when changed, left alone when identical, and never changed once done (the kit was
 * issued). Every row is validated before anything is written; one bad row refuses the batch.
 */
export async function upsertSchedule(deps: AppDeps, auth: AuthContext, items: BulkScheduleItem[]) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const typeOf = await procedureTypesByRef(tx, items);
    const locs = await tx.execute<{ id: string; site_id: string; active: boolean }>(sql`
      select id, site_id, active from locations where id = any(${sql.param([...new Set(items.map((i) => i.locationId))])}::uuid[])`);
    const locById = new Map(locs.rows.map((l) => [l.id, l]));
    const existing = await tx.execute<{
      id: string;
      external_ref: string;
      site_id: string;
      status: ProcedureStatus;
    }>(sql`
      select id, external_ref, site_id, status from scheduled_procedures
       where external_ref = any(${sql.param(items.map((i) => i.externalRef))}::text[]) for update`);
    const existingByRef = new Map(existing.rows.map((e) => [e.external_ref, e]));

    const errors: FieldError[] = [];
    const seen = new Set<string>();
    const rows = items.flatMap((item, i) => {
      const at = `body:/items/${i}`;
      const before = errors.length;
      if (seen.has(item.externalRef))
        errors.push({
          field: `${at}/externalRef`,
          message: 'appears twice in this batch',
          code: 'duplicate_external_ref',
        });
      seen.add(item.externalRef);
      const typeId = typeOf(item);
      if (!typeId) errors.push(procedureTypeError(item, at));
      const loc = locById.get(item.locationId);
      const visible = loc && (auth.siteIds === null || auth.siteIds.includes(loc.site_id));
      if (!visible)
        errors.push({ field: `${at}/locationId`, message: 'unknown location', code: 'unknown_location' });
      else if (!loc.active)
        errors.push({
          field: `${at}/locationId`,
          message: 'the location is inactive',
          code: 'unknown_location',
        });
      const prior = existingByRef.get(item.externalRef);
      if (prior && auth.siteIds !== null && !auth.siteIds.includes(prior.site_id)) {
        errors.push({
          field: `${at}/externalRef`,
          message: 'belongs to a procedure outside your sites',
          code: 'external_ref_taken',
        });
      }
      if (errors.length > before) return [];
      return [
        {
          ref: item.externalRef,
          typeId: typeId!,
          siteId: loc!.site_id,
          locationId: item.locationId,
          date: item.scheduledFor,
          status: item.status ?? 'scheduled',
        },
      ];
    });
    if (errors.length)
      throw unprocessable('invalid_rows', 'Some rows are not valid; nothing was saved.', errors);

    const col = <K extends keyof (typeof rows)[number]>(k: K) => sql.param(rows.map((r) => r[k]));
    const written = await tx.execute<{ id: string; external_ref: string; inserted: boolean }>(sql`
      insert into scheduled_procedures (external_ref, procedure_type_id, site_id, location_id, scheduled_for, status)
      select * from unnest(${col('ref')}::text[], ${col('typeId')}::uuid[], ${col('siteId')}::uuid[], ${col('locationId')}::uuid[],
                           ${col('date')}::date[], ${col('status')}::text[])
      on conflict (external_ref) do update set
        procedure_type_id = excluded.procedure_type_id, site_id = excluded.site_id, location_id = excluded.location_id,
        scheduled_for = excluded.scheduled_for, status = excluded.status, updated_at = now()
       where scheduled_procedures.status <> 'done'
         and (scheduled_procedures.procedure_type_id, scheduled_procedures.location_id, scheduled_procedures.scheduled_for, scheduled_procedures.status)
             is distinct from (excluded.procedure_type_id, excluded.location_id, excluded.scheduled_for, excluded.status)
      returning id, external_ref, (xmax = 0) as inserted`);
    const writtenByRef = new Map(written.rows.map((w) => [w.external_ref, w]));
    // A row another batch inserted after our pre-read, and left as is, is read back now.
    const unseen = rows
      .filter((r) => !writtenByRef.has(r.ref) && !existingByRef.has(r.ref))
      .map((r) => r.ref);
    if (unseen.length) {
      const late = await tx.execute<{
        id: string;
        external_ref: string;
        site_id: string;
        status: ProcedureStatus;
      }>(sql`
        select id, external_ref, site_id, status from scheduled_procedures where external_ref = any(${sql.param(unseen)}::text[])`);
      for (const e of late.rows) existingByRef.set(e.external_ref, e);
    }
    const results = rows.map((r) => {
      const w = writtenByRef.get(r.ref);
      if (w)
        return { externalRef: r.ref, id: w.id, outcome: (w.inserted ? 'created' : 'updated') as BulkOutcome };
      const prior = existingByRef.get(r.ref)!;
      return {
        externalRef: r.ref,
        id: prior.id,
        outcome: (prior.status === 'done' ? 'locked' : 'unchanged') as BulkOutcome,
      };
    });
    const count = (o: BulkOutcome) => results.filter((r) => r.outcome === o).length;
    return {
      summary: {
        created: count('created'),
        updated: count('updated'),
        unchanged: count('unchanged'),
        locked: count('locked'),
      },
      items: results,
      touched: await plannedPairs(
        tx,
        written.rows.map((w) => w.id),
      ),
    };
  });
}

export async function getScheduledProcedure(deps: AppDeps, auth: AuthContext, id: string) {
  const row = await withTenantDb(deps.database.db, auth, (tx) => loadScheduled(tx, id));
  if (!row || (auth.siteIds !== null && !auth.siteIds.includes(row.site_id)))
    throw notFound('The scheduled procedure');
  return scheduledView(row);
}

export interface ScheduleFilter {
  siteId?: string;
  locationId?: string;
  procedureTypeId?: string;
  status?: ProcedureStatus;
  from?: string;
  to?: string;
}

export async function listScheduledProcedures(
  deps: AppDeps,
  auth: AuthContext,
  f: ScheduleFilter,
  limit: number,
  after?: (string | number)[],
) {
  if (f.siteId) assertSiteVisible(auth, f.siteId);
  const conds = [sql`true`];
  if (f.siteId) conds.push(sql`sp.site_id = ${f.siteId}`);
  if (f.locationId) conds.push(sql`sp.location_id = ${f.locationId}`);
  if (f.procedureTypeId) conds.push(sql`sp.procedure_type_id = ${f.procedureTypeId}`);
  if (f.status) conds.push(sql`sp.status = ${f.status}`);
  if (f.from) conds.push(sql`sp.scheduled_for >= ${f.from}::date`);
  if (f.to) conds.push(sql`sp.scheduled_for <= ${f.to}::date`);
  if (auth.siteIds !== null) conds.push(sql`sp.site_id = any(${sql.param([...auth.siteIds])}::uuid[])`);
  if (after)
    conds.push(sql`(sp.scheduled_for, sp.id) > (${String(after[0])}::date, ${String(after[1])}::uuid)`);
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<ScheduledRow>(
      sql`${SP_SELECT} where ${sql.join(conds, sql` and `)} order by sp.scheduled_for, sp.id limit ${limit + 1}`,
    ),
  );
  return r.rows;
}

async function lockScheduled(tx: Tx, auth: AuthContext, id: string) {
  const r = await tx.execute<{
    id: string;
    status: ProcedureStatus;
    site_id: string;
    location_id: string;
    procedure_type_id: string;
    external_ref: string | null;
  }>(
    sql`select id, status, site_id, location_id, procedure_type_id, external_ref from scheduled_procedures where id = ${id} for update`,
  );
  const sp = r.rows[0];
  if (!sp) throw notFound('The scheduled procedure');
  assertSiteVisible(auth, sp.site_id, 'The scheduled procedure');
  return sp;
}

const invalidTransition = (status: ProcedureStatus, verb: string) =>
  new ProblemError(
    409,
    'invalid_transition',
    'Conflict',
    `The procedure is ${status}; it cannot be ${verb}.`,
    undefined,
    {
      currentStatus: status,
      params: { status, action: verb },
      messageKey: 'invalid_transition.procedure',
    },
  );

/**
 * Marks a procedure done and issues its kit from the procedure's location, each item FEFO. Every
 * shortage is reported at once (409 insufficient_stock with one error per item) and nothing is
 * written; the ledger's own checks still guard against stock taken concurrently.
 */
export async function completeProcedure(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  opts: { doneAt?: string },
) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const sp = await lockScheduled(tx, auth, id);
    if (sp.status !== 'scheduled') throw invalidTransition(sp.status, 'completed');
    const doneAt = opts.doneAt ? new Date(opts.doneAt) : new Date();
    if (doneAt.getTime() > Date.now() + 5 * 60_000) {
      throw unprocessable('done_in_future', 'doneAt is in the future.', [
        { field: 'body:/doneAt', message: 'in the future' },
      ]);
    }
    const kit = await tx.execute<{
      item_id: string;
      item_code: string;
      base_unit: string;
      required: number;
      available: number;
    }>(sql`
      select k.item_id, i.code as item_code, i.base_unit, k.quantity::float8 as required,
             coalesce((select sum(s.on_hand) from stock s join lots lo on lo.id = s.lot_id
                        where s.location_id = ${sp.location_id} and s.item_id = k.item_id
                          and (lo.expiry_date is null or lo.expiry_date >= ${await organizationToday(tx)}::date)), 0)::float8 as available
        from procedure_kit_items k join items i on i.id = k.item_id
       where k.procedure_type_id = ${sp.procedure_type_id} order by i.code`);
    const short = kit.rows.filter((k) => Number(k.available) < Number(k.required));
    if (short.length) {
      throw new ProblemError(
        409,
        'insufficient_stock',
        'Conflict',
        `The kit cannot be issued from this location: ${short.map((k) => `${k.item_code} needs ${k.required} ${k.base_unit}, ${k.available} usable`).join('; ')}.`,
        short.map((k) => ({
          field: `kit:/${k.item_code}`,
          message: `needs ${k.required}, ${k.available} usable (unexpired) in stock`,
          code: 'insufficient_stock',
          messageKey: 'insufficient_stock.kit_item',
          params: { itemCode: k.item_code, required: k.required, available: k.available, unit: k.base_unit },
        })),
        {
          messageKey: 'insufficient_stock.kit',
          params: { items: short.map((k) => k.item_code) },
          shortages: short.map((k) => ({
            itemId: k.item_id,
            itemCode: k.item_code,
            required: Number(k.required),
            available: Number(k.available),
          })),
        },
      );
    }
    const posted: PostedMovement[] = [];
    const deliveryIds: string[] = [];
    for (const k of kit.rows) {
      const rows = await postMovement(tx, {
        type: 'issue',
        itemId: k.item_id,
        locationId: sp.location_id,
        quantity: Number(k.required),
        reason: 'procedure kit',
        reference: sp.external_ref ?? sp.id,
        source: 'procedure',
        scheduledProcedureId: sp.id,
        occurredAt: doneAt,
        actorId: auth.userId ?? auth.apiKeyId,
      });
      posted.push(...rows);
      const ev = await emitEvent(tx, 'movement.created', {
        groupId: rows[0]!.groupId,
        type: 'issue',
        itemId: k.item_id,
        siteId: sp.site_id,
        toSiteId: null,
        scheduledProcedureId: sp.id,
        movements: rows,
      });
      deliveryIds.push(...ev.deliveryIds);
    }
    await tx.execute(
      sql`update scheduled_procedures set status = 'done', done_at = ${doneAt}::timestamptz, updated_at = now() where id = ${id}`,
    );
    return { procedure: scheduledView((await loadScheduled(tx, id))!), posted, deliveryIds };
  });
}

export async function cancelProcedure(deps: AppDeps, auth: AuthContext, id: string) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const sp = await lockScheduled(tx, auth, id);
    if (sp.status !== 'scheduled') throw invalidTransition(sp.status, 'cancelled');
    await tx.execute(
      sql`update scheduled_procedures set status = 'cancelled', updated_at = now() where id = ${id}`,
    );
    return {
      procedure: scheduledView((await loadScheduled(tx, id))!),
      touched: await plannedPairs(tx, [id]),
    };
  });
}

type PlannedRow = {
  date: string;
  item_id: string;
  item_code: string;
  name_zh: string;
  name_en: string;
  base_unit: string;
  site_id: string;
  location_id: string;
  quantity: number;
  procedures: number;
};

export const MAX_PLANNED_DAYS = 366;

/**
 * Forward demand from the schedule: for each date, item and location, the kit quantity times the
 * procedures still scheduled there. Done procedures already consumed their kit (it is in the
 * ledger) and cancelled ones never will.
 */
export async function plannedDemand(
  deps: AppDeps,
  auth: AuthContext,
  f: { siteId?: string; locationId?: string; itemId?: string; from?: string; to?: string },
) {
  if (f.siteId) assertSiteVisible(auth, f.siteId);
  const from = f.from ?? (await withTenantDb(deps.database.db, auth, (tx) => organizationToday(tx)));
  const to = f.to ?? addDays(from, 29);
  const days = daysBetween(from, to) + 1;
  if (days < 1)
    throw unprocessable('invalid_range', '`to` is before `from`.', [
      { field: 'querystring:/to', message: 'before from' },
    ]);
  if (days > MAX_PLANNED_DAYS) {
    throw unprocessable(
      'range_too_long',
      `At most ${MAX_PLANNED_DAYS} days at once.`,
      [{ field: 'querystring:/to', message: `more than ${MAX_PLANNED_DAYS} days after from` }],
      { max: MAX_PLANNED_DAYS },
    );
  }
  const conds = [sql`sp.status = 'scheduled'`, sql`sp.scheduled_for between ${from}::date and ${to}::date`];
  if (f.siteId) conds.push(sql`sp.site_id = ${f.siteId}`);
  if (f.locationId) conds.push(sql`sp.location_id = ${f.locationId}`);
  if (f.itemId) conds.push(sql`k.item_id = ${f.itemId}`);
  if (auth.siteIds !== null) conds.push(sql`sp.site_id = any(${sql.param([...auth.siteIds])}::uuid[])`);
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<PlannedRow>(sql`
      select to_char(sp.scheduled_for, 'YYYY-MM-DD') as date, k.item_id, i.code as item_code, i.name_zh, i.name_en, i.base_unit,
             sp.site_id, sp.location_id, sum(k.quantity)::float8 as quantity, count(*)::int as procedures
        from scheduled_procedures sp
        join procedure_kit_items k on k.procedure_type_id = sp.procedure_type_id
        join items i on i.id = k.item_id
       where ${sql.join(conds, sql` and `)}
       group by sp.scheduled_for, k.item_id, i.code, i.name_zh, i.name_en, i.base_unit, sp.site_id, sp.location_id
       order by sp.scheduled_for, i.code, sp.location_id`),
  );
  const items = r.rows.map((x) => ({
    date: x.date,
    itemId: x.item_id,
    itemCode: x.item_code,
    nameZh: x.name_zh,
    nameEn: x.name_en,
    baseUnit: x.base_unit,
    siteId: x.site_id,
    locationId: x.location_id,
    quantity: Number(x.quantity),
    procedures: Number(x.procedures),
  }));
  const totals = new Map<string, { itemId: string; itemCode: string; baseUnit: string; quantity: number }>();
  for (const x of items) {
    const t = totals.get(x.itemId) ?? {
      itemId: x.itemId,
      itemCode: x.itemCode,
      baseUnit: x.baseUnit,
      quantity: 0,
    };
    t.quantity += x.quantity;
    totals.set(x.itemId, t);
  }
  return {
    from,
    to,
    items,
    totals: [...totals.values()].sort((a, b) => a.itemCode.localeCompare(b.itemCode)),
  };
}
