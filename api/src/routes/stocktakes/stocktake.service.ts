import { policy } from '@medstock/core';
import {
  emitEvent,
  emitEvents,
  ensureLot,
  type LotInfo,
  type PostedMovement,
  postMovement,
  type Tx,
  UNTRACKED_LOT,
  wholeCountVariance,
  withTenantDb,
} from '@medstock/db';
import { loadMovementContext } from '@medstock/db/ledger/movement-context.ts';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { notFound, ProblemError, unprocessable } from '../../lib/problem.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';
import { parseScan, resolveRequest } from '../movements/movement.service.ts';
import { actorNames } from '../purchase-orders/purchase-order-history.ts';

/**
 * Stocktake sessions (盘点单): a count sheet → counts by lot (or per item) → variance review →
 * approval by a second person → posting as stocktake movements, all in one transaction.
 *
 * counting ──submit──▶ submitted ──approve──▶ approved ──post──▶ posted
 *     ▲                    │                      │
 *     └──────reopen────────┘      cancel (with a reason) from any state before posted
 */
export type StocktakeStatus = 'counting' | 'submitted' | 'approved' | 'posted' | 'cancelled';
export type AbcClass = 'A' | 'B' | 'C';

/** Consumption value for ABC classes: issues over the last year (a full seasonal cycle). */
const ABC_WINDOW_DAYS = 365;

export interface CreateStocktakeInput {
  siteId?: string;
  locationId?: string;
  abcClasses?: AbcClass[];
  blind?: boolean;
  note?: string;
}

export interface CountInput {
  lineId?: string;
  locationId?: string;
  itemId?: string;
  gtin?: string;
  scan?: string;
  /** Omitted (with no lot in a scan): the item counted as a whole at the location. */
  lotNumber?: string;
  expiryDate?: string;
  /** null clears the count. */
  quantity?: number | null;
  unit?: string;
}

type SessionRow = {
  id: string;
  number: string;
  site_id: string;
  location_id: string | null;
  abc_classes: AbcClass[] | null;
  blind: boolean;
  status: StocktakeStatus;
  note: string | null;
  created_by: string | null;
  created_at: Date;
  submitted_by: string | null;
  submitted_at: Date | null;
  approved_by: string | null;
  approved_at: Date | null;
  posted_by: string | null;
  posted_at: Date | null;
  cancelled_by: string | null;
  cancelled_at: Date | null;
  cancel_reason: string | null;
};

type LineRow = {
  id: string;
  location_id: string;
  item_id: string;
  item_code: string;
  name_zh: string;
  name_en: string;
  specification: string;
  base_unit: string;
  unit_cost: string;
  lot_id: string | null;
  lot_number: string | null;
  expiry_date: string | null;
  abc_class: AbcClass | null;
  expected: string;
  added: boolean;
  counted: string | null;
  counted_by: string | null;
  counted_at: Date | null;
  posted_group_id: string | null;
  /** Ledger balance when counted (now when not counted); for posted lines, counted − posted variance. */
  book: string;
};

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const actorId = (auth: AuthContext) => (auth.userId ?? auth.apiKeyId) as string;

const SESSION_COLUMNS = sql`id, number, site_id, location_id, abc_classes, blind, status, note, created_by, created_at,
  submitted_by, submitted_at, approved_by, approved_at, posted_by, posted_at, cancelled_by, cancelled_at, cancel_reason`;

/** The session, visible to the caller (404 otherwise); locked for the transaction when `lock`. */
async function loadSession(tx: Tx, auth: AuthContext, id: string, lock = false): Promise<SessionRow> {
  const r = await tx.execute<SessionRow>(
    sql`select ${SESSION_COLUMNS} from stocktake_sessions where id = ${id} ${lock ? sql`for update` : sql``}`,
  );
  const s = r.rows[0];
  if (!s) throw notFound('The stocktake session');
  assertSiteVisible(auth, s.site_id, 'The stocktake session');
  return s;
}

/**
 * ABC classes of the items by consumption value at the site over the last year (issues × unit
 * cost), with core's classifyAbc (A: the items making the first 80% of the value, B: the next
 * 15%, C: the rest). Items held but never issued have value 0 and are C.
 */
