import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HISTORICAL_MOVEMENT_TYPES, movementTypeOf } from '@medstock/contracts/imports/import-columns.ts';
import { type RowReason, rowReason } from '@medstock/contracts/imports/row-messages.ts';
import {
  applyStockDelta,
  type ItemLots,
  LedgerError,
  loadItemLots,
  loadTimeline,
  type NewEntry,
  organizationTimeZone,
  planReplay,
  type Tx,
} from '@medstock/db';
import { sql } from 'drizzle-orm';
import { from as copyFrom } from 'pg-copy-streams';
import {
  type ApplyContext,
  ApplyRowError,
  columnIndex,
  type KindImporter,
  type ValidateContext,
} from './importer.ts';
import { createInstantParser, isRealDate, normaliseDate, parseNumber, toBase } from './parse-values.ts';
import type { ImportRow } from './read-rows.ts';
import { type LotRef, loadLots, locationKey, lotKey, unitOfCell, unitWordZh } from './reference-data.ts';

const C = columnIndex('movements');
const OUTFLOW = new Set(['issue', 'transfer_out', 'return', 'write_off']);

/** The columns of a direct COPY into movements (the bench's raw baseline uses the same). */
export const MOVEMENT_COPY_COLUMNS =
  '(type, item_id, location_id, lot_id, quantity, occurred_at, source, import_id)';

/** The spool file: one staged row per line of the file, tab-separated, in this order. */
const STAGE_COLUMNS = '(line, type, item_id, location_id, lot_id, quantity, counted, occurred_at)';

/** Item-locations replayed per round trip when the file has counts (or meets earlier counts). */
const REPLAY_BATCH = 200;

/**
 * Movement history (years of daily or monthly records), counts included. Every row takes effect
 * at its date under the ledger's history model (db/src/ledger/ledger-replay.ts):
 * - rows without a lot number book to the item's untracked stock; a count (stocktake / count /
 *   盘点) without a lot number counts the whole item-location, with one counts that lot;
 * - a row dated before a count (in the file or already in the ledger) is absorbed by it;
 * - an item-location whose file rows hold no count gets a baseline per lot at the import time
 *   ('history baseline'), so today's on-hand is unchanged: the rows explain the past only. With
 *   counts, the last count sets on-hand and later rows move it (refused if a lot would go below 0).
 * - each row has a key: the hash of its content (type, item, location, lot, quantity, count,
 *   instant) and its ordinal among identical rows of the file. Rows whose key is already in the
 *   ledger are skipped, so importing the same file (or an overlapping export) again adds nothing.
 *
 * Validation resolves every code and writes each valid row, in COPY text format, to a spool file.
 * Applying COPYs it into a temporary stage, drops rows already imported, inserts the plain rows
 * set-based and replays only the item-locations that have counts to honour.
 */
