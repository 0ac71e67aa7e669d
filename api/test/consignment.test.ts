import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { addMember } from './support/members.ts';
import { insertSupplier, tenantQuery } from './support/purchasing-fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Consignment (寄售, issue 11): an item's consignment supplier delivers stock that stays its own
 * until used; on-hand counts it, its value is the supplier's; an issue passes ownership and is
 * the usage the supplier bills for in its monthly statement (用后结算), JSON and CSV.
 */
type Headers = Record<string, string>;

let t: TestApp;
let owner: SignedUp;
let purchaser: { headers: Headers };
let storekeeper: { headers: Headers };
let viewerB: { headers: Headers };
let approver: { headers: Headers };
let siteA: string;
let locA: string;
let siteB: string;
let locB: string;
let vendor: string;
let item: string;

const FAR = new Date(Date.now() + 800 * 86_400_000).toISOString().slice(0, 10);
const month = () => {
  // The organisation's month (Asia/Shanghai by default) of a movement posted now.
  const d = new Date(Date.now() + 8 * 3_600_000);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
};

const post = (url: string, payload: unknown, headers: Headers = owner.headers) =>
  t.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });
const put = (url: string, payload: unknown, headers: Headers = owner.headers) =>
  t.app.inject({ method: 'PUT', url, headers, payload: payload as Record<string, unknown> });
const get = (url: string, headers: Headers = owner.headers) => t.app.inject({ method: 'GET', url, headers });

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
  ({ siteId: siteA, locationId: locA } = await centralStore(t, owner.headers));
  const b = await post('/v1/sites', { code: 'CB', name: 'Site B' });
  siteB = b.json().id;
  ({ locationId: locB } = await centralStore(t, owner.headers, siteB));
  purchaser = await addMember(t, owner.headers, 'purchaser');
  storekeeper = await addMember(t, owner.headers, 'storekeeper');
  viewerB = await addMember(t, owner.headers, 'viewer', [siteB]);
  approver = await addMember(t, owner.headers, 'admin');
  item = await insertItem(t, owner.organizationId, { code: 'CS-1', unitCost: 3, lotTracked: true });
  // 800 per box of 10: the supplier bills 80 per piece.
  vendor = await insertSupplier(t, owner.organizationId, {
    code: 'VEND',
    terms: [{ itemId: item, packPrice: 800, packSize: 10 }],
  });
});
afterAll(async () => t?.close());

describe('consignment terms', () => {
  it('purchasers mark an item–supplier term as consignment; storekeepers may not; no term is not found', async () => {
    const url = `/v1/items/${item}/suppliers/${vendor}/consignment`;
    expect((await put(url, { consignment: true }, storekeeper.headers)).statusCode).toBe(403);
    const ok = await put(url, { consignment: true }, purchaser.headers);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ itemId: item, supplierId: vendor, consignment: true });
    const other = await insertItem(t, owner.organizationId, { code: 'CS-X' });
    const missing = await put(`/v1/items/${other}/suppliers/${vendor}/consignment`, { consignment: true });
    expect(missing.statusCode).toBe(404);
    const terms = (await get(`/v1/consignment/terms?supplierId=${vendor}`)).json().items;
    expect(terms).toEqual([expect.objectContaining({ itemId: item, supplierId: vendor, unitPrice: 80 })]);
  });
});

