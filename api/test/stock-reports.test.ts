import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDays, localToday } from '@medstock/core';
import { withTenantDb } from '@medstock/db';
import { JOB_REGISTRY, type RunningWorker, startWorker } from '@medstock/worker';
import { loadEngineInputs } from '@medstock/worker/engine/load-inputs.ts';
import type { JobDefinition } from '@medstock/worker/jobs/job-context.ts';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let org: SignedUp;
let running: RunningWorker;
let uploadDir: string;
let loc: string;
let n = 0;

const noop: JobDefinition = { description: 'not under test here', handle: async () => ({}) };
const today = () => localToday('Asia/Shanghai');
const q = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
  withTenantDb(
    t.deps.database.db,
    { organizationId: org.organizationId },
    async (tx) => (await tx.execute<T>(query)).rows,
  );
const post = (payload: unknown) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/stock-reports',
    headers: org.headers,
    payload: payload as object,
  });
async function onHand(itemId: string): Promise<number> {
  const r = await q<{ n: string }>(
    sql`select coalesce(sum(on_hand), 0)::text as n from stock where item_id = ${itemId} and location_id = ${loc}`,
  );
  return Number(r[0]!.n);
}
/** Ledger balance at the end of a local (Asia/Shanghai) day. */
async function balanceAtEndOf(itemId: string, day: string): Promise<number> {
  const r = await q<{ n: string }>(sql`
    select coalesce(sum(quantity), 0)::text as n from movements
     where item_id = ${itemId} and location_id = ${loc} and occurred_at < (${addDays(day, 1)}::date::timestamp at time zone 'Asia/Shanghai')`);
  return Number(r[0]!.n);
}
const newItem = (code = `REP-${n++}`) =>
  insertItem(t, org.organizationId, { code, packUnits: [{ code: 'box', factor: 10 }] });

beforeAll(async () => {
  uploadDir = mkdtempSync(join(tmpdir(), 'medstock-reports-test-'));
  t = await startTestApp({ UPLOAD_DIR: uploadDir });
  org = await signUp(t, { organizationName: 'Report clinic' });
  running = await startWorker(t.config, {
    registry: { ...JOB_REGISTRY, recalculate: noop, 'recalculate-drain': noop, housekeeping: noop },
  });
  loc = (await centralStore(t, org.headers)).locationId;
});
afterEach(async () => {
  const breaches = await q(sql`
    select * from stock s full join (select location_id, item_id, lot_id, sum(quantity) as total from movements
                                       where lot_id is not null group by 1, 2, 3) m using (location_id, item_id, lot_id)
     where coalesce(s.on_hand, 0) <> coalesce(m.total, 0)`);
  expect(breaches).toEqual([]);
});
afterAll(async () => {
  await running?.close();
  await t?.close();
  rmSync(uploadDir, { recursive: true, force: true });
});

