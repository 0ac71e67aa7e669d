import { organizationToday, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { addMember } from './support/members.ts';
import { bearer, type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Exports (issue 11): stock by lot and location, expiry, ledger and consumption by department as
 * Excel and CSV, read back (exceljs parses the xlsx) and checked value by value, in both languages,
 * with site limits and roles; GS1 DataMatrix labels.
 */
type Headers = Record<string, string>;
let t: TestApp;
let owner: SignedUp;
let siteA: string;
let siteB: string;
let locA: string;
let locB: string;
let itemId: string;
let limitedToA: Headers;
let today: string;

const addDays = (d: string, n: number) =>
  new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

async function sheetOf(body: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const rows: (string | number | null)[][] = [];
  ws.eachRow((row) => {
    rows.push((row.values as (string | number | null)[]).slice(1));
  });
  return { name: ws.name, header: rows[0]!, rows: rows.slice(1) };
}

const download = (url: string, headers: Headers, lang = 'zh-CN') =>
  t.app.inject({ method: 'GET', url, headers: { ...headers, 'accept-language': lang } });

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
  ({ siteId: siteA, locationId: locA } = await centralStore(t, owner.headers));
  const b = await t.app.inject({
    method: 'POST',
    url: '/v1/sites',
    headers: owner.headers,
    payload: { code: 'EXB', name: '二院' },
  });
  expect(b.statusCode, b.body).toBe(201);
  siteB = b.json().id;
  ({ locationId: locB } = await centralStore(t, owner.headers, siteB));
  itemId = await insertItem(t, owner.organizationId, {
    code: 'EXP-1',
    gtin: '09506000134352',
    unitCost: 2.5,
  });
  limitedToA = (await addMember(t, owner.headers, 'viewer', [siteA])).headers;
  // Stock and movements written directly: these tests are about reading them out.
  await withTenantDb(t.deps.database.db, { organizationId: owner.organizationId }, async (tx) => {
    today = await organizationToday(tx);
    const lot = async (n: string, expiry: string) =>
      (
        await tx.execute<{ id: string }>(
          sql`insert into lots (item_id, lot_number, expiry_date) values (${itemId}, ${n}, ${expiry}::date) returning id`,
        )
      ).rows[0]!.id;
    const soon = await lot('SOON-1', addDays(today, 10));
    const later = await lot('LATER-1', addDays(today, 400));
    const atB = await lot('B-1', addDays(today, 5));
    for (const [loc, lotId, qty] of [
      [locA, soon, 12],
      [locA, later, 30],
      [locB, atB, 7],
    ] as const)
      await tx.execute(
        sql`insert into stock (location_id, item_id, lot_id, on_hand) values (${loc}, ${itemId}, ${lotId}, ${qty})`,
      );
    const dept = (
      await tx.execute<{ id: string }>(
        sql`insert into departments (site_id, code, name, cost_centre) values (${siteA}, 'ICU', '重症医学科', 'CC-ICU') returning id`,
      )
    ).rows[0]!.id;
    const at = sql`(${today}::date + time '10:00')::timestamp at time zone 'Asia/Shanghai'`;
    await tx.execute(sql`
      insert into movements (type, item_id, location_id, lot_id, quantity, occurred_at, department_id, reason) values
        ('receipt', ${itemId}, ${locA}, ${soon}, 20, ${at} - interval '2 days', null, null),
        ('issue', ${itemId}, ${locA}, ${soon}, -3, ${at} - interval '1 day', ${dept}, null),
        ('issue', ${itemId}, ${locA}, ${soon}, -5, ${at}, ${dept}, '=cmd|calc'),
        ('issue', ${itemId}, ${locA}, ${soon}, -2, ${at}, null, null),
        ('issue', ${itemId}, ${locB}, ${atB}, -4, ${at}, null, null)`);
  });
});
afterAll(async () => t?.close());

describe('stock on hand', () => {
  it('xlsx in Chinese: headers, every lot at every location, values as numbers', async () => {
    const r = await download('/v1/exports/stock?format=xlsx', owner.headers);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toContain('spreadsheetml');
    expect(String(r.headers['content-disposition'])).toContain("filename*=UTF-8''");
    expect(decodeURIComponent(String(r.headers['content-disposition']))).toContain('库存明细.xlsx');
    const s = await sheetOf(r.rawPayload);
    expect(s.name).toBe('库存明细');
    expect(s.header).toEqual(
      expect.arrayContaining(['院区', '库房', '耗材编码', '批号', '效期', '库存数量', '单位', '金额（元）']),
    );
    const col = (h: string) => s.header.indexOf(h);
    const byLot = Object.fromEntries(s.rows.map((row) => [row[col('批号')], row]));
    expect(Object.keys(byLot).sort()).toEqual(['B-1', 'LATER-1', 'SOON-1']);
    expect(byLot['LATER-1']![col('库存数量')]).toBe(30);
    expect(byLot['LATER-1']![col('金额（元）')]).toBe(75);
    expect(byLot['LATER-1']![col('单位')]).toBe('支');
    expect(byLot['B-1']![col('院区')]).toBe('二院');
  });

  it('CSV in English, with a BOM; a viewer limited to site A gets only site A', async () => {
    const r = await download('/v1/exports/stock?format=csv', limitedToA, 'en');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = r.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toContain('Site,Location,Location code,Item code,Item name');
    expect(lines).toHaveLength(3);
    expect(r.body).not.toContain('B-1');
    expect(lines.find((l) => l.includes('LATER-1'))).toContain(',30,piece,');
    const other = await download(`/v1/exports/stock?siteId=${siteB}`, limitedToA);
    expect(other.statusCode).toBe(404);
  });
});