async function abcOfItems(tx: Tx, siteId: string, itemIds: string[]): Promise<Map<string, AbcClass>> {
  if (itemIds.length === 0) return new Map();
  const r = await tx.execute<{ id: string; value: string }>(sql`
    select i.id, coalesce(sum(-m.quantity * i.unit_cost), 0)::text as value
      from items i
      left join movements m on m.item_id = i.id and m.type = 'issue'
       and m.occurred_at >= now() - make_interval(days => ${ABC_WINDOW_DAYS})
       and m.location_id in (select id from locations where site_id = ${siteId})
     where i.id = any(${sql.param(itemIds)}::uuid[])
     group by i.id`);
  const classes = policy.classifyAbc(r.rows.map((x) => ({ id: x.id, value: Number(x.value) })));
  return new Map(classes.map((c) => [c.id, c.class]));
}

export async function createStocktake(deps: AppDeps, auth: AuthContext, input: CreateStocktakeInput) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    let siteId = input.siteId;
    if (input.locationId) {
      const loc = await tx.execute<{ site_id: string; active: boolean }>(
        sql`select site_id, active from locations where id = ${input.locationId}`,
      );
      const l = loc.rows[0];
      if (!l)
        throw unprocessable('stocktake_unknown_location', 'The location does not exist.', [
          { field: 'body:/locationId', message: 'unknown location', code: 'stocktake_unknown_location' },
        ]);
      assertSiteVisible(auth, l.site_id, 'The location');
      if (siteId && siteId !== l.site_id)
        throw unprocessable('stocktake_location_not_in_site', 'The location is not at the site given.', [
          { field: 'body:/locationId', message: 'not at this site', code: 'stocktake_location_not_in_site' },
        ]);
      siteId = l.site_id;
    } else if (siteId) {
      const site = await tx.execute(sql`select 1 from sites where id = ${siteId}`);
      if (!site.rowCount) throw notFound('The site');
      assertSiteVisible(auth, siteId);
    } else {
      throw unprocessable('stocktake_scope_required', 'Give the location or the site to count.', [
        { field: 'body:/locationId', message: 'required', code: 'stocktake_scope_required' },
      ]);
    }
    // The book as it stands: every lot with stock (or below zero) at the locations counted.
    const stock = await tx.execute<{
      location_id: string;
      item_id: string;
      lot_id: string;
      on_hand: string;
    }>(sql`
      select s.location_id, s.item_id, s.lot_id, s.on_hand::text
        from stock s join locations l on l.id = s.location_id
       where l.site_id = ${siteId} and l.active and s.on_hand <> 0
         ${input.locationId ? sql`and s.location_id = ${input.locationId}` : sql``}`);
    const itemIds = [...new Set(stock.rows.map((s) => s.item_id))];
    const abc = await abcOfItems(tx, siteId!, itemIds);
    const classes = input.abcClasses?.length ? new Set(input.abcClasses) : null;
    const lines = stock.rows.filter((s) => !classes || classes.has(abc.get(s.item_id)!));
    const created = await tx.execute<{ id: string }>(sql`
      insert into stocktake_sessions (number, site_id, location_id, abc_classes, blind, note, created_by)
      values ('ST-' || to_char(now(), 'YYYY') || '-' || lpad(nextval('stocktake_number_seq')::text, 4, '0'),
              ${siteId}, ${input.locationId ?? null}, ${classes ? sql`${sql.param([...classes].sort())}::text[]` : sql`null`},
              ${input.blind ?? false}, ${input.note ?? null}, ${actorId(auth)})
      returning id`);
    const id = created.rows[0]!.id;
    if (lines.length)
      await tx.execute(sql`
        insert into stocktake_lines (session_id, location_id, item_id, lot_id, expected, abc_class)
        select ${id}, x.location_id, x.item_id, x.lot_id, x.expected, x.abc
          from unnest(${sql.param(lines.map((l) => l.location_id))}::uuid[], ${sql.param(lines.map((l) => l.item_id))}::uuid[],
                      ${sql.param(lines.map((l) => l.lot_id))}::uuid[], ${sql.param(lines.map((l) => l.on_hand))}::bigint[],
                      ${sql.param(lines.map((l) => abc.get(l.item_id)!))}::text[])
               as x(location_id, item_id, lot_id, expected, abc)`);
    return sessionView(tx, await loadSession(tx, auth, id), true);
  });
}