describe('POST /v1/stock-reports', () => {
  it('posts dated entries: on-hand at the period end is the closing count, the discrepancy a visible variance', async () => {
    const item = await newItem();
    const start = addDays(today(), -70);
    const end = addDays(today(), -41);
    const report = {
      itemId: item,
      locationId: loc,
      periodStart: start,
      periodEnd: end,
      opening: 50,
      received: 100,
      issued: 120,
      losses: 5,
      lossesReason: 'expired',
      closingCount: 20,
      stockoutDays: 3,
    };
    const r = await post(report);
    expect(r.statusCode, r.body).toBe(201);
    const body = r.json();
    expect(r.headers.location).toBe(`/v1/stock-reports/${body.report.id}`);
    // The book: 50 (the opening, a count since the ledger knew nothing) + 100 − 5 − 120 = 25.
    expect(body).toMatchObject({
      created: true,
      report: {
        opening: 50,
        bookOpening: null,
        bookClosing: 25,
        variance: -5,
        closingCount: 20,
        stockoutDays: 3,
      },
    });
    expect(await balanceAtEndOf(item, end)).toBe(20);
    expect(await balanceAtEndOf(item, addDays(start, -1))).toBe(50);
    expect(await onHand(item)).toBe(20);
    const rows = (
      await t.app.inject({ method: 'GET', url: `/v1/movements/${body.report.groupId}`, headers: org.headers })
    ).json().movements;
    expect(rows.map((m: { type: string; quantity: number }) => [m.type, m.quantity])).toEqual([
      ['stocktake', 0],
      ['stocktake', 50],
      ['receipt', 100],
      ['write_off', -5],
      ['issue', -120],
      ['stocktake', 0],
      ['stocktake', -5],
    ]);
    expect(rows.find((m: { counted: number | null }) => m.counted === 20)).toBeTruthy();

    // The next month agrees with the book at its start: no opening count.
    const next = await post({
      itemId: item,
      locationId: loc,
      periodStart: addDays(end, 1),
      periodEnd: addDays(end, 30),
      opening: 20,
      received: 40,
      issued: 45,
      closingCount: 15,
    });
    expect(next.statusCode, next.body).toBe(201);
    expect(next.json().report).toMatchObject({ bookOpening: 20, bookClosing: 15, variance: 0 });
    expect(await onHand(item)).toBe(15);

    // The same report again: nothing changes. A different one of that period: 409.
    const before = await q(sql`select count(*)::int as n from movements where item_id = ${item}`);
    const again = await post(report);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ created: false, report: { id: body.report.id } });
    expect(await q(sql`select count(*)::int as n from movements where item_id = ${item}`)).toEqual(before);
    const differs = await post({ ...report, closingCount: 21 });
    expect(differs.statusCode).toBe(409);
    expect(differs.json()).toMatchObject({ code: 'report_exists', errors: [{ field: 'body:/periodStart' }] });
    const overlaps = await post({ ...report, periodStart: addDays(start, 3), periodEnd: addDays(end, 3) });
    expect(overlaps.statusCode).toBe(409);
    expect(overlaps.json()).toMatchObject({ code: 'report_overlaps' });
    expect(await onHand(item)).toBe(15);
  });

  it('a late report is absorbed by a later count: on-hand today stays', async () => {
    const item = await newItem();
    const c = await t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: org.headers,
      payload: {
        type: 'stocktake',
        itemId: item,
        locationId: loc,
        quantity: 12,
        occurredAt: new Date(Date.now() - 86_400_000).toISOString(),
      },
    });
    expect(c.statusCode, c.body).toBe(201);
    const r = await post({
      itemId: item,
      locationId: loc,
      periodStart: addDays(today(), -40),
      periodEnd: addDays(today(), -11),
      received: 30,
      issued: 10,
      closingCount: 18,
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().report).toMatchObject({ bookOpening: null, bookClosing: 20, variance: -2 });
    expect(await balanceAtEndOf(item, addDays(today(), -11))).toBe(18);
    expect(await onHand(item)).toBe(12);
  });

  it('posts a batch in one transaction, all or nothing', async () => {
    const a = await newItem();
    const b = await newItem();
    const period = { periodStart: addDays(today(), -30), periodEnd: addDays(today(), -1), locationId: loc };
    const ok = await post({
      reports: [
        { ...period, itemId: a, received: 3, unit: 'box', issued: 1.2, closingCount: 1.8 },
        { ...period, itemId: b, closingCount: 0, stockoutDays: 30 },
      ],
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().reports).toHaveLength(2);
    expect(ok.json().reports[0].report).toMatchObject({
      received: 30,
      issued: 12,
      closingCount: 18,
      variance: 0,
    });
    expect(await onHand(a)).toBe(18);

    const c = await newItem();
    const bad = await post({
      reports: [
        { ...period, itemId: c, closingCount: 5 },
        { ...period, itemCode: 'NO-SUCH-ITEM', closingCount: 5 },
      ],
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({
      code: 'unknown_item',
      errors: [{ field: 'body:/reports/1/itemCode' }],
    });
    expect(await q(sql`select count(*)::int as n from stock_reports where item_id = ${c}`)).toEqual([
      { n: 0 },
    ]);
    expect(await onHand(c)).toBe(0);
  });

  it('refuses bad reports with problem details and field errors, never a 500', async () => {
    const item = await newItem();
    const base = { itemId: item, locationId: loc, closingCount: 1 };
    const cases: [Record<string, unknown>, number, string, string | null][] = [
      [
        { ...base, periodStart: '2025-02-10', periodEnd: '2025-02-01' },
        422,
        'invalid_period',
        'body:/periodEnd',
      ],
      [
        { ...base, periodStart: '2025-02-01', periodEnd: '2025-02-10', stockoutDays: 11 },
        422,
        'invalid_stockout_days',
        'body:/stockoutDays',
      ],
      [
        { ...base, periodStart: today(), periodEnd: addDays(today(), 5) },
        422,
        'period_not_ended',
        'body:/periodEnd',
      ],
      [
        { ...base, periodStart: '2024-01-01', periodEnd: '2025-06-30' },
        422,
        'invalid_period',
        'body:/periodEnd',
      ],
      [
        { ...base, periodStart: '2025-02-01', periodEnd: '2025-02-28', issued: 0.5, unit: 'piece' },
        422,
        'units_not_integer',
        'body:/issued',
      ],
      [
        { ...base, periodStart: '2025-02-01', periodEnd: '2025-02-28', unit: 'crate' },
        422,
        'units_unknown_unit',
        'body:/unit',
      ],
      [
        {
          ...base,
          locationId: '00000000-0000-4000-8000-000000000000',
          periodStart: '2025-02-01',
          periodEnd: '2025-02-28',
        },
        422,
        'unknown_location',
        'body:/locationId',
      ],
      [{ ...base, periodStart: '2025-02-01', periodEnd: '2025-02-28', closingCount: -1 }, 400, '', null],
      [{ ...base, periodStart: '2025-02-01', periodEnd: '2025-02-28', extra: 1 }, 400, '', null],
    ];
    for (const [payload, status, code, field] of cases) {
      const r = await post(payload);
      expect(r.statusCode, `${JSON.stringify(payload)} → ${r.body}`).toBe(status);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
      if (code) expect(r.json().code).toBe(code);
      if (field) expect(r.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(await q(sql`select count(*)::int as n from stock_reports where item_id = ${item}`)).toEqual([
      { n: 0 },
    ]);
    // One report or a batch: a bad single report gets the single report's complaints only, not
    // the batch shape's ("reports" missing, every field unknown).
    const single = await post({
      ...base,
      periodStart: '2025-02-01',
      periodEnd: '2025-02-28',
      closingCount: -1,
    });
    expect(single.json().errors.map((e: { field: string; code: string }) => [e.field, e.code])).toEqual([
      ['body:/closingCount', 'minimum'],
    ]);
    const inBatch = await post({
      reports: [{ ...base, periodStart: '2025-02-01', periodEnd: '2025-02-28', closingCount: -1 }],
    });
    expect(inBatch.json().errors.map((e: { field: string }) => e.field)).toEqual([
      'body:/reports/0/closingCount',
    ]);
  });

  it('lists with filters and cursor pages, and reads one', async () => {
    const item = await newItem();
    for (const k of [3, 2, 1]) {
      const r = await post({
        itemId: item,
        locationId: loc,
        periodStart: addDays(today(), -30 * k - 29),
        periodEnd: addDays(today(), -30 * k),
        closingCount: k,
      });
      expect(r.statusCode, r.body).toBe(201);
    }
    const first = await t.app.inject({
      method: 'GET',
      url: `/v1/stock-reports?itemId=${item}&limit=2`,
      headers: org.headers,
    });
    expect(first.statusCode).toBe(200);
    expect(first.json().items.map((r: { closingCount: number }) => r.closingCount)).toEqual([1, 2]);
    const second = await t.app.inject({
      method: 'GET',
      url: `/v1/stock-reports?itemId=${item}&limit=2&cursor=${first.json().nextCursor}`,
      headers: org.headers,
    });
    expect(second.json()).toMatchObject({ items: [{ closingCount: 3 }], nextCursor: null });
    // from/to select by the period's end date (inclusive).
    const window = await t.app.inject({
      method: 'GET',
      url: `/v1/stock-reports?itemId=${item}&from=${addDays(today(), -60)}&to=${addDays(today(), -60)}`,
      headers: org.headers,
    });
    expect(window.statusCode, window.body).toBe(200);
    expect(window.json().items.map((r: { closingCount: number }) => r.closingCount)).toEqual([2]);
    const one = await t.app.inject({
      method: 'GET',
      url: `/v1/stock-reports/${second.json().items[0].id}`,
      headers: org.headers,
    });
    expect(one.json()).toMatchObject({
      itemId: item,
      closingCount: 3,
      itemCode: expect.stringMatching(/^REP-/),
    });
    const missing = await t.app.inject({
      method: 'GET',
      url: '/v1/stock-reports/00000000-0000-4000-8000-000000000000',
      headers: org.headers,
    });
    expect(missing.statusCode).toBe(404);
    const forged = await t.app.inject({
      method: 'GET',
      url: '/v1/stock-reports?cursor=WzFd',
      headers: org.headers,
    });
    expect(forged.json()).toMatchObject({ code: 'invalid_cursor' });
  });
});

describe('import kind stock_reports', () => {
  it('imports monthly reports with Chinese headers; twice is once; stock-out days reach the engine', async () => {
    const code = `REP-${n++}`;
    const item = await newItem(code);
    const months = [3, 2, 1].map((k) => ({
      start: addDays(today(), -30 * k - 29),
      end: addDays(today(), -30 * k),
    }));
    const csv = [
      '院区,库位,耗材编码,期间开始,期间结束,期初,入库,出库,损耗,期末盘点,缺货天数',
      `MAIN,CENTRAL,${code},${months[0]!.start},${months[0]!.end},,60,40,,20,0`,
      `MAIN,CENTRAL,${code},${months[1]!.start},${months[1]!.end},20,0,20,,0,6`,
      `MAIN,CENTRAL,${code},${months[2]!.start},${months[2]!.end},0,50,30,2,17,0`,
    ].join('\n');
    const run = async (file = csv) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/imports?kind=stock_reports',
        headers: { ...org.headers, 'content-type': 'text/csv' },
        payload: file,
      });
      expect(res.statusCode, res.body).toBe(202);
      for (;;) {
        const r = (
          await t.app.inject({ method: 'GET', url: `/v1/imports/${res.json().id}`, headers: org.headers })
        ).json();
        if (r.status === 'succeeded' || r.status === 'failed') return r;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const first = await run();
    expect(first.status, JSON.stringify(first.errors)).toBe('succeeded');
    expect(first.summary).toMatchObject({ reports: 3, unchanged: 0 });
    expect(await onHand(item)).toBe(17);
    for (const [i, closing] of [20, 0, 17].entries())
      expect(await balanceAtEndOf(item, months[i]!.end)).toBe(closing);
    const ledger = await q(sql`select count(*)::int as n from movements where item_id = ${item}`);
    // The same reports in another file (the same file is refused at the upload): nothing changes.
    const second = await run(`${csv}\n`);
    expect(second.status).toBe('succeeded');
    expect(second.summary).toMatchObject({ reports: 0, unchanged: 3 });
    expect(await q(sql`select count(*)::int as n from movements where item_id = ${item}`)).toEqual(ledger);

    // The engine: balances known from the first report's count on, stock-out days censored.
    const [input] = await withTenantDb(t.deps.database.db, { organizationId: org.organizationId }, (tx) =>
      loadEngineInputs(tx, [{ itemId: item, locationId: loc }], today(), 30),
    );
    const dayOf = (d: string) =>
      Math.round((Date.parse(d) - Date.parse(input!.historyStartDate)) / 86_400_000);
    expect(input!.balance[dayOf(months[0]!.end)]).toBe(20);
    expect(input!.balance[dayOf(months[2]!.end)]).toBe(17);
    const censored = input!.stockoutDays!;
    const last = dayOf(months[1]!.end);
    expect(censored.slice(last - 5, last + 1)).toEqual(Array(6).fill(true));
    expect(censored[last - 6]).toBe(false);
    expect(censored[dayOf(months[2]!.end)]).toBe(false);

    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/imports?kind=stock_reports',
      headers: { ...org.headers, 'content-type': 'text/csv' },
      payload: [
        'site_code,location_code,item_code,period_start,period_end,closing_count,stockout_days',
        `MAIN,CENTRAL,${code},2025-03-10,2025-03-01,5,0`,
        `MAIN,CENTRAL,NOPE,2025-03-01,2025-03-31,5,0`,
        `MAIN,CENTRAL,${code},2025-03-01,2025-03-31,-5,x`,
      ].join('\n'),
    });
    expect(bad.statusCode).toBe(202);
    let job: { status: string; errors: unknown[] };
    for (;;) {
      job = (
        await t.app.inject({ method: 'GET', url: `/v1/imports/${bad.json().id}`, headers: org.headers })
      ).json();
      if (job.status === 'failed' || job.status === 'succeeded') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(job.status).toBe('failed');
    expect(job.errors.map((e) => ({ ...(e as object), code: undefined, label: undefined }))).toEqual([
      { line: 2, field: 'period_end', reason: 'is before period_start' },
      { line: 3, field: 'item_code', reason: "unknown item 'NOPE'" },
      { line: 4, field: 'closing_count', reason: 'must not be negative, got -5' },
      { line: 4, field: 'stockout_days', reason: 'must be a whole number of days >= 0, got x' },
    ]);
  });
});
