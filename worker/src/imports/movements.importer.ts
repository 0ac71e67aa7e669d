import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'drizzle-orm';
import { from as copyFrom } from 'pg-copy-streams';
import { HISTORICAL_MOVEMENT_TYPES } from './import-columns.ts';
import { type ApplyContext, columnIndex, type KindImporter, type ValidateContext } from './importer.ts';
import { createInstantParser, isRealDate, parseNumber, toBase } from './parse-values.ts';
import type { ImportRow } from './read-rows.ts';
import { type LotRef, loadLots, locationKey, lotKey } from './reference-data.ts';

const C = columnIndex('movements');
const OUTFLOW = new Set(['issue', 'transfer_out', 'return', 'write_off']);
const TYPES = new Set<string>(HISTORICAL_MOVEMENT_TYPES);

/** The columns of the COPY stream, in order: the spool file holds exactly these, tab-separated. */
export const MOVEMENT_COPY_COLUMNS =
  '(type, item_id, location_id, lot_id, quantity, occurred_at, source, historical, import_id)';

/**
 * Historical movements. Validation resolves every code and converts every quantity, and writes
 * each valid row, already in PostgreSQL's COPY text format, to a spool file beside the upload.
 * Applying is then one `COPY movements FROM STDIN` of that file — the database's fastest path —
 * preceded by inserting the lots the history names that do not exist yet. Memory holds the
 * catalogue maps and the distinct lots, never the rows.
 */
export async function createMovementsImporter(ctx: ValidateContext): Promise<KindImporter> {
  const lots: Map<string, LotRef> = await ctx.withTx(loadLots);
  const instant = createInstantParser(ctx.notAfterMs);
  const suffix = `\timport\tt\t${ctx.importId}\n`;
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

  function validate(row: ImportRow): Promise<void> | undefined {
    const v = row.values;
    const line = row.line;
    let bad = false;
    const err = (field: string, reason: string) => {
      ctx.error(line, field, reason);
      bad = true;
    };

    const when = instant(v[C.date!]!);
    if (!when.ok) err('date', when.reason);

    const siteCode = v[C.site_code!]!;
    const location = ctx.refs.locations.get(locationKey(siteCode, v[C.location_code!]!));
    if (!location) {
      if (!ctx.refs.siteCodes.has(siteCode)) err('site_code', `unknown site '${siteCode}'`);
      else err('location_code', `unknown location '${v[C.location_code!]}' at site '${siteCode}'`);
    }

    const itemCode = v[C.item_code!]!;
    const item = ctx.refs.items.get(itemCode);
    if (!item) err('item_code', itemCode === '' ? 'is required' : `unknown item '${itemCode}'`);

    const type = v[C.type!]!;
    if (!TYPES.has(type)) err('type', `'${type}' is not one of ${HISTORICAL_MOVEMENT_TYPES.join(', ')}`);

    let quantity = 0;
    const q = parseNumber(v[C.quantity!]!);
    if (!q.ok) err('quantity', q.reason);
    else if (type === 'adjustment' ? q.value === 0 : q.value <= 0)
      err(
        'quantity',
        type === 'adjustment' ? 'an adjustment must not be 0' : `must be positive, got ${q.value}`,
      );
    else if (item) {
      const unit = v[C.unit!]! || item.baseUnit;
      const factor = item.factors.get(unit);
      if (factor === undefined)
        err(
          'unit',
          `unit '${unit}' is not defined for item ${itemCode} (known: ${[...item.factors.keys()].join(', ')})`,
        );
      else {
        const base = toBase(q.value, factor, unit, item.baseUnit);
        if (!base.ok) err('quantity', base.reason);
        else quantity = OUTFLOW.has(type) ? -base.value : base.value;
      }
    }

    let lotId = '\\N';
    const lotNumber = v[C.lot_number!]!;
    const expiry = v[C.expiry_date!]!;
    if (expiry !== '' && !isRealDate(expiry)) err('expiry_date', `'${expiry}' is not a date (YYYY-MM-DD)`);
    else if (expiry !== '' && lotNumber === '') err('expiry_date', 'an expiry date needs a lot_number');
    if (lotNumber.length > 40) err('lot_number', 'is longer than 40 characters');
    else if (lotNumber !== '' && item && !bad) {
      const key = lotKey(item.id, lotNumber);
      let lot = lots.get(key);
      if (!lot) {
        lot = { id: randomUUID(), expiryDate: expiry || null, isNew: true, itemId: item.id, lotNumber };
        lots.set(key, lot);
      } else if (expiry !== '' && lot.expiryDate !== null && lot.expiryDate !== expiry) {
        err('expiry_date', `lot ${lotNumber} of ${itemCode} has expiry ${lot.expiryDate}, not ${expiry}`);
      } else if (expiry !== '' && lot.expiryDate === null && lot.isNew) {
        lot.expiryDate = expiry;
      }
      lotId = lot.id;
    }

    // Once any row is bad nothing will be applied: keep validating, stop spooling.
    if (bad || ctx.hasErrors() || !when.ok) return;
    buffer += `${type}\t${item!.id}\t${location!.id}\t${lotId}\t${quantity}\t${when.value.text}${suffix}`;
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
      // Count lines as they stream past, so the API can show progress during the COPY.
      let applied = 0;
      let reported = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          let i = chunk.indexOf(10);
          while (i !== -1) {
            applied++;
            i = chunk.indexOf(10, i + 1);
          }
          if (applied - reported >= a.every) {
            reported = applied;
            a.progress(applied).then(() => done(null, chunk), done);
          } else done(null, chunk);
        },
      });
      const size = (await stat(ctx.spoolPath)).size;
      if (size > 0) {
        const copy = a.client.query(copyFrom(`COPY movements ${MOVEMENT_COPY_COLUMNS} FROM STDIN`));
        await pipeline(createReadStream(ctx.spoolPath, { highWaterMark: 1 << 20 }), counter, copy);
      }
      await a.progress(spooled);
      return { movements: spooled, lotsCreated: newLots.length };
    },
    async dispose() {
      if (!spool.closed) spool.destroy();
      await rm(ctx.spoolPath, { force: true });
    },
  };
}