export async function createMovementsImporter(
  ctx: ValidateContext,
  actorId: string | null = null,
): Promise<KindImporter> {
  const lots: Map<string, LotRef> = await ctx.withTx(loadLots);
  const instant = createInstantParser(ctx.notAfterMs, ctx.timeZone);
  const spool: WriteStream = createWriteStream(ctx.spoolPath, { highWaterMark: 1 << 20 });
  let spoolError: Error | null = null;
  spool.on('error', (e) => (spoolError = e));
  let buffer = '';
  let spooled = 0;

  async function flush(): Promise<void> {
    if (buffer === '') return;
    const ok = spool.write(buffer);
    buffer = '';
    if (!ok) await new Promise<void>((r) => spool.once('drain', () => r()));
    if (spoolError) throw spoolError;
  }

  function lotFor(itemId: string, lotNumber: string, expiry: string): LotRef {
    const key = lotKey(itemId, lotNumber);
    let lot = lots.get(key);
    if (!lot) {
      lot = { id: randomUUID(), expiryDate: expiry || null, isNew: true, itemId, lotNumber };
      lots.set(key, lot);
    } else if (expiry !== '' && lot.expiryDate === null && lot.isNew) {
      lot.expiryDate = expiry;
    }
    return lot;
  }

  function validate(row: ImportRow): Promise<void> | undefined {
    const v = row.values;
    const line = row.line;
    let bad = false;
    const err = (field: string, reason: RowReason) => {
      ctx.error(line, field, reason);
      bad = true;
    };

    const when = instant(v[C.date!]!);
    if (!when.ok) err('date', when.reason);

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
    if (!item)
      err(
        'item_code',
        itemCode === '' ? rowReason('required') : rowReason('unknown_item', { item: itemCode }),
      );

    const type = movementTypeOf(v[C.type!]!);
    if (!type)
      err(
        'type',
        rowReason('unknown_type', { value: v[C.type!]!, allowed: HISTORICAL_MOVEMENT_TYPES.join(', ') }),
      );
    const isCount = type === 'stocktake';

    let quantity = 0;
    const q = parseNumber(v[C.quantity!]!);
    if (!q.ok) err('quantity', q.reason);
    else if (isCount ? q.value < 0 : type === 'adjustment' ? q.value === 0 : q.value <= 0)
      err(
        'quantity',
        isCount
          ? rowReason('count_negative', { value: q.value })
          : type === 'adjustment'
            ? rowReason('adjustment_zero')
            : rowReason('must_be_positive', { value: q.value }),
      );
    else if (item) {
      const u = unitOfCell(item, v[C.unit!]!);
      if (!u.ok) err('unit', u.reason);
      else {
        const base = toBase(q.value, u.factor, u.unit, item.baseUnit, (c) => unitWordZh(item, c));
        if (!base.ok) err('quantity', base.reason);
        else quantity = type && OUTFLOW.has(type) ? -base.value : base.value;
      }
    }

    const lotNumber = v[C.lot_number!]!;
    const expiry = normaliseDate(v[C.expiry_date!]!);
    if (expiry !== '' && !isRealDate(expiry)) err('expiry_date', rowReason('not_a_date', { value: expiry }));
    else if (expiry !== '' && lotNumber === '') err('expiry_date', rowReason('expiry_needs_lot'));
    if (lotNumber.length > 40) err('lot_number', rowReason('too_long', { max: 40 }));
    else if (lotNumber !== '' && item && !bad) {
      const lot = lots.get(lotKey(item.id, lotNumber));
      if (lot && expiry !== '' && lot.expiryDate !== null && lot.expiryDate !== expiry)
        err(
          'expiry_date',
          rowReason('lot_expiry_differs', {
            lot: lotNumber,
            item: itemCode,
            expected: lot.expiryDate,
            value: expiry,
          }),
        );
    }

    // Once any row is bad nothing will be applied: keep validating, stop spooling.
    if (bad || ctx.hasErrors() || !when.ok) return;
    // A count without a lot counts the whole item-location (no lot); other rows book to a lot,
    // the untracked one ('') when none is named.
    const lotId = isCount && lotNumber === '' ? '\\N' : lotFor(item!.id, lotNumber, expiry).id;
    const counted = isCount ? String(quantity) : '\\N';
    buffer += `${line}\t${type}\t${item!.id}\t${location!.id}\t${lotId}\t${isCount ? 0 : quantity}\t${counted}\t${when.value.text}\n`;
    spooled++;
    if (buffer.length >= 1 << 18) return flush();
  }

  return {
    validate,
    async finishValidation() {
      await flush();
      await new Promise<void>((resolve, reject) =>
        spool.end((e?: Error | null) => (e ? reject(e) : resolve())),
      );
    },
    async apply(a: ApplyContext) {
      const newLots = [...lots.values()].filter((l) => l.isNew);
      for (let i = 0; i < newLots.length; i += 5000) {
        const batch = newLots.slice(i, i + 5000);
        await a.tx.execute(sql`
          insert into lots (id, item_id, lot_number, expiry_date)
          select * from unnest(${sql.param(batch.map((l) => l.id))}::uuid[], ${sql.param(batch.map((l) => l.itemId))}::uuid[],
                               ${sql.param(batch.map((l) => l.lotNumber))}::text[], ${sql.param(batch.map((l) => l.expiryDate))}::date[])`);
      }
      await a.tx.execute(sql`
        create temp table history_stage (line int, type text, item_id uuid, location_id uuid, lot_id uuid, quantity bigint,
                                         counted bigint, occurred_at timestamptz) on commit drop`);
      // Count lines as they stream past, so the API can show progress during the COPY.
      let copied = 0;
      let reported = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          let i = chunk.indexOf(10);
          while (i !== -1) {
            copied++;
            i = chunk.indexOf(10, i + 1);
          }
          if (copied - reported >= a.every) {
            reported = copied;
            a.progress(Math.floor(copied / 2)).then(() => done(null, chunk), done);
          } else done(null, chunk);
        },
      });
      const size = (await stat(ctx.spoolPath)).size;
      if (size > 0) {
        const copy = a.client.query(copyFrom(`COPY history_stage ${STAGE_COLUMNS} FROM STDIN`));
        await pipeline(createReadStream(ctx.spoolPath, { highWaterMark: 1 << 20 }), counter, copy);
      }
      const summary = await applyHistory(a.tx, ctx.importId, actorId);
      await a.progress(spooled);
      return { ...summary, lotsCreated: newLots.length };
    },
    async dispose() {
      if (!spool.closed) spool.destroy();
      await rm(ctx.spoolPath, { force: true });
    },
  };
}