export async function listStocktakes(
  deps: AppDeps,
  auth: AuthContext,
  filter: { status?: StocktakeStatus; siteId?: string },
  limit: number,
  after?: [string, string],
) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const conds = [sql`true`];
    if (filter.status) conds.push(sql`status = ${filter.status}`);
    if (filter.siteId) conds.push(sql`site_id = ${filter.siteId}`);
    if (auth.siteIds !== null) conds.push(sql`site_id = any(${sql.param([...auth.siteIds])}::uuid[])`);
    if (after) conds.push(sql`(created_at, id) < (${after[0]}::timestamptz, ${after[1]}::uuid)`);
    const r = await tx.execute<SessionRow & { created_key: string }>(sql`
      select ${SESSION_COLUMNS}, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_key from stocktake_sessions
       where ${sql.join(conds, sql` and `)}
       order by created_at desc, id desc limit ${limit + 1}`);
    const out = [];
    for (const s of r.rows) out.push({ ...(await sessionView(tx, s, false)), cursorKey: s.created_key });
    return out;
  });
}

export async function getStocktake(deps: AppDeps, auth: AuthContext, id: string) {
  return withTenantDb(deps.database.db, auth, async (tx) => getStocktakeIn(tx, auth, id));
}

/** The session with its lines, in the caller's transaction (404 outside the caller's sites). */
export async function getStocktakeIn(tx: Tx, auth: AuthContext, id: string) {
  return sessionView(tx, await loadSession(tx, auth, id), true);
}

async function loadLines(tx: Tx, sessionId: string, status: StocktakeStatus): Promise<LineRow[]> {
  // Once closed, a line nobody counted keeps the book it had on the sheet (today's is another story).
  const closed = status === 'posted' || status === 'cancelled';
  const r = await tx.execute<LineRow>(sql`
    select l.id, l.location_id, l.item_id, i.code as item_code, i.name_zh, i.name_en, i.specification, i.base_unit,
           i.unit_cost::text as unit_cost, l.lot_id, lo.lot_number, to_char(lo.expiry_date, 'YYYY-MM-DD') as expiry_date,
           l.abc_class, l.expected::text, l.added, l.counted::text, l.counted_by, l.counted_at, l.posted_group_id,
           case when l.posted_group_id is not null then
                  (l.counted - (select coalesce(sum(m.quantity), 0) from movements m where m.group_id = l.posted_group_id))::text
                when l.counted is null and ${closed} then l.expected::text
                else (select coalesce(sum(m.quantity), 0) from movements m
                       where m.item_id = l.item_id and m.location_id = l.location_id
                         and (l.lot_id is null or m.lot_id = l.lot_id)
                         and m.occurred_at <= coalesce(l.counted_at, now()))::text end as book
      from stocktake_lines l
      join items i on i.id = l.item_id
      left join lots lo on lo.id = l.lot_id
      left join locations loc on loc.id = l.location_id
     where l.session_id = ${sessionId}
     order by loc.code, i.code, l.lot_id is not null, lo.expiry_date nulls last, lo.lot_number`);
  return r.rows;
}

/**
 * How a whole item-location count would be spread over the lots (wholeCountVariance: shortfall
 * first-expiry-first, surplus to the lot expiring last), from the lots' balances when counted.
 * Shown in the review so the approver sees which lots the variance lands on.
 */
async function attributionOf(tx: Tx, line: LineRow) {
  const r = await tx.execute<{
    id: string;
    lot_number: string;
    expiry_date: string | null;
    balance: string;
  }>(sql`
    select lo.id, lo.lot_number, to_char(lo.expiry_date, 'YYYY-MM-DD') as expiry_date,
           coalesce((select sum(m.quantity) from movements m where m.lot_id = lo.id and m.item_id = ${line.item_id}
                        and m.location_id = ${line.location_id} and m.occurred_at <= coalesce(${line.counted_at}::timestamptz, now())), 0)::text as balance
      from lots lo where lo.item_id = ${line.item_id} order by lo.created_at, lo.id`);
  const info = new Map<string, LotInfo>();
  const balances = new Map<string, number>();
  let untracked: string | undefined;
  r.rows.forEach((l, i) => {
    info.set(l.id, { id: l.id, expiryDate: l.expiry_date, order: i });
    if (Number(l.balance) !== 0) balances.set(l.id, Number(l.balance));
    if (l.lot_number === UNTRACKED_LOT) untracked = l.id;
  });
  const names = new Map(r.rows.map((l) => [l.id, l]));
  const variance = wholeCountVariance(balances, Number(line.counted), info, untracked ?? 'untracked');
  return [...variance].map(([lotId, quantity]) => ({
    lotNumber: names.get(lotId)?.lot_number ?? UNTRACKED_LOT,
    expiryDate: names.get(lotId)?.expiry_date ?? null,
    quantity,
  }));
}