describe('expiry', () => {
  it('lists only lots expiring within N days, with days left', async () => {
    const r = await download('/v1/exports/expiry?withinDays=30', owner.headers);
    expect(r.statusCode, r.body).toBe(200);
    const s = await sheetOf(r.rawPayload);
    const col = (h: string) => s.header.indexOf(h);
    expect(s.rows.map((row) => row[col('批号')]).sort()).toEqual(['B-1', 'SOON-1']);
    const soon = s.rows.find((row) => row[col('批号')] === 'SOON-1')!;
    expect(soon[col('剩余天数')]).toBe(10);
    expect(soon[col('状态')]).toBe('近效期');
    const limited = await sheetOf(
      (await download('/v1/exports/expiry?withinDays=30', limitedToA)).rawPayload,
    );
    expect(limited.rows).toHaveLength(1);
  });
});

describe('ledger', () => {
  it('movements of the date range, types in words, CSV cells that would be formulas defused', async () => {
    const r = await download(
      `/v1/exports/ledger?format=csv&from=${addDays(today, -1)}&to=${today}`,
      owner.headers,
    );
    expect(r.statusCode, r.body).toBe(200);
    const lines = r.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    // The receipt two days ago is outside the range; four issues inside.
    expect(lines).toHaveLength(5);
    expect(lines[0]).toContain('发生时间,业务类型');
    expect(lines.filter((l) => l.includes('领用出库'))).toHaveLength(4);
    expect(r.body).toContain("'=cmd|calc");
    expect(r.body).toContain('重症医学科');
    const limited = await download(
      `/v1/exports/ledger?format=csv&from=${addDays(today, -1)}&to=${today}`,
      limitedToA,
    );
    expect(
      limited.body
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n'),
    ).toHaveLength(4);
  });

  it("a date range is required and must be ordered (problems in the caller's language)", async () => {
    const none = await download('/v1/exports/ledger', owner.headers);
    expect(none.statusCode).toBe(400);
    expect(none.json().errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['querystring:/from']),
    );
    const reversed = await download(
      `/v1/exports/ledger?from=${today}&to=${addDays(today, -3)}`,
      owner.headers,
    );
    expect(reversed.json().code).toBe('export_range_invalid');
    expect(reversed.json().title).toBe('日期范围不对');
  });
});

describe('consumption by department', () => {
  it('issues summed per department; issues with no department per issuing location; site limits', async () => {
    const url = `/v1/exports/consumption?from=${addDays(today, -7)}&to=${today}`;
    const s = await sheetOf((await download(url, owner.headers)).rawPayload);
    const col = (h: string) => s.header.indexOf(h);
    const byDept = Object.fromEntries(s.rows.map((row) => [String(row[col('科室')]), row]));
    expect(byDept['重症医学科']![col('领用数量')]).toBe(8);
    expect(byDept['重症医学科']![col('领用次数')]).toBe(2);
    expect(byDept['重症医学科']![col('成本中心')]).toBe('CC-ICU');
    expect(byDept['重症医学科']![col('金额（元）')]).toBe(20);
    const undetermined = s.rows.filter((row) => String(row[col('科室')]).startsWith('（未指定科室）'));
    expect(undetermined.map((row) => row[col('领用数量')]).sort()).toEqual([2, 4]);
    const en = await sheetOf((await download(url, limitedToA, 'en')).rawPayload);
    expect(en.header).toContain('Department');
    expect(en.rows).toHaveLength(2);
    expect(en.rows.map((row) => row[en.header.indexOf('Quantity issued')]).sort()).toEqual([2, 8]);
  });

  it('an API key without read scope is refused', async () => {
    const k = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: owner.headers,
      payload: { name: 'writer only', scopes: ['stock:write'] },
    });
    expect(k.statusCode, k.body).toBe(201);
    const r = await download('/v1/exports/stock', bearer(k.json().key));
    expect(r.statusCode).toBe(403);
  });
});

describe('GS1 labels', () => {
  it('SVG and PNG DataMatrix with GTIN, expiry, lot and count; the printed text in a header', async () => {
    const q = 'lotNumber=SOON-1&expiryDate=2027-08-31&quantity=10';
    const svg = await download(`/v1/items/${itemId}/label?${q}`, limitedToA);
    expect(svg.statusCode, svg.body).toBe(200);
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    expect(svg.body).toMatch(/^<svg/);
    expect(svg.headers['gs1-hri']).toBe('(01)09506000134352(17)270831(10)SOON-1(30)10');
    const png = await download(`/v1/items/${itemId}/label?${q}&format=png`, owner.headers);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    const json = await download(`/v1/items/${itemId}/label?${q}&format=json`, owner.headers);
    expect(json.json().elementString).toBe('01095060001343521727083110SOON-1\u001d3010');
  });

  it('refuses an item without GTIN and a lot that GS1 cannot carry, in Chinese', async () => {
    const plain = await insertItem(t, owner.organizationId, { code: 'NO-GTIN' });
    const r = await download(`/v1/items/${plain}/label`, owner.headers);
    expect(r.statusCode).toBe(422);
    expect(r.json().code).toBe('label_item_without_gtin');
    expect(r.json().detail).toContain('NO-GTIN');
    const bad = await download(
      `/v1/items/${itemId}/label?lotNumber=${encodeURIComponent('批号 1')}`,
      owner.headers,
    );
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('label_not_encodable');
    expect(bad.json().errors[0].field).toBe('querystring:/lotNumber');
  });
});