type StagedRow = {
  line: number;
  type: string;
  item_id: string;
  location_id: string;
  lot_id: string | null;
  quantity: string;
  counted: string | null;
  us: string;
  row_key: string;
};

/** From the stage to the ledger (see createMovementsImporter). */
async function applyHistory(tx: Tx, importId: string, actorId: string | null) {
  // Row keys: content hash and ordinal among identical rows; drop rows imported before.
  await tx.execute(sql`
    create temp table history_rows on commit drop as
    select s.line, s.type, s.item_id, s.location_id, s.lot_id, s.quantity, s.counted, s.occurred_at,
           md5(x.content || ':' || row_number() over (partition by x.content order by s.line))::uuid as row_key
      from history_stage s left join lots lo on lo.id = s.lot_id
      cross join lateral (select concat_ws('|', s.type, s.item_id, s.location_id, coalesce(lo.lot_number, '~'), s.quantity,
                                           coalesce(s.counted::text, '~'), (extract(epoch from s.occurred_at) * 1000000)::bigint) as content) x`);
  const skipped = await tx.execute(sql`
    delete from history_rows h using movements m where m.import_row_key = h.row_key`);
  await tx.execute(sql`create index on history_rows (item_id, location_id)`);
  await tx.execute(sql`analyze history_rows`);

  // Item-locations: those with a count in the file, or an earlier count of the ledger dated
  // after their first row, are replayed; the others get their rows plus a baseline, set-based.
  await tx.execute(sql`
    create temp table history_pairs on commit drop as
    select p.item_id, p.location_id, p.has_count,
           p.has_count or exists (select 1 from movements m where m.item_id = p.item_id and m.location_id = p.location_id
                                     and m.type = 'stocktake' and m.occurred_at >= p.first_at) as replay
      from (select item_id, location_id, bool_or(counted is not null) as has_count, min(occurred_at) as first_at
              from history_rows group by 1, 2) p`);

  const insertPlain = (replayed: boolean) =>
    tx.execute(sql`
      insert into movements (type, item_id, location_id, lot_id, quantity, occurred_at, source, import_id, import_row_key, actor_id)
      select h.type, h.item_id, h.location_id, h.lot_id, h.quantity, h.occurred_at, 'import', ${importId}, h.row_key, ${actorId}
        from history_rows h join history_pairs p using (item_id, location_id)
       where h.counted is null and p.replay = ${replayed}
       order by h.occurred_at, h.line`);
  const plain = await insertPlain(false);
  const baselines = await tx.execute(sql`
    insert into movements (group_id, type, item_id, location_id, lot_id, quantity, reason, source, import_id, occurred_at, actor_id)
    select md5(h.item_id::text || h.location_id::text || ${importId})::uuid, 'stocktake', h.item_id, h.location_id, h.lot_id,
           -sum(h.quantity), 'history baseline', 'import', ${importId}, now(), ${actorId}
      from history_rows h join history_pairs p using (item_id, location_id)
     where not p.replay
     group by h.item_id, h.location_id, h.lot_id`);

  let counts = 0;
  let absorbed = 0;
  let replayBaselines = 0;
  const pairs = await tx.execute<{ item_id: string; location_id: string; has_count: boolean }>(
    sql`select item_id, location_id, has_count from history_pairs where replay order by item_id, location_id`,
  );
  const itemLots = new Map<string, ItemLots & { untracked: { id: string } }>();
  for (let i = 0; i < pairs.rows.length; i += REPLAY_BATCH) {
    const batch = pairs.rows.slice(i, i + REPLAY_BATCH);
    const staged = await tx.execute<StagedRow>(sql`
      select h.line, h.type, h.item_id, h.location_id, h.lot_id, h.quantity::text, h.counted::text,
             (extract(epoch from h.occurred_at) * 1000000)::bigint::text as us, h.row_key
        from history_rows h
        join unnest(${sql.param(batch.map((p) => p.item_id))}::uuid[], ${sql.param(batch.map((p) => p.location_id))}::uuid[]) as b(item_id, location_id)
          using (item_id, location_id)
       order by h.item_id, h.location_id, h.occurred_at, h.line`);
    const byPair = new Map<string, StagedRow[]>();
    for (const r of staged.rows) {
      const k = `${r.item_id}|${r.location_id}`;
      const list = byPair.get(k);
      if (list) list.push(r);
      else byPair.set(k, [r]);
    }
    const out: Insert[] = [];
    for (const p of batch) {
      const rows = byPair.get(`${p.item_id}|${p.location_id}`) ?? [];
      let lotsOf = itemLots.get(p.item_id);
      if (!lotsOf) {
        lotsOf = await loadItemLots(tx, p.item_id);
        itemLots.set(p.item_id, lotsOf);
      }
      // The ledger as it was; the file's rows are the entries (their plain rows are written after).
      const timeline = await loadTimeline(tx, p.item_id, p.location_id);
      const entries: NewEntry[] = rows.map((r) =>
        r.counted !== null
          ? { kind: 'count', ref: r.line, at: Number(r.us), counted: Number(r.counted), lotId: r.lot_id }
          : {
              kind: 'movement',
              ref: r.line,
              at: Number(r.us),
              quantity: Number(r.quantity),
              lotId: r.lot_id,
            },
      );
      const stockNow = await tx.execute<{ lot_id: string; on_hand: string }>(sql`
        select lot_id, on_hand::text from stock where item_id = ${p.item_id} and location_id = ${p.location_id}`);
      const plan = planReplay(
        timeline,
        entries,
        lotsOf.info,
        lotsOf.untracked.id,
        new Map(stockNow.rows.map((s) => [s.lot_id, Number(s.on_hand)])),
        await organizationTimeZone(tx),
      );
      const byLine = new Map(rows.map((r) => [r.line, r]));
      const groups = new Map<number, string>();
      const firstOfCount = new Set<number>();
      for (const r of plan.rows) {
        if (r.role === 'movement') continue;
        if (r.role === 'absorb') {
          absorbed++;
          out.push({
            groupId: r.groupId!,
            itemId: p.item_id,
            locationId: p.location_id,
            lotId: r.lotId,
            quantity: r.quantity,
            counted: null,
            reason: 'count re-applied after imported history',
            at: r.at,
            rowKey: null,
          });
          continue;
        }
        let g = groups.get(r.ref!);
        if (!g) {
          g = randomUUID();
          groups.set(r.ref!, g);
          counts++;
        }
        const first = !firstOfCount.has(r.ref!);
        firstOfCount.add(r.ref!);
        out.push({
          groupId: g,
          itemId: p.item_id,
          locationId: p.location_id,
          lotId: r.lotId,
          quantity: r.quantity,
          counted: r.counted,
          reason:
            r.role === 'count_variance'
              ? 'count variance (imported count)'
              : `imported count ${r.counted}${r.lotId === null ? ' (all lots)' : ''}`,
          at: r.at,
          rowKey: first ? byLine.get(r.ref!)!.row_key : null,
        });
      }
      if (p.has_count) {
        try {
          await applyStockDelta(tx, p.item_id, p.location_id, plan.stockDelta, lotsOf.rows);
        } catch (e) {
          if (!(e instanceof LedgerError)) throw e;
          const last = rows.at(-1)!;
          throw new ApplyRowError(
            last.line,
            'quantity',
            rowReason('below_zero_after_count', { detail: e.message }),
          );
        }
      } else {
        // No count in the file: the rows explain the past only; today's on-hand stays.
        const group = randomUUID();
        const lotsTouched = new Set(rows.map((r) => r.lot_id!));
        for (const lot of lotsTouched) {
          replayBaselines++;
          out.push({
            groupId: group,
            itemId: p.item_id,
            locationId: p.location_id,
            lotId: lot,
            quantity: -(plan.stockDelta.get(lot) ?? 0),
            counted: null,
            reason: 'history baseline',
            at: Date.now() * 1000,
            rowKey: null,
          });
        }
        for (const [lot, d] of plan.stockDelta)
          if (!lotsTouched.has(lot))
            out.push({
              groupId: group,
              itemId: p.item_id,
              locationId: p.location_id,
              lotId: lot,
              quantity: -d,
              counted: null,
              reason: 'history baseline',
              at: Date.now() * 1000,
              rowKey: null,
            });
      }
    }
    await insertRows(tx, out, importId, actorId);
  }
  const replayedPlain = await insertPlain(true);
  return {
    movements: (plain.rowCount ?? 0) + (replayedPlain.rowCount ?? 0),
    counts,
    baselines: (baselines.rowCount ?? 0) + replayBaselines,
    absorbedByCounts: absorbed,
    skippedAlreadyImported: skipped.rowCount ?? 0,
  };
}