async function sessionView(tx: Tx, s: SessionRow, withLines: boolean) {
  const lines = await loadLines(tx, s.id, s.status);
  // A blind count keeps the book from the counters until the counts are submitted.
  const hidden = s.blind && s.status === 'counting';
  let counted = 0;
  let varianceLines = 0;
  let varianceQuantity = 0;
  let varianceValue = 0;
  const views = [];
  // Who did what, by name (people and API keys live in the control plane).
  const names = await actorNames(tx, [
    s.created_by,
    s.submitted_by,
    s.approved_by,
    s.posted_by,
    s.cancelled_by,
    ...(withLines ? lines.map((l) => l.counted_by) : []),
  ]);
  const nameOf = (id: string | null) => (id ? (names.get(id) ?? null) : null);
  for (const l of lines) {
    const c = l.counted === null ? null : Number(l.counted);
    const book = Number(l.book);
    const variance = c === null ? null : c - book;
    const value = variance === null ? null : Math.round(variance * Number(l.unit_cost) * 100) / 100;
    if (c !== null) counted++;
    if (variance) {
      varianceLines++;
      varianceQuantity += variance;
      varianceValue += value!;
    }
    if (!withLines) continue;
    views.push({
      id: l.id,
      locationId: l.location_id,
      itemId: l.item_id,
      itemCode: l.item_code,
      nameZh: l.name_zh,
      nameEn: l.name_en,
      specification: l.specification,
      baseUnit: l.base_unit,
      unitCost: Number(l.unit_cost),
      abcClass: l.abc_class,
      lotNumber: l.lot_id === null ? null : l.lot_number,
      expiryDate: l.expiry_date,
      wholeItem: l.lot_id === null,
      added: l.added,
      expected: hidden ? null : Number(l.expected),
      book: hidden ? null : book,
      counted: c,
      countedBy: l.counted_by,
      countedByName: nameOf(l.counted_by),
      countedAt: iso(l.counted_at),
      variance: hidden ? null : variance,
      varianceValue: hidden ? null : value,
      attribution:
        !hidden && l.lot_id === null && c !== null && !l.posted_group_id ? await attributionOf(tx, l) : null,
      postedGroupId: l.posted_group_id,
    });
  }
  return {
    id: s.id,
    number: s.number,
    siteId: s.site_id,
    locationId: s.location_id,
    abcClasses: s.abc_classes,
    blind: s.blind,
    status: s.status,
    note: s.note,
    createdBy: s.created_by,
    createdByName: nameOf(s.created_by),
    createdAt: iso(s.created_at)!,
    submittedBy: s.submitted_by,
    submittedByName: nameOf(s.submitted_by),
    submittedAt: iso(s.submitted_at),
    approvedBy: s.approved_by,
    approvedByName: nameOf(s.approved_by),
    approvedAt: iso(s.approved_at),
    postedBy: s.posted_by,
    postedByName: nameOf(s.posted_by),
    postedAt: iso(s.posted_at),
    cancelledBy: s.cancelled_by,
    cancelledByName: nameOf(s.cancelled_by),
    cancelledAt: iso(s.cancelled_at),
    cancelReason: s.cancel_reason,
    summary: {
      lines: lines.length,
      counted,
      varianceLines: hidden ? null : varianceLines,
      varianceQuantity: hidden ? null : varianceQuantity,
      varianceValue: hidden ? null : Math.round(varianceValue * 100) / 100,
    },
    lines: views,
  };
}

function notEditable(s: SessionRow) {
  return new ProblemError(
    409,
    'stocktake_not_counting',
    'Conflict',
    `Counts are entered while the session is counting; session ${s.number} is ${s.status}.`,
    undefined,
    { params: { number: s.number, status: s.status, statusTerm: `stocktake_status_${s.status}` } },
  );
}

/**
 * Enters (or clears) counts. A count names its sheet line, or the location, item and lot (typed
 * or scanned, GS1 with lot and count); a lot the sheet did not list is added as found. Without a
 * lot the item is counted as a whole at the location; an item-location is counted either as a
 * whole or lot by lot, not both (409 stocktake_count_mode_conflict: clear the other first).
 */