describe('vendor-owned stock and the usage statement', () => {
  it('a receipt from the consignment supplier is vendor-owned; issues pass ownership and are billed', async () => {
    const r = await post(
      '/v1/movements',
      {
        type: 'receipt',
        locationId: locA,
        itemId: item,
        quantity: 10,
        lotNumber: 'VC-1',
        expiryDate: FAR,
        supplierId: vendor,
      },
      storekeeper.headers,
    );
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().movements[0].ownerSupplierId).toBe(vendor);
    // Also at site B, through an order with the supplier.
    const po = (
      await post('/v1/purchase-orders', {
        supplierId: vendor,
        locationId: locB,
        lines: [{ itemId: item, quantity: 4 }],
      })
    ).json();
    expect((await post(`/v1/purchase-orders/${po.id}/approve`, {}, approver.headers)).statusCode).toBe(200);
    const pr = await post(`/v1/purchase-orders/${po.id}/receipts`, {
      lines: [{ lineId: po.lines[0].id, quantity: 4, lotNumber: 'VC-B', expiryDate: FAR }],
    });
    expect(pr.statusCode, pr.body).toBe(201);

    const stock = (await get(`/v1/consignment/stock?supplierId=${vendor}`)).json();
    expect(stock.items).toHaveLength(2);
    expect(stock.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          siteId: siteA,
          lotNumber: 'VC-1',
          onHand: 10,
          value: 800,
          ownership: 'vendor',
        }),
        expect.objectContaining({ siteId: siteB, lotNumber: 'VC-B', onHand: 4, value: 320 }),
      ]),
    );
    expect(stock.totalValue).toBe(1120);
    // On-hand counts it like any stock.
    const onHand = await tenantQuery<{ q: string }>(
      t,
      owner.organizationId,
      sql`select sum(on_hand)::text as q from stock where item_id = ${item}`,
    );
    expect(Number(onHand[0]!.q)).toBe(14);
    // The hospital's valuation counts it in on-hand but not in its own value.
    const valued = (await get('/v1/stock/valuation')).json();
    expect(valued.total).toBe(0);
    expect(valued.lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          siteId: siteA,
          onHand: 10,
          value: 0,
          vendorOwned: 10,
          vendorOwnedValue: 30,
        }),
      ]),
    );
    const byLot = (await get(`/v1/stock?groupBy=lot&itemId=${item}`)).json().items;
    expect(byLot.map((r: { vendorOwned: number; value: number }) => [r.vendorOwned, r.value]).sort()).toEqual(
      [
        [10, 0],
        [4, 0],
      ],
    );

    const used = await post(
      '/v1/movements',
      { type: 'issue', locationId: locA, itemId: item, quantity: 3, reference: 'OR-7' },
      storekeeper.headers,
    );
    expect(used.statusCode, used.body).toBe(201);
    expect(used.json().movements[0]).toMatchObject({ ownerSupplierId: vendor, quantity: -3 });
    await post('/v1/movements', { type: 'issue', locationId: locB, itemId: item, quantity: 1 });
    // A transfer keeps ownership; it is not usage.
    const ward = await post(`/v1/sites/${siteA}/locations`, { code: 'OR', name: 'Theatre', kind: 'theatre' });
    await post('/v1/movements', {
      type: 'transfer',
      locationId: locA,
      toLocationId: ward.json().id,
      itemId: item,
      quantity: 2,
    });

    const after = (await get(`/v1/consignment/stock?supplierId=${vendor}&siteId=${siteA}`)).json();
    expect(after.items.map((x: { onHand: number }) => x.onHand).sort()).toEqual([2, 5]);

    const statement = await get(
      `/v1/consignment/statement?supplierId=${vendor}&month=${month()}`,
      purchaser.headers,
    );
    expect(statement.statusCode, statement.body).toBe(200);
    const s = statement.json();
    expect(s.supplier).toMatchObject({ id: vendor, code: 'VEND' });
    expect(s.items).toEqual([
      expect.objectContaining({ itemId: item, quantity: 4, unitPrice: 80, amount: 320 }),
    ]);
    expect(s.lines).toHaveLength(2);
    expect(s.lines[0]).toMatchObject({ lotNumber: 'VC-1', quantity: 3, amount: 240, reference: 'OR-7' });
    expect(s.totalAmount).toBe(320);

    // A viewer limited to site B sees site B only.
    const limited = (
      await get(`/v1/consignment/statement?supplierId=${vendor}&month=${month()}`, viewerB.headers)
    ).json();
    expect(limited.lines.map((l: { siteId: string }) => l.siteId)).toEqual([siteB]);
    expect(limited.totalAmount).toBe(80);
    const limitedStock = (await get('/v1/consignment/stock', viewerB.headers)).json().items;
    expect(limitedStock.map((x: { siteId: string }) => x.siteId)).toEqual([siteB]);
    expect((await get(`/v1/consignment/stock?siteId=${siteA}`, viewerB.headers)).statusCode).toBe(404);

    // Another month has nothing to settle.
    const empty = (await get(`/v1/consignment/statement?supplierId=${vendor}&month=2020-01`)).json();
    expect(empty).toMatchObject({ items: [], lines: [], totalAmount: 0 });
  });

  it('the statement as CSV, headers in the reader’s language', async () => {
    const url = `/v1/consignment/statement?supplierId=${vendor}&month=${month()}&format=csv`;
    const zh = await get(url, { ...owner.headers, 'accept-language': 'zh-CN' });
    expect(zh.statusCode, zh.body).toBe(200);
    expect(zh.headers['content-type']).toContain('text/csv');
    const zhLines = zh.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r\n/);
    expect(zhLines[0]).toContain('批号');
    expect(zhLines[0]).toContain('金额');
    expect(zhLines).toHaveLength(3);
    expect(zhLines[1]).toContain('VC-1');
    expect(zhLines[1]).toContain('240');
    const en = await get(url, { ...owner.headers, 'accept-language': 'en' });
    expect(en.body.replace(/^\uFEFF/, '').split(/\r\n/)[0]).toContain('Lot');
    expect(String(en.headers['content-disposition'])).toContain('consignment-statement');
  });

  it('a lot is owned one way: the hospital cannot receive into a vendor lot, nor the vendor into a hospital lot', async () => {
    const own = await post('/v1/movements', {
      type: 'receipt',
      locationId: locA,
      itemId: item,
      quantity: 1,
      lotNumber: 'VC-1',
    });
    expect(own.statusCode).toBe(409);
    expect(own.json().code).toBe('lot_ownership_mismatch');
    const hospital = await post('/v1/movements', {
      type: 'receipt',
      locationId: locA,
      itemId: item,
      quantity: 2,
      lotNumber: 'H-1',
      expiryDate: FAR,
    });
    expect(hospital.statusCode, hospital.body).toBe(201);
    const vendorInto = await post('/v1/movements', {
      type: 'receipt',
      locationId: locA,
      itemId: item,
      quantity: 1,
      lotNumber: 'H-1',
      supplierId: vendor,
    });
    expect(vendorInto.statusCode).toBe(409);
    expect(vendorInto.json().code).toBe('lot_ownership_mismatch');
    const unknown = await get(
      `/v1/consignment/statement?supplierId=00000000-0000-4000-8000-000000000000&month=${month()}`,
    );
    expect(unknown.statusCode).toBe(404);
  });
});
