import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyTenantMigrations, migrationFiles, tenantSchema, withTenantDb } from '@medstock/db';
import { JOB_REGISTRY, type RunningWorker, startWorker } from '@medstock/worker';
import type { JobDefinition } from '@medstock/worker/jobs/job-context.ts';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The history model (migration 0013, db/src/ledger/ledger-replay.ts): back-dated movements plus
 * counts, every row counting towards on-hand at its date, stock.on_hand = sum(movements) always.
 */
let t: TestApp;
let org: SignedUp;
let running: RunningWorker;
let uploadDir: string;
let loc: string;
let n = 0;

const noop: JobDefinition = { description: 'not under test here', handle: async () => ({}) };
const DAY = 86_400_000;
const daysAgo = (d: number, hour = 10) => {
  const x = new Date(Date.now() - d * DAY);
  x.setUTCHours(hour, 0, 0, 0);
  return x.toISOString();
};
const q = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
  withTenantDb(
    t.deps.database.db,
    { organizationId: org.organizationId },
    async (tx) => (await tx.execute<T>(query)).rows,
  );

async function move(body: Record<string, unknown>) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/movements',
    headers: org.headers,
    payload: { locationId: loc, ...body },
  });
}
async function posted(body: Record<string, unknown>) {
  const r = await move(body);
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}
async function onHand(itemId: string): Promise<number> {
  const r = await q<{ n: string }>(
    sql`select coalesce(sum(on_hand), 0)::text as n from stock where item_id = ${itemId} and location_id = ${loc}`,
  );
  return Number(r[0]!.n);
}
/** The ledger balance at an instant: every row with occurred_at <= it. */
async function balanceAt(itemId: string, at: string): Promise<number> {
  const r = await q<{ n: string }>(sql`
    select coalesce(sum(quantity), 0)::text as n from movements
     where item_id = ${itemId} and location_id = ${loc} and occurred_at <= ${at}::timestamptz`);
  return Number(r[0]!.n);
}
/** stock.on_hand = sum(movements.quantity) per (location, item, lot), over the whole tenant. */
async function invariantBreaches() {
  return q(sql`
    select coalesce(s.location_id, m.location_id) as location_id, coalesce(s.item_id, m.item_id) as item_id,
           coalesce(s.lot_id, m.lot_id) as lot_id, s.on_hand, m.total
      from stock s full join (select location_id, item_id, lot_id, sum(quantity) as total from movements
                               where lot_id is not null group by 1, 2, 3) m
        on m.location_id = s.location_id and m.item_id = s.item_id and m.lot_id = s.lot_id
     where coalesce(s.on_hand, 0) <> coalesce(m.total, 0)`);
}
const newItem = () => insertItem(t, org.organizationId, { code: `HIST-${n++}` });

beforeAll(async () => {
  uploadDir = mkdtempSync(join(tmpdir(), 'medstock-history-test-'));
  t = await startTestApp({ UPLOAD_DIR: uploadDir });
  org = await signUp(t, { organizationName: 'History clinic' });
  running = await startWorker(t.config, {
    registry: { ...JOB_REGISTRY, recalculate: noop, 'recalculate-drain': noop, housekeeping: noop },
  });
  loc = (await centralStore(t, org.headers)).locationId;
});
afterEach(async () => {
  expect(await invariantBreaches()).toEqual([]);
});
afterAll(async () => {
  await running?.close();
  await t?.close();
  rmSync(uploadDir, { recursive: true, force: true });
});