export async function enterCounts(deps: AppDeps, auth: AuthContext, id: string, counts: CountInput[]) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const s = await loadSession(tx, auth, id, true);
    if (s.status !== 'counting') throw notEditable(s);
    for (const [i, c] of counts.entries()) await enterCount(tx, auth, s, c, i);
    await tx.execute(sql`update stocktake_sessions set updated_at = now() where id = ${id}`);
    return sessionView(tx, s, true);
  });
}

async function enterCount(tx: Tx, auth: AuthContext, s: SessionRow, c: CountInput, i: number) {
  const field = (f: string) => `body:/counts/${i}/${f}`;
  let lineId = c.lineId;
  let itemId: string;
  let locationId: string;
  let quantity: number | null;
  if (lineId) {
    const r = await tx.execute<{ item_id: string; location_id: string }>(
      sql`select item_id, location_id from stocktake_lines where id = ${lineId} and session_id = ${s.id}`,
    );
    if (!r.rows[0])
      throw unprocessable('stocktake_unknown_line', 'The line is not on this count sheet.', [
        { field: field('lineId'), message: 'not on this sheet', code: 'stocktake_unknown_line' },
      ]);
    ({ item_id: itemId, location_id: locationId } = r.rows[0]);
    quantity = c.quantity === null ? null : await toBase(tx, itemId, c, i);
  } else {
    locationId = c.locationId ?? s.location_id ?? '';
    if (!locationId)
      throw unprocessable('stocktake_location_required', 'Say which location this count is of.', [
        { field: field('locationId'), message: 'required', code: 'stocktake_location_required' },
      ]);
    const loc = await tx.execute<{ site_id: string }>(
      sql`select site_id from locations where id = ${locationId}`,
    );
    if (loc.rows[0]?.site_id !== s.site_id || (s.location_id && s.location_id !== locationId))
      throw unprocessable(
        'stocktake_location_outside',
        'The location is not part of this stocktake session.',
        [
          {
            field: field('locationId'),
            message: 'not counted in this session',
            code: 'stocktake_location_outside',
          },
        ],
      );
    const scanInput = { type: 'stocktake' as const, locationId, ...c, quantity: c.quantity ?? undefined };
    const scanned = parseScan(scanInput);
    const context = await loadMovementContext(
      tx,
      c.itemId ? { id: c.itemId } : scanned.gtin ? { gtin: scanned.gtin } : null,
      [locationId],
    );
    if (c.quantity === null) {
      if (!context.item)
        throw unprocessable('stocktake_unknown_item', 'The item does not exist.', [
          { field: field('itemId'), message: 'unknown item', code: 'stocktake_unknown_item' },
        ]);
      itemId = context.item.id;
      quantity = null;
      const lot = scanned.lotNumber;
      const r = await tx.execute<{ id: string }>(sql`
        select l.id from stocktake_lines l left join lots lo on lo.id = l.lot_id
         where l.session_id = ${s.id} and l.location_id = ${locationId} and l.item_id = ${itemId}
           and ${lot === undefined ? sql`l.lot_id is null` : sql`lo.lot_number = ${lot}`}`);
      lineId = r.rows[0]?.id;
      if (!lineId) return;
    } else {
      const { item, base, lotNumber, expiryDate } = resolveRequest(context, scanInput, scanned);
      if (base < 0)
        throw unprocessable('stocktake_negative_count', 'A count cannot be below zero.', [
          { field: field('quantity'), message: 'below zero', code: 'stocktake_negative_count' },
        ]);
      itemId = item.id;
      quantity = base;
      const lot = lotNumber === undefined ? null : await ensureLot(tx, itemId, lotNumber, expiryDate);
      const r = await tx.execute<{ id: string }>(sql`
        insert into stocktake_lines (session_id, location_id, item_id, lot_id, expected, added)
        values (${s.id}, ${locationId}, ${itemId}, ${lot?.id ?? null}, 0, true)
        on conflict (session_id, location_id, item_id, lot_id) do update set added = stocktake_lines.added
        returning id`);
      lineId = r.rows[0]!.id;
    }
  }
  if (quantity !== null) await assertOneCountMode(tx, s, lineId, field('lotNumber'));
  await tx.execute(sql`
    update stocktake_lines set counted = ${quantity}, counted_by = ${quantity === null ? null : actorId(auth)},
           counted_at = ${quantity === null ? sql`null` : sql`now()`}
     where id = ${lineId}`);
  // A found line cleared again was never on the sheet: it goes.
  if (quantity === null) await tx.execute(sql`delete from stocktake_lines where id = ${lineId} and added`);
}