interface Insert {
  groupId: string;
  itemId: string;
  locationId: string;
  lotId: string | null;
  quantity: number;
  counted: number | null;
  reason: string;
  at: number;
  rowKey: string | null;
}

async function insertRows(tx: Tx, rows: Insert[], importId: string, actorId: string | null) {
  for (let i = 0; i < rows.length; i += 5000) {
    const b = rows.slice(i, i + 5000);
    await tx.execute(sql`
      insert into movements (group_id, type, item_id, location_id, lot_id, quantity, counted, reason, source, import_id,
                             import_row_key, occurred_at, actor_id)
      select g, 'stocktake', it, lo, lt, q, c, r, 'import', ${importId}, k,
             timestamptz 'epoch' + us * interval '1 microsecond', ${actorId}
        from unnest(${sql.param(b.map((x) => x.groupId))}::uuid[], ${sql.param(b.map((x) => x.itemId))}::uuid[],
                    ${sql.param(b.map((x) => x.locationId))}::uuid[], ${sql.param(b.map((x) => x.lotId))}::uuid[],
                    ${sql.param(b.map((x) => x.quantity))}::bigint[], ${sql.param(b.map((x) => x.counted))}::bigint[],
                    ${sql.param(b.map((x) => x.reason))}::text[], ${sql.param(b.map((x) => x.rowKey))}::uuid[],
                    ${sql.param(b.map((x) => String(x.at)))}::bigint[])
             as u(g, it, lo, lt, q, c, r, k, us)`);
  }
}