describe('dated movements and counts', () => {
  it('a back-dated movement before a later count is absorbed by it; after the last count it changes on-hand', async () => {
    const item = await newItem();
    await posted({ type: 'receipt', itemId: item, quantity: 100, lotNumber: 'A', occurredAt: daysAgo(10) });
    const count = await posted({
      type: 'stocktake',
      itemId: item,
      quantity: 80,
      lotNumber: 'A',
      occurredAt: daysAgo(5),
    });
    expect(count.movements).toMatchObject([{ type: 'stocktake', quantity: -20, counted: 80 }]);
    expect(await onHand(item)).toBe(80);

    // Issued a week ago, entered only now: the count five days ago already saw its effect.
    const late = await posted({ type: 'issue', itemId: item, quantity: 10, occurredAt: daysAgo(7) });
    expect(late.movements).toMatchObject([{ type: 'issue', quantity: -10, lotNumber: 'A' }]);
    expect(await onHand(item)).toBe(80);
    expect(await balanceAt(item, daysAgo(5))).toBe(80);
    expect(await balanceAt(item, daysAgo(6))).toBe(90);
    // The count's group holds the compensation: its variance is now -10.
    const group = (
      await t.app.inject({ method: 'GET', url: `/v1/movements/${count.groupId}`, headers: org.headers })
    ).json();
    expect(group.movements.reduce((a: number, m: { quantity: number }) => a + m.quantity, 0)).toBe(-10);

    // After the last count: today's on-hand moves.
    await posted({ type: 'issue', itemId: item, quantity: 5, occurredAt: daysAgo(2) });
    expect(await onHand(item)).toBe(75);
    // Beyond what is there (no later count absorbs it): refused, nothing written.
    const before = await q(sql`select count(*)::int as n from movements where item_id = ${item}`);
    const over = await move({ type: 'issue', itemId: item, quantity: 76, occurredAt: daysAgo(1) });
    expect(over.statusCode).toBe(409);
    expect(over.json()).toMatchObject({ code: 'insufficient_stock' });
    expect(await q(sql`select count(*)::int as n from movements where item_id = ${item}`)).toEqual(before);
    expect(await onHand(item)).toBe(75);
  });

  it('a dated count takes effect at its date: its variance is against the balance then', async () => {
    const item = await newItem();
    await posted({ type: 'receipt', itemId: item, quantity: 50, occurredAt: daysAgo(10) });
    await posted({ type: 'issue', itemId: item, quantity: 10, occurredAt: daysAgo(3) });
    expect(await onHand(item)).toBe(40);
    const c = await posted({ type: 'stocktake', itemId: item, quantity: 30, occurredAt: daysAgo(5) });
    // Whole item-location count: a header with the count, the variance on the lot.
    expect(c.movements).toMatchObject([
      { type: 'stocktake', lotNumber: null, quantity: 0, counted: 30 },
      { type: 'stocktake', lotNumber: '', quantity: -20, counted: null },
    ]);
    expect(await balanceAt(item, daysAgo(5))).toBe(30);
    expect(await onHand(item)).toBe(20); // 30 counted, 10 issued since
    const future = await move({ type: 'receipt', itemId: item, quantity: 1, occurredAt: daysAgo(-2) });
    expect(future.statusCode).toBe(422);
    expect(future.json()).toMatchObject({
      code: 'occurred_in_future',
      errors: [{ field: 'body:/occurredAt' }],
    });
  });

  it('a count without a lot counts the whole item-location (15 of DEMO-11 counted as 14 is 14, not 29)', async () => {
    const item = await newItem();
    await posted({
      type: 'receipt',
      itemId: item,
      quantity: 15,
      lotNumber: 'DEMO-11',
      expiryDate: '2031-01-31',
    });
    const c = await posted({ type: 'stocktake', itemId: item, quantity: 14 });
    expect(await onHand(item)).toBe(14);
    expect(c.movements).toMatchObject([
      { lotNumber: null, quantity: 0, counted: 14 },
      { lotNumber: 'DEMO-11', quantity: -1 },
    ]);
    // A surplus goes to the lot held there (the last-expiring one), never to a new lot-less row.
    const up = await posted({ type: 'stocktake', itemId: item, quantity: 16 });
    expect(await onHand(item)).toBe(16);
    expect(up.movements).toMatchObject([
      { lotNumber: null, quantity: 0, counted: 16 },
      { lotNumber: 'DEMO-11', quantity: 2 },
    ]);
    await posted({ type: 'stocktake', itemId: item, quantity: 14 });
    // A shortfall is taken first-expiry-first.
    await posted({
      type: 'receipt',
      itemId: item,
      quantity: 10,
      lotNumber: 'DEMO-12',
      expiryDate: '2030-06-30',
    });
    await posted({ type: 'stocktake', itemId: item, quantity: 20 });
    const lots = await q<{ lot_number: string; on_hand: number }>(sql`
      select lo.lot_number, s.on_hand::int from stock s join lots lo on lo.id = s.lot_id
       where s.item_id = ${item} and s.location_id = ${loc} and s.on_hand > 0 order by lo.lot_number`);
    expect(lots).toEqual([
      { lot_number: 'DEMO-11', on_hand: 14 },
      { lot_number: 'DEMO-12', on_hand: 6 },
    ]);
    // A surplus across several lots goes to the one expiring last (DEMO-11, 2031), not to untracked.
    await posted({ type: 'stocktake', itemId: item, quantity: 23 });
    expect(await onHand(item)).toBe(23);
    const after = await q<{ lot_number: string; on_hand: number }>(sql`
      select lo.lot_number, s.on_hand::int from stock s join lots lo on lo.id = s.lot_id
       where s.item_id = ${item} and s.location_id = ${loc} and s.on_hand <> 0 order by lo.lot_number`);
    expect(after).toEqual([
      { lot_number: 'DEMO-11', on_hand: 17 },
      { lot_number: 'DEMO-12', on_hand: 6 },
    ]);
    // With no lot held at all, a count is of untracked stock: there is no lot to attribute it to.
    const bare = await newItem();
    await posted({ type: 'stocktake', itemId: bare, quantity: 5 });
    const untracked = await q<{ lot_number: string; on_hand: number }>(sql`
      select lo.lot_number, s.on_hand::int from stock s join lots lo on lo.id = s.lot_id
       where s.item_id = ${bare} and s.location_id = ${loc}`);
    expect(untracked).toEqual([{ lot_number: '', on_hand: 5 }]);
  });
});