async function toBase(tx: Tx, itemId: string, c: CountInput, i: number): Promise<number> {
  if (c.quantity === undefined)
    throw unprocessable('stocktake_quantity_required', 'Give the counted quantity.', [
      { field: `body:/counts/${i}/quantity`, message: 'required', code: 'stocktake_quantity_required' },
    ]);
  const context = await loadMovementContext(tx, { id: itemId }, []);
  const input = {
    type: 'stocktake' as const,
    locationId: '',
    itemId,
    quantity: c.quantity ?? undefined,
    unit: c.unit,
  };
  return resolveRequest(context, input, parseScan(input)).base;
}

/** An item-location is counted as a whole or lot by lot, never both. */
async function assertOneCountMode(tx: Tx, s: SessionRow, lineId: string, field: string) {
  const r = await tx.execute<{ whole: boolean; code: string }>(sql`
    select (me.lot_id is null) as whole, i.code from stocktake_lines me join items i on i.id = me.item_id
     where me.id = ${lineId} and exists (
       select 1 from stocktake_lines o where o.session_id = me.session_id and o.location_id = me.location_id
          and o.item_id = me.item_id and o.id <> me.id and o.counted is not null
          and (o.lot_id is null) <> (me.lot_id is null))`);
  const clash = r.rows[0];
  if (clash)
    throw new ProblemError(
      409,
      'stocktake_count_mode_conflict',
      'Conflict',
      clash.whole
        ? `Item ${clash.code} is already counted lot by lot at this location; clear those counts to count it as a whole.`
        : `Item ${clash.code} is already counted as a whole at this location; clear that count to count it lot by lot.`,
      [{ field, message: 'counted both ways', code: 'stocktake_count_mode_conflict' }],
      { params: { itemCode: clash.code, number: s.number } },
    );
}

type Transition = 'submit' | 'reopen' | 'approve' | 'cancel';

const TRANSITIONS: Record<Transition, { from: StocktakeStatus[]; to: StocktakeStatus }> = {
  submit: { from: ['counting'], to: 'submitted' },
  reopen: { from: ['submitted', 'approved'], to: 'counting' },
  approve: { from: ['submitted'], to: 'approved' },
  cancel: { from: ['counting', 'submitted', 'approved'], to: 'cancelled' },
};

function invalidTransition(s: SessionRow, action: Transition | 'post') {
  return new ProblemError(
    409,
    'stocktake_invalid_transition',
    'Conflict',
    `Session ${s.number} is ${s.status}; it cannot be ${action === 'post' ? 'posted' : `${action}ed`} now.`,
    undefined,
    {
      params: {
        number: s.number,
        status: s.status,
        action,
        statusTerm: `stocktake_status_${s.status}`,
        actionTerm: `stocktake_action_${action}`,
      },
    },
  );
}

/**
 * Four eyes (like purchase orders): the approver neither created the session nor counted or
 * submitted any of it, and holds the storekeeper role or the admin scope — a ward nurse or a
 * stock:write integration key counts, but does not sign the variance off.
 */
async function assertMayApprove(tx: Tx, auth: AuthContext, s: SessionRow) {
  if (!auth.scopes.has('admin') && auth.role !== 'storekeeper')
    throw new ProblemError(
      403,
      'stocktake_approval_not_allowed',
      'Forbidden',
      'Approving a stocktake needs the storekeeper role or the admin scope.',
    );
  const me = actorId(auth);
  const counted = await tx.execute(
    sql`select 1 from stocktake_lines where session_id = ${s.id} and counted_by = ${me} limit 1`,
  );
  if (s.created_by === me || s.submitted_by === me || counted.rowCount)
    throw new ProblemError(
      403,
      'stocktake_self_approval',
      'Forbidden',
      `You created, counted or submitted session ${s.number}; someone else must approve it.`,
      undefined,
      { params: { number: s.number } },
    );
}

