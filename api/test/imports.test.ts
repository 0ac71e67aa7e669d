import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withTenantDb } from '@medstock/db';
import { JOB_REGISTRY, type RunningWorker, startWorker } from '@medstock/worker';
import { runImport } from '@medstock/worker/imports/run-import.ts';
import type { JobDefinition } from '@medstock/worker/jobs/job-context.ts';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { addMember } from './support/members.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let org: SignedUp;
let running: RunningWorker;
let uploadDir: string;
let siteId: string;
const itemIds: Record<string, string> = {};

const noop: JobDefinition = { description: 'not under test here', handle: async () => ({}) };
const tenant = () => ({ organizationId: org.organizationId });
const q = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
  withTenantDb(t.deps.database.db, tenant(), async (tx) => (await tx.execute<T>(query)).rows);

async function upload(
  kind: string,
  body: string,
  contentType = 'text/csv',
  extra: Record<string, string> = {},
  headers = org.headers,
) {
  return t.app.inject({
    method: 'POST',
    url: `/v1/imports?kind=${kind}${Object.entries(extra)
      .map(([k, v]) => `&${k}=${encodeURIComponent(v)}`)
      .join('')}`,
    headers: { ...headers, 'content-type': contentType },
    payload: body,
  });
}

async function waitFor(id: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = (await t.app.inject({ method: 'GET', url: `/v1/imports/${id}`, headers: org.headers })).json();
    if (r.status === 'succeeded' || r.status === 'failed') return r;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${r.status}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

async function importFile(kind: string, body: string, contentType = 'text/csv') {
  const res = await upload(kind, body, contentType);
  expect(res.statusCode, res.body).toBe(202);
  expect(res.headers.location).toBe(`/v1/imports/${res.json().id}`);
  return waitFor(res.json().id);
}

beforeAll(async () => {
  uploadDir = mkdtempSync(join(tmpdir(), 'medstock-imports-test-'));
  t = await startTestApp({ UPLOAD_DIR: uploadDir, IMPORT_PROGRESS_EVERY_ROWS: '500' });
  org = await signUp(t, { organizationName: 'Import clinic' });
  running = await startWorker(t.config, {
    registry: { ...JOB_REGISTRY, recalculate: noop, 'recalculate-drain': noop, housekeeping: noop },
  });
  siteId = (await centralStore(t, org.headers)).siteId;
  const ward = await t.app.inject({
    method: 'POST',
    url: `/v1/sites/${siteId}/locations`,
    headers: org.headers,
    payload: { code: 'WARD-3', name: 'Ward 3', kind: 'ward' },
  });
  expect(ward.statusCode).toBe(201);
  itemIds.SYR = await insertItem(t, org.organizationId, {
    code: 'SYR-5ML',
    packUnits: [{ code: 'box', factor: 100 }],
  });
  itemIds.GLV = await insertItem(t, org.organizationId, {
    code: 'GLV-M',
    packUnits: [{ code: 'pair', factor: 2 }],
  });
  itemIds.DRS = await insertItem(t, org.organizationId, { code: 'DRS-10' });
});
afterAll(async () => {
  await running?.close();
  await t?.close();
  rmSync(uploadDir, { recursive: true, force: true });
});

const MOVEMENT_HEADER = 'date,site_code,location_code,item_code,type,quantity,unit,lot_number,expiry_date';

/** A deterministic history: `days` days × 3 items × 2 locations, issues with weekly receipts and a few adjustments. */
function movementHistory(days: number) {
  const lines = [MOVEMENT_HEADER];
  const expected = new Map<string, number>();
  const add = (item: string, loc: string, q: number) =>
    expected.set(`${item}|${loc}`, (expected.get(`${item}|${loc}`) ?? 0) + q);
  const start = Date.UTC(2023, 0, 1);
  for (let d = 0; d < days; d++) {
    const date = new Date(start + d * 86_400_000).toISOString().slice(0, 10);
    for (const [item, loc] of [
      ['SYR-5ML', 'CENTRAL'],
      ['SYR-5ML', 'WARD-3'],
      ['GLV-M', 'CENTRAL'],
      ['GLV-M', 'WARD-3'],
      ['DRS-10', 'CENTRAL'],
      ['DRS-10', 'WARD-3'],
    ] as const) {
      const n = 1 + ((d * 7 + item.length + loc.length) % 9);
      if (d % 7 === 0 && item === 'SYR-5ML') {
        lines.push(`${date},MAIN,${loc},${item},receipt,2,box,L${Math.floor(d / 7)},2026-12-31`);
        add(item, loc, 200);
      } else if (item === 'GLV-M' && d % 5 === 0) {
        lines.push(`${date},MAIN,${loc},${item},issue,${n},pair,,`);
        add(item, loc, -2 * n);
      } else if (d % 11 === 0) {
        lines.push(`${date},MAIN,${loc},${item},adjustment,-${n},,,`);
        add(item, loc, -n);
      } else {
        lines.push(`${date},MAIN,${loc},${item},issue,${n},,,`);
        add(item, loc, -n);
      }
    }
  }
  return { csv: `${lines.join('\n')}\n`, rows: lines.length - 1, expected };
}

describe('bulk import', () => {
  it('imports some thousands of history movements with correct counts; a baseline keeps today’s on-hand', async () => {
    const { csv, rows, expected } = movementHistory(600);
    expect(rows).toBe(3600);
    const stockBefore = await q(sql`select count(*)::int as n from stock`);
    const job = await importFile('movements', csv);
    expect(job).toMatchObject({
      status: 'succeeded',
      kind: 'movements',
      format: 'csv',
      totalRows: rows,
      appliedRows: rows,
      processedRows: rows,
      progress: 100,
      errorCount: 0,
      errors: [],
    });
    expect(job.summary.movements).toBe(rows);
    const sums = await q<{ code: string; loc: string; n: number; total: number }>(sql`
      select i.code, l.code as loc, count(*)::int as n, sum(m.quantity)::int as total
        from movements m join items i on i.id = m.item_id join locations l on l.id = m.location_id
       where m.type <> 'stocktake' and m.import_id = ${job.id} and m.source = 'import' group by 1, 2`);
    expect(sums.reduce((a, r) => a + r.n, 0)).toBe(rows);
    for (const r of sums) expect(r.total, `${r.code} at ${r.loc}`).toBe(expected.get(`${r.code}|${r.loc}`));
    // Lots named in the history exist with their expiry; today's on-hand is untouched.
    const lots = await q<{ n: number }>(
      sql`select count(*)::int as n from lots where item_id = ${itemIds.SYR} and expiry_date = '2026-12-31'`,
    );
    expect(lots[0]!.n).toBe(Math.ceil(600 / 7));
    expect(await q(sql`select count(*)::int as n from stock`)).toEqual(stockBefore);
    const days = await q<{ first: string; last: string }>(sql`
      select to_char(min(occurred_at) at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') as first, to_char(max(occurred_at) at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as last
        from movements where import_id = ${job.id} and type <> 'stocktake'`);
    expect(days[0]).toEqual({ first: '2023-01-01 00:00', last: '2024-08-22' });
    // One baseline per item-location and lot cancels the rows in today's on-hand.
    const baselines = await q<{ n: number; total: number }>(sql`
      select count(*)::int as n, sum(quantity)::int as total from movements
       where import_id = ${job.id} and type = 'stocktake' and reason = 'history baseline'`);
    expect(baselines[0]!.total).toBe(-[...expected.values()].reduce((a, b) => a + b, 0));
    expect(job.summary).toMatchObject({ counts: 0, skippedAlreadyImported: 0 });
  });

  it('reports every bad row with line, field and reason, and applies nothing', async () => {
    const csv = [
      MOVEMENT_HEADER,
      '2024-01-02,MAIN,CENTRAL,SYR-5ML,issue,5,,,',
      '2024-01-02,MAIN,CENTRAL,NOPE-1,issue,5,,,',
      '2024-02-30,MAIN,CENTRAL,SYR-5ML,issue,5,,,',
      '2024-01-03,MAIN,CENTRAL,SYR-5ML,issue,-4,,,',
      '2024-01-03,MAIN,ICU,SYR-5ML,issue,4,,,',
      '2024-01-03,EAST,CENTRAL,SYR-5ML,issue,4,,,',
      '2024-01-03,MAIN,CENTRAL,SYR-5ML,devour,4,,,',
      '2024-01-03,MAIN,CENTRAL,SYR-5ML,issue,4,crate,,',
      '2024-01-03,MAIN,CENTRAL,SYR-5ML,issue,0.5,,,',
      '2024-01-03,MAIN,CENTRAL,SYR-5ML,issue,4',
      '2099-01-03,MAIN,CENTRAL,SYR-5ML,receipt,4,,NEVER-LOT,2030-01-01',
      '2024-01-04,MAIN,CENTRAL,SYR-5ML,receipt,1,box,,2030-01-01',
      '2024-01-05,MAIN,CENTRAL,SYR-5ML,issue,5,,,',
    ].join('\n');
    const before = await q<{ n: number }>(sql`select count(*)::int as n from movements`);
    const job = await importFile('movements', csv);
    expect(job.status).toBe('failed');
    expect(job.appliedRows).toBe(0);
    expect(job.totalRows).toBe(13);
    expect(
      job.errors.map(({ line, field, reason }: Record<string, unknown>) => ({ line, field, reason })),
    ).toEqual([
      { line: 3, field: 'item_code', reason: "unknown item 'NOPE-1'" },
      { line: 4, field: 'date', reason: "'2024-02-30' is not a date (YYYY-MM-DD) or ISO date-time" },
      { line: 5, field: 'quantity', reason: 'must be positive, got -4' },
      { line: 6, field: 'location_code', reason: "unknown location 'ICU' at site 'MAIN'" },
      { line: 7, field: 'site_code', reason: "unknown site 'EAST'" },
      {
        line: 8,
        field: 'type',
        reason:
          "'devour' is not one of receipt, issue, transfer_out, transfer_in, adjustment, return, write_off, stocktake",
      },
      {
        line: 9,
        field: 'unit',
        reason: "unit 'crate' is not defined for item SYR-5ML (known: piece, box, 支)",
      },
      { line: 10, field: 'quantity', reason: '0.5 piece is 0.5 piece; stock is counted in whole piece' },
      { line: 11, field: 'row', reason: 'expected 9 fields as in the header, found 6' },
      { line: 12, field: 'date', reason: '2099-01-03 is in the future' },
      { line: 13, field: 'expiry_date', reason: 'an expiry date needs a lot_number' },
    ]);
    expect(job.errorCount).toBe(11);
    // Read in Chinese, each reason is said in Chinese and each column as the Chinese template heads it.
    const zh = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/imports/${job.id}`,
        headers: { ...org.headers, 'accept-language': 'zh-CN,zh;q=0.9' },
      })
    ).json();
    expect(zh.errors[0]).toMatchObject({
      label: '耗材编码',
      reason: '没有编码为「NOPE-1」的耗材',
      code: 'unknown_item',
    });
    expect(zh.errors[9]).toMatchObject({ label: '日期', reason: '2099-01-03 是将来的时间，不能导入' });
    // No English words but the file's own values (quoted 「…」) and the item's codes.
    for (const e of zh.errors)
      expect(e.reason.replace(/「[^」]*」/g, ''), e.code).not.toMatch(/\b(?!NOPE|EAST|NEVER)[A-Za-z]{4,}/);
    expect(zh.errors[7].reason).toBe('0.5支 折合 0.5支，库存只能按整数支记');
    expect(await q(sql`select count(*)::int as n from movements`)).toEqual(before);
    expect(await q(sql`select count(*)::int as n from lots where lot_number = 'NEVER-LOT'`)).toEqual([
      { n: 0 },
    ]);
  });

  it('refuses a file whose header is wrong, naming the columns', async () => {
    const job = await importFile(
      'movements',
      'when,site_code,location_code,item_code,type,quantity\n2024-01-01,MAIN,CENTRAL,SYR-5ML,issue,1\n',
    );
    expect(job.status).toBe('failed');
    expect(job.errors.map((e: { reason: string }) => e.reason)).toEqual([
      "unknown column 'when' (expected: date, site_code, location_code, item_code, type, quantity, unit, lot_number, expiry_date)",
      "required column 'date' is missing",
    ]);
    expect(job.errors[0]).toMatchObject({ line: 1, field: 'header', code: 'unknown_column' });
    // The same import read in Chinese: every reason and column in the reader's words.
    const zh = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/imports/${job.id}`,
        headers: { ...org.headers, 'accept-language': 'zh-CN' },
      })
    ).json();
    expect(zh.errors.map((e: { reason: string }) => e.reason)).toEqual([
      '不认识「when」列（可用的列：日期、院区编码、库位编码、耗材编码、类型、数量、单位、批号、效期）',
      '缺少必填列「日期」',
    ]);
  });

  it('imports the catalogue from a JSON array and opening balances from NDJSON', async () => {
    const items = [
      {
        code: 'CATH-14',
        name_zh: '导尿管 14Fr',
        name_en: 'Urinary catheter 14Fr',
        category: 'catheter',
        base_unit: 'piece',
        pack_units: 'box=10',
        ved: 'V',
        unit_cost: 3.5,
        typical_monthly_usage: 40,
      },
      {
        code: 'GAUZE-5',
        name_zh: '纱布 5x5',
        base_unit: 'piece',
        pack_units: 'pack=10;box=100',
        gtin: '6901234567892',
        storage: 'room',
      },
      { code: 'DRS-10', name_en: 'Dressing 10cm (renamed)', base_unit: 'piece', unit_cost: '2.25' },
    ];
    const job = await importFile('items', JSON.stringify(items, null, 2), 'application/json');
    expect(job, JSON.stringify(job.errors)).toMatchObject({
      status: 'succeeded',
      format: 'json',
      totalRows: 3,
      summary: { created: 2, updated: 1 },
    });
    const rows = await q<{
      code: string;
      name_zh: string;
      name_en: string;
      gtin: string | null;
      ved: string;
      unit_cost: string;
      usage: string | null;
      units: string | null;
    }>(sql`
      select i.code, i.name_zh, i.name_en, i.gtin, i.ved, i.unit_cost::text as unit_cost, i.typical_monthly_usage::text as usage,
             (select string_agg(u.code || '=' || u.factor, ';' order by u.factor) from item_units u where u.item_id = i.id) as units
        from items i where code in ('CATH-14', 'GAUZE-5', 'DRS-10') order by code`);
    expect(rows).toEqual([
      {
        code: 'CATH-14',
        name_zh: '导尿管 14Fr',
        name_en: 'Urinary catheter 14Fr',
        gtin: null,
        ved: 'V',
        unit_cost: '3.5000',
        usage: '40',
        units: 'box=10',
      },
      // Existing item: the given name changes, the rest stays (empty cells keep values).
      {
        code: 'DRS-10',
        name_zh: '耗材 DRS-10',
        name_en: 'Dressing 10cm (renamed)',
        gtin: null,
        ved: 'E',
        unit_cost: '2.2500',
        usage: null,
        units: null,
      },
      {
        code: 'GAUZE-5',
        name_zh: '纱布 5x5',
        name_en: '纱布 5x5',
        gtin: '06901234567892',
        ved: 'E',
        unit_cost: '0.0000',
        usage: null,
        units: 'pack=10;box=100',
      },
    ]);

    const ndjson = [
      {
        site_code: 'MAIN',
        location_code: 'CENTRAL',
        item_code: 'CATH-14',
        quantity: 3,
        unit: 'box',
        lot_number: 'C1',
        expiry_date: '2027-05-31',
      },
      {
        site_code: 'MAIN',
        location_code: 'CENTRAL',
        item_code: 'CATH-14',
        quantity: 4,
        lot_number: 'C2',
        expiry_date: '2026-11-30',
      },
      { site_code: 'MAIN', location_code: 'WARD-3', item_code: 'GAUZE-5', quantity: 2.5, unit: 'pack' },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const ob = await importFile('opening_balances', ndjson, 'application/x-ndjson');
    expect(ob, JSON.stringify(ob.errors)).toMatchObject({
      status: 'succeeded',
      totalRows: 3,
      summary: { balances: 3 },
    });
    const stock = async () =>
      q<{ code: string; loc: string; lot: string; on_hand: number }>(sql`
        select i.code, l.code as loc, lo.lot_number as lot, s.on_hand from stock s join items i on i.id = s.item_id
          join locations l on l.id = s.location_id join lots lo on lo.id = s.lot_id
         where i.code in ('CATH-14', 'GAUZE-5') order by 1, 2, 3`);
    const expected = [
      { code: 'CATH-14', loc: 'CENTRAL', lot: 'C1', on_hand: 30 },
      { code: 'CATH-14', loc: 'CENTRAL', lot: 'C2', on_hand: 4 },
      { code: 'GAUZE-5', loc: 'WARD-3', lot: '', on_hand: 25 },
    ];
    expect(await stock()).toEqual(expected);
    // The same file again is refused (its content hash is known) and on-hand stays.
    const sameFile = await upload('opening_balances', ndjson, 'application/x-ndjson');
    expect(sameFile.statusCode).toBe(409);
    expect(sameFile.json().code).toBe('duplicate_import');
    // The same counts in another file: on-hand stays (stocktake semantics), zero variance recorded.
    const again = await importFile('opening_balances', `${ndjson}\n`, 'application/x-ndjson');
    expect(again.status).toBe('succeeded');
    expect(await stock()).toEqual(expected);
  });

  it('imports suppliers with item terms and purchase-order history with lead times', async () => {
    const suppliers = [
      'code,name,contact_email,nominal_lead_time_days,item_code,pack_price,pack_size,moq_packs,preferred',
      'SUP-A,Acme Medical,orders@acme.example,5,SYR-5ML,48.5,100,2,true',
      'SUP-A,Acme Medical,,,GLV-M,12,50,1,',
      'SUP-B,Beta Supplies,,10,,,,,',
    ].join('\r\n');
    const s = await importFile('suppliers', suppliers);
    expect(s, JSON.stringify(s.errors)).toMatchObject({
      status: 'succeeded',
      summary: { created: 2, terms: 2 },
    });
    expect(
      await q(
        sql`select s.code, i.code as item, t.pack_size, t.preferred from item_suppliers t join suppliers s on s.id = t.supplier_id join items i on i.id = t.item_id order by 1, 2`,
      ),
    ).toEqual([
      { code: 'SUP-A', item: 'GLV-M', pack_size: 50, preferred: false },
      { code: 'SUP-A', item: 'SYR-5ML', pack_size: 100, preferred: true },
    ]);

    const pos = [
      'po_number,supplier_code,site_code,location_code,item_code,quantity,unit,quantity_received,unit_price,ordered_at,received_at',
      'OLD-1001,SUP-A,MAIN,CENTRAL,SYR-5ML,10,box,,0.45,2024-01-02,2024-01-09',
      'OLD-1001,SUP-A,MAIN,CENTRAL,GLV-M,100,pair,90,0.1,2024-01-02,2024-01-12',
      'OLD-1002,SUP-B,MAIN,WARD-3,DRS-10,500,,,0.3,2024-02-01T08:00:00Z,2024-02-04T20:00:00Z',
    ].join('\n');
    const p = await importFile('purchase_orders', pos);
    expect(p, JSON.stringify(p.errors)).toMatchObject({
      status: 'succeeded',
      summary: { purchaseOrders: 2, lines: 3, leadTimeObservations: 3 },
    });
    expect(
      await q(
        // Dates without an offset are the organisation's (Asia/Shanghai) local days.
        sql`select number, status, source, to_char(received_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as received from purchase_orders where number like 'OLD-%' order by 1`,
      ),
    ).toEqual([
      { number: 'OLD-1001', status: 'received', source: 'import', received: '2024-01-12' },
      // 2024-02-04T20:00Z is 04:00 on 5 February in Shanghai.
      { number: 'OLD-1002', status: 'received', source: 'import', received: '2024-02-05' },
    ]);
    expect(
      await q(sql`
      select i.code, o.lead_time_days::float8 as days from lead_time_observations o join items i on i.id = o.item_id where o.source = 'import' order by 1`),
    ).toEqual([
      { code: 'DRS-10', days: 3.5 },
      { code: 'GLV-M', days: 10 },
      { code: 'SYR-5ML', days: 7 },
    ]);
    expect(
      await q(
        sql`select quantity_ordered, quantity_received from purchase_order_lines where item_id = ${itemIds.GLV}`,
      ),
    ).toEqual([{ quantity_ordered: 200, quantity_received: 180 }]);
    // The same numbers again, in another file, are refused row by row: history is imported once.
    const dup = await importFile('purchase_orders', `${pos}\n`);
    expect(dup.status).toBe('failed');
    expect(dup.errors).toContainEqual({
      line: 2,
      field: 'po_number',
      label: 'po_number',
      code: 'po_exists',
      reason: 'purchase order OLD-1001 already exists',
    });
  });

  it('saves progress every N rows while validating and applying', async () => {
    const { csv, rows } = movementHistory(400);
    // The job code driven directly (the worker paused), so every progress step is observed.
    await running.workers.import.pause();
    try {
      const id = (await upload('movements', csv)).json().id;
      const seen: Array<{ status: string; processedRows: number; totalRows: number; progress: number }> = [];
      const result = await runImport(
        { config: t.config, database: t.deps.database },
        org.organizationId,
        id,
        async () => {
          const r = (
            await t.app.inject({ method: 'GET', url: `/v1/imports/${id}`, headers: org.headers })
          ).json();
          seen.push({
            status: r.status,
            processedRows: r.processedRows,
            totalRows: r.totalRows,
            progress: r.progress,
          });
        },
      );
      expect(result.status).toBe('succeeded');
      const validating = seen.filter((s) => s.status === 'validating' && s.processedRows > 0);
      expect(validating.map((s) => s.processedRows)).toEqual([500, 1000, 1500, 2000]);
      expect(validating.every((s) => s.progress > 0 && s.progress <= 50)).toBe(true);
      expect(seen).toContainEqual({ status: 'applying', processedRows: 0, totalRows: rows, progress: 50 });
      expect(seen.at(-1)).toEqual({
        status: 'succeeded',
        processedRows: rows,
        totalRows: rows,
        progress: 100,
      });
      const progress = seen.map((s) => s.progress);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
    } finally {
      running.workers.import.resume();
    }
  });

  it('refuses uploads without a file, of another media type, or beyond the caller’s role', async () => {
    const empty = await upload('movements', '');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().code).toBe('empty_file');
    const plain = await upload('movements', 'a,b', 'text/plain');
    expect(plain.statusCode).toBe(415);
    const octet = await upload('movements', 'a,b', 'application/octet-stream');
    expect(octet.json().code).toBe('format_required');
    const badKind = await upload('patients', 'a,b');
    expect(badKind.statusCode).toBe(400);

    const keeper = (await addMember(t, org.headers, 'storekeeper')).headers;
    const items = await upload('items', 'code,name_zh,base_unit\nX-1,x,piece\n', 'text/csv', {}, keeper);
    expect(items.statusCode).toBe(403);
    const history = await upload(
      'movements',
      `${MOVEMENT_HEADER}\n2024-01-01,MAIN,CENTRAL,SYR-5ML,issue,1,,,\n`,
      'text/csv',
      {},
      keeper,
    );
    expect(history.statusCode).toBe(202);
    expect((await waitFor(history.json().id)).status).toBe('succeeded');

    // A user limited to one site cannot write history into another: its codes do not resolve.
    const east = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: org.headers,
      payload: { code: 'EAST', name: 'East campus' },
    });
    expect(east.statusCode).toBe(201);
    const limitedLogin = await addMember(t, org.headers, 'storekeeper', [siteId]);
    const limited = await upload(
      'movements',
      `${MOVEMENT_HEADER}\n2024-01-01,EAST,CENTRAL,SYR-5ML,issue,1,,,\n2024-01-01,MAIN,CENTRAL,SYR-5ML,issue,1,,,\n`,
      'text/csv',
      {},
      { authorization: `Bearer ${limitedLogin.accessToken}` },
    );
    const result = await waitFor(limited.json().id);
    expect(result.status).toBe('failed');
    expect(result.errors).toEqual([
      {
        line: 2,
        field: 'site_code',
        label: 'site_code',
        code: 'unknown_site',
        reason: "unknown site 'EAST'",
      },
    ]);
  });

  it('replays an upload retried with the same Idempotency-Key and lists imports newest first', async () => {
    const csv = `${MOVEMENT_HEADER}\n2024-01-01,MAIN,CENTRAL,DRS-10,issue,1,,,\n`;
    const headers = { ...org.headers, 'idempotency-key': 'import-retry-1' };
    const first = await upload('movements', csv, 'text/csv', { fileName: 'history.csv' }, headers);
    const second = await upload('movements', csv, 'text/csv', { fileName: 'history.csv' }, headers);
    expect(second.statusCode).toBe(202);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().id).toBe(first.json().id);
    await waitFor(first.json().id);
    const list = (
      await t.app.inject({ method: 'GET', url: '/v1/imports?limit=2', headers: org.headers })
    ).json();
    expect(list.items[0]).toMatchObject({
      id: first.json().id,
      fileName: 'history.csv',
      status: 'succeeded',
    });
    expect(list.items[0].errors).toBeUndefined();
    const next = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/imports?limit=2&cursor=${list.nextCursor}`,
        headers: org.headers,
      })
    ).json();
    expect(next.items.length).toBeGreaterThan(0);
    expect(next.items.map((i: { id: string }) => i.id)).not.toContain(first.json().id);
    const bad = await t.app.inject({
      method: 'GET',
      url: '/v1/imports?cursor=WyJ4IiwieSJd',
      headers: org.headers,
    });
    expect(bad.statusCode).toBe(400);
  });

  it('refuses the same history file twice (content hash) with a clear problem; demand is not doubled', async () => {
    const csv = `${MOVEMENT_HEADER}\n2022-02-01,MAIN,CENTRAL,DRS-10,issue,7,,,\n2022-02-02,MAIN,CENTRAL,DRS-10,issue,5,,,\n`;
    const first = await importFile('movements', csv);
    expect(first.status).toBe('succeeded');
    const again = await upload('movements', csv, 'text/csv', { fileName: 'history-copy.csv' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'duplicate_import', duplicateOf: first.id });
    expect(again.json().params).toMatchObject({ importId: first.id, kind: 'movements' });
    const issued = await q<{ total: number }>(sql`
      select coalesce(sum(quantity), 0)::int as total from movements
       where item_id = ${itemIds.DRS} and type = 'issue' and occurred_at >= '2022-01-31' and occurred_at < '2022-02-03'`);
    expect(issued[0]!.total).toBe(-12);
    // The same bytes as another kind, or a file whose import failed, may be sent.
    const failedCsv = `${MOVEMENT_HEADER}\n2024-02-03,MAIN,CENTRAL,NO-SUCH,issue,1,,,\n`;
    expect((await importFile('movements', failedCsv)).status).toBe('failed');
    const retried = await upload('movements', failedCsv);
    expect(retried.statusCode).toBe(202);
    expect((await waitFor(retried.json().id)).status).toBe('failed');
  });

  it('two concurrent uploads of the same file: one import, the other told which', async () => {
    const csv = `${MOVEMENT_HEADER}\n2024-03-05,MAIN,CENTRAL,DRS-10,issue,3,,,\n`;
    const [a, b] = await Promise.all([upload('movements', csv), upload('movements', csv)]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([202, 409]);
    const won = a.statusCode === 202 ? a : b;
    const lost = a.statusCode === 202 ? b : a;
    expect(lost.json().duplicateOf).toBe(won.json().id);
    await waitFor(won.json().id);
  });

  it('reads a GBK/GB18030 CSV with Chinese headers, units, types and dates, detected or named', async () => {
    const iconv = (await import('iconv-lite')).default;
    const text = [
      '日期,院区编码,库位编码,耗材编码,类型,数量,单位,批号,效期',
      '2024/04/01,MAIN,CENTRAL,SYR-5ML,入库,2,盒,国药-批01,2027年3月31日',
      '2024-4-2,MAIN,CENTRAL,SYR-5ML,出库,30,支,,',
      '2024年4月3日,MAIN,CENTRAL,SYR-5ML,领用,1,盒,,',
    ].join('\r\n');
    // Item labels the syringe's units as a Chinese clinic does.
    await q(sql`update items set base_unit_zh = '支' where id = ${itemIds.SYR}`);
    await q(sql`update item_units set name_zh = '盒' where item_id = ${itemIds.SYR} and code = 'box'`);
    const gbk = iconv.encode(text, 'gbk');
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/imports?kind=movements',
      headers: { ...org.headers, 'content-type': 'text/csv' },
      payload: gbk,
    });
    expect(res.statusCode, res.body).toBe(202);
    const job = await waitFor(res.json().id);
    expect(job.errors).toEqual([]);
    expect(job).toMatchObject({ status: 'succeeded', detectedEncoding: 'gb18030', encoding: 'auto' });
    const lot = await q<{ lot_number: string; expiry_date: string }>(sql`
      select lot_number, expiry_date::text from lots where item_id = ${itemIds.SYR} and lot_number like '国药%'`);
    expect(lot).toEqual([{ lot_number: '国药-批01', expiry_date: '2027-03-31' }]);
    const moves = await q<{ day: string; type: string; quantity: number }>(sql`
      select to_char(occurred_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day, type, quantity from movements
       where import_id = ${job.id} and type <> 'stocktake' order by occurred_at, type`);
    expect(moves).toEqual([
      { day: '2024-04-01', type: 'receipt', quantity: 200 },
      { day: '2024-04-02', type: 'issue', quantity: -30 },
      { day: '2024-04-03', type: 'issue', quantity: -100 },
    ]);
    // UTF-8 with a BOM is read as UTF-8; naming the encoding skips detection.
    const utf8 = `\uFEFF${text.replace(/2024/g, '2023').replace('国药-批01', '国药-批02')}`;
    const named = await upload('movements', utf8, 'text/csv', { encoding: 'utf-8' });
    expect(named.statusCode, named.body).toBe(202);
    expect(await waitFor(named.json().id)).toMatchObject({ status: 'succeeded', detectedEncoding: 'utf-8' });
  });

  it('offers a template per kind in Chinese and English, and each imports as it is', async () => {
    const zh = await t.app.inject({
      method: 'GET',
      url: '/v1/imports/templates/movements',
      headers: { ...org.headers, 'accept-language': 'zh-CN,zh;q=0.9' },
    });
    expect(zh.statusCode).toBe(200);
    expect(zh.headers['content-type']).toContain('text/csv');
    expect(zh.headers['content-disposition']).toContain('medstock-movements-template-zh-CN.csv');
    expect(zh.body.startsWith('\uFEFF日期,院区编码,库位编码,耗材编码,类型,数量,单位')).toBe(true);
    expect(zh.body).toContain('出库');
    const en = await t.app.inject({
      method: 'GET',
      url: '/v1/imports/templates/movements?lang=en',
      headers: org.headers,
    });
    expect(en.body.startsWith('\uFEFFdate,site_code,location_code,item_code,type,quantity,unit')).toBe(true);
    for (const kind of ['items', 'suppliers', 'opening_balances', 'stock_reports', 'purchase_orders']) {
      for (const lang of ['zh-CN', 'en']) {
        const r = await t.app.inject({
          method: 'GET',
          url: `/v1/imports/templates/${kind}?lang=${lang}`,
          headers: org.headers,
        });
        expect(r.statusCode, `${kind} ${lang}`).toBe(200);
        expect(r.body.split('\r\n').filter(Boolean).length, `${kind} ${lang}`).toBeGreaterThan(1);
      }
    }
    // The Chinese movements template imports into an organisation with the codes it names.
    const job = await importFile('movements', zh.body);
    expect(job.errors).toEqual([]);
    expect(job.status).toBe('succeeded');
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/v1/imports/templates/widgets',
      headers: org.headers,
    });
    expect(unknown.statusCode).toBe(400);
  });

  it('a catalogue sheet may write units as Chinese words (支, 盒=100)', async () => {
    const csv = '编码,中文名称,基本单位,包装单位\nGAUZE-CN,医用纱布块,片,包=10;盒=100\n';
    const job = await importFile('items', csv);
    expect(job.errors).toEqual([]);
    const item = await q<{ base_unit: string; base_unit_zh: string }>(
      sql`select base_unit, base_unit_zh from items where code = 'GAUZE-CN'`,
    );
    expect(item).toEqual([{ base_unit: 'piece', base_unit_zh: '片' }]);
    const units = await q<{ code: string; name_zh: string; factor: number }>(sql`
      select u.code, u.name_zh, u.factor from item_units u join items i on i.id = u.item_id
       where i.code = 'GAUZE-CN' order by u.factor`);
    expect(units).toEqual([
      { code: 'pack', name_zh: '包', factor: 10 },
      { code: 'box', name_zh: '盒', factor: 100 },
    ]);
  });
});