describe('migration 0013', () => {
  it('replaces historical rows by baselines: today’s on-hand unchanged, stock = sum(movements)', async () => {
    const id = randomUUID();
    const schema = tenantSchema(id);
    const files = migrationFiles('tenant');
    const upTo = files.findIndex((f) => f.name.startsWith('0013_'));
    expect(upTo).toBeGreaterThan(0);
    const client = await t.deps.database.pool.connect();
    try {
      await client.query('begin');
      await applyTenantMigrations(client, id, { createSchema: true, files: files.slice(0, upTo) });
      const one = async (text: string, params: unknown[] = []) => (await client.query(text, params)).rows[0];
      const site = await one(`insert into sites (code, name) values ('S', 'Site') returning id`);
      const l = await one(
        `insert into locations (site_id, code, name) values ($1, 'C', 'Central') returning id`,
        [site.id],
      );
      const item = await one(
        `insert into items (code, name_zh, name_en, base_unit) values ('M-1', '耗材', 'Item', 'piece') returning id`,
      );
      const lot = await one(`insert into lots (item_id, lot_number) values ($1, 'L1') returning id`, [
        item.id,
      ]);
      // Real stock: a receipt of 30 of L1 and a stocktake; history: issues without lot and of L1.
      await client.query(
        `insert into stock (location_id, item_id, lot_id, on_hand) values ($1, $2, $3, 28)`,
        [l.id, item.id, lot.id],
      );
      await client.query(
        `insert into movements (type, item_id, location_id, lot_id, quantity, occurred_at) values
           ('receipt', $1, $2, $3, 30, now() - interval '3 days'), ('stocktake', $1, $2, $3, -2, now() - interval '1 day')`,
        [item.id, l.id, lot.id],
      );
      await client.query(
        `insert into movements (type, item_id, location_id, lot_id, quantity, occurred_at, historical, source)
         select 'issue', $1, $2, case when g % 2 = 0 then $3::uuid end, -g, now() - g * interval '1 day', true, 'import'
           from generate_series(1, 20) g`,
        [item.id, l.id, lot.id],
      );
      await applyTenantMigrations(client, id, { files: files.slice(0, upTo + 1) });
      const breaches = await client.query(`
        select * from stock s full join (select location_id, item_id, lot_id, sum(quantity) as total from movements
                                           where lot_id is not null group by 1, 2, 3) m using (location_id, item_id, lot_id)
         where coalesce(s.on_hand, 0) <> coalesce(m.total, 0)`);
      expect(breaches.rows).toEqual([]);
      const onHand = await one(`select sum(on_hand)::int as n from stock`);
      expect(onHand.n).toBe(28);
      const baselines = await client.query(
        `select lo.lot_number, m.quantity::int as q from movements m join lots lo on lo.id = m.lot_id
          where m.reason = 'history baseline' order by 1`,
      );
      // Issues 1..20: the odd ones (100) were untracked, the even ones (110) of L1.
      expect(baselines.rows).toEqual([
        { lot_number: '', q: 100 },
        { lot_number: 'L1', q: 110 },
      ]);
      const legacyCount = await one(
        `select counted::int from movements where type = 'stocktake' and reason is null`,
      );
      expect(legacyCount.counted).toBe(28);
      const column = await one(
        `select count(*)::int as n from information_schema.columns where table_schema = $1 and table_name = 'movements' and column_name = 'historical'`,
        [schema],
      );
      expect(column.n).toBe(0);
    } finally {
      await client.query('rollback');
      client.release();
    }
  });
});