export async function transitionStocktake(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  action: Transition,
  reason?: string,
) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const s = await loadSession(tx, auth, id, true);
    const rule = TRANSITIONS[action];
    if (!rule.from.includes(s.status)) throw invalidTransition(s, action);
    if (action === 'approve') await assertMayApprove(tx, auth, s);
    if (action === 'submit') {
      const any = await tx.execute(
        sql`select 1 from stocktake_lines where session_id = ${id} and counted is not null limit 1`,
      );
      if (!any.rowCount)
        throw new ProblemError(
          422,
          'stocktake_nothing_counted',
          'Unprocessable content',
          `Nothing is counted in session ${s.number} yet.`,
          undefined,
          { params: { number: s.number } },
        );
    }
    const me = actorId(auth);
    await tx.execute(sql`
      update stocktake_sessions set status = ${rule.to}, updated_at = now(),
        ${
          action === 'submit'
            ? sql`submitted_by = ${me}, submitted_at = now()`
            : action === 'approve'
              ? sql`approved_by = ${me}, approved_at = now()`
              : action === 'cancel'
                ? sql`cancelled_by = ${me}, cancelled_at = now(), cancel_reason = ${reason ?? null}`
                : sql`submitted_by = null, submitted_at = null, approved_by = null, approved_at = null`
        }
       where id = ${id}`);
    const view = await sessionView(tx, await loadSession(tx, auth, id), true);
    const deliveryIds =
      action === 'approve' ? (await emitEvent(tx, 'stocktake.approved', eventPayload(view))).deliveryIds : [];
    return { view, deliveryIds };
  });
}

export type StocktakeView = Awaited<ReturnType<typeof sessionView>>;
type View = StocktakeView;

function eventPayload(v: View) {
  return {
    id: v.id,
    number: v.number,
    siteId: v.siteId,
    locationId: v.locationId,
    status: v.status,
    approvedBy: v.approvedBy,
    postedBy: v.postedBy,
    summary: v.summary,
  };
}

/**
 * Posts an approved session: one stocktake movement per counted lot line (or one whole
 * item-location count per item counted as a whole), dated when it was counted so movements
 * since then stay on top of it, all in this one transaction with the status change, which
 * locks the session. A second post finds it posted (409); nothing is ever half-written.
 */
export async function postStocktake(deps: AppDeps, auth: AuthContext, id: string) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const s = await loadSession(tx, auth, id, true);
    if (s.status !== 'approved') throw invalidTransition(s, 'post');
    const lines = await tx.execute<{
      id: string;
      location_id: string;
      item_id: string;
      lot_number: string | null;
      counted: string;
      counted_at: Date;
    }>(sql`
      select l.id, l.location_id, l.item_id, lo.lot_number, l.counted::text, l.counted_at
        from stocktake_lines l left join lots lo on lo.id = l.lot_id
       where l.session_id = ${id} and l.counted is not null
       order by l.counted_at, l.id`);
    const posted: PostedMovement[] = [];
    const groups: { groupId: string; movements: PostedMovement[]; itemId: string }[] = [];
    for (const l of lines.rows) {
      const rows = await postMovement(tx, {
        type: 'stocktake',
        itemId: l.item_id,
        locationId: l.location_id,
        quantity: Number(l.counted),
        ...(l.lot_number === null ? {} : { lotNumber: l.lot_number }),
        occurredAt: new Date(l.counted_at),
        reference: s.number,
        source: 'stocktake',
        actorId: actorId(auth),
      });
      posted.push(...rows);
      groups.push({ groupId: rows[0]!.groupId, movements: rows, itemId: l.item_id });
      await tx.execute(
        sql`update stocktake_lines set posted_group_id = ${rows[0]!.groupId} where id = ${l.id}`,
      );
    }
    await tx.execute(sql`
      update stocktake_sessions set status = 'posted', posted_by = ${actorId(auth)}, posted_at = now(), updated_at = now()
       where id = ${id}`);
    const view = await sessionView(tx, await loadSession(tx, auth, id), true);
    // Integrations that follow stock through movement.created see the counts too.
    const events = await emitEvents(tx, [
      ...groups.map((g) => ({
        type: 'movement.created' as const,
        payload: {
          groupId: g.groupId,
          type: 'stocktake',
          itemId: g.itemId,
          siteId: s.site_id,
          toSiteId: null,
          movements: g.movements,
        },
      })),
      {
        type: 'stocktake.posted' as const,
        payload: { ...eventPayload(view), groupIds: groups.map((g) => g.groupId) },
      },
    ]);
    return { view, posted, deliveryIds: events.deliveryIds };
  });
}