describe('history import with counts', () => {
  const HEADER = 'date,site_code,location_code,item_code,type,quantity,unit,lot_number,expiry_date';

  async function importCsv(csv: string) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/imports?kind=movements',
      headers: { ...org.headers, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(res.statusCode, res.body).toBe(202);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = (
        await t.app.inject({ method: 'GET', url: `/v1/imports/${res.json().id}`, headers: org.headers })
      ).json();
      if (r.status === 'succeeded' || r.status === 'failed') return r;
      if (Date.now() > deadline) throw new Error(`import still ${r.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('takes counts at their dates; importing the same file twice changes nothing the second time', async () => {
    const code = `HIST-${n++}`;
    const item = await insertItem(t, org.organizationId, { code });
    const other = `HIST-${n++}`;
    const otherItem = await insertItem(t, org.organizationId, { code: other });
    await posted({ type: 'receipt', itemId: otherItem, quantity: 7 });
    const day = (d: number) => daysAgo(d).slice(0, 10);
    const csv = [
      HEADER,
      `${day(40)},MAIN,CENTRAL,${code},receipt,100,,,`,
      `${day(35)},MAIN,CENTRAL,${code},issue,20,,,`,
      `${day(35)},MAIN,CENTRAL,${code},issue,20,,,`,
      `${day(31)},MAIN,CENTRAL,${code},盘点,55,,,`,
      `${day(20)},MAIN,CENTRAL,${code},issue,15,,,`,
      `${day(10)},MAIN,CENTRAL,${code},count,30,,,`,
      `${day(5)},MAIN,CENTRAL,${code},issue,4,,,`,
      // No count for the other item: its rows explain the past, today's on-hand stays 7.
      `${day(30)},MAIN,CENTRAL,${other},issue,3,,,`,
      `${day(20)},MAIN,CENTRAL,${other},issue,2,,,`,
    ].join('\n');
    const first = await importCsv(csv);
    expect(first.status, JSON.stringify(first.errors)).toBe('succeeded');
    expect(first.summary).toMatchObject({ movements: 7, counts: 2, skippedAlreadyImported: 0 });
    expect(await onHand(item)).toBe(26); // counted 30, then 4 issued
    const endOfDay = (d: number) => new Date(Date.parse(`${day(d)}T23:59:59Z`)).toISOString();
    expect(await balanceAt(item, endOfDay(31))).toBe(55);
    expect(await balanceAt(item, endOfDay(10))).toBe(30);
    expect(await onHand(otherItem)).toBe(7);
    const variances = await q<{ counted: string | null; total: string }>(sql`
      select max(counted)::text as counted, sum(quantity)::text as total from movements
       where item_id = ${item} and type = 'stocktake' group by group_id order by min(occurred_at)`);
    expect(variances).toEqual([
      { counted: '55', total: '-5' }, // 100 − 40 = 60 in the book, 55 counted
      { counted: '30', total: '-10' }, // 55 − 15 = 40 in the book, 30 counted
    ]);

    const ledgerBefore = await q(sql`select count(*)::int as n, sum(quantity)::int as total from movements`);
    // The very same file is refused at the upload (its content hash is known)…
    const sameFile = await t.app.inject({
      method: 'POST',
      url: '/v1/imports?kind=movements',
      headers: { ...org.headers, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(sameFile.statusCode).toBe(409);
    expect(sameFile.json()).toMatchObject({ code: 'duplicate_import', duplicateOf: first.id });
    // …and the same rows in another file (saved again, a line ending added) are skipped row by row.
    const second = await importCsv(`${csv}\r\n`);
    expect(second.status).toBe('succeeded');
    expect(second.summary).toMatchObject({ movements: 0, counts: 0, skippedAlreadyImported: 9 });
    expect(await q(sql`select count(*)::int as n, sum(quantity)::int as total from movements`)).toEqual(
      ledgerBefore,
    );
    expect(await onHand(item)).toBe(26);
    expect(await onHand(otherItem)).toBe(7);

    // A row entered late, dated before the last count: absorbed by that count.
    const late = await importCsv([HEADER, `${day(15)},MAIN,CENTRAL,${code},issue,6,,,`].join('\n'));
    expect(late.status).toBe('succeeded');
    expect(late.summary).toMatchObject({ movements: 1, absorbedByCounts: 1 });
    expect(await onHand(item)).toBe(26);
    expect(await balanceAt(item, endOfDay(10))).toBe(30);
  });
});
