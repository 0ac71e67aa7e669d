import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recalculateItems } from '../../worker/src/engine/recalculate.ts';
import { insertDailyHistory, insertSupplierTerms } from './support/engine-fixtures.ts';
import { centralStore, insertItem } from './support/fixtures.ts';
import { addMember } from './support/members.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let owner: SignedUp;
let siteA: string;
let siteB: string;
let locA: string;
let locB: string;
const items: Record<string, string> = {};
const suppliers: Record<string, string> = {};

type Line = Record<string, any>;
type Group = {
  supplierId: string | null;
  supplierName: string | null;
  lines: Line[];
  totalPacks: number;
  totalValue: number;
};

async function member(role: string, siteIds: string[] | null = null) {
  return (await addMember(t, owner.headers, role, siteIds)).headers;
}

const db = <T>(fn: Parameters<typeof withTenantDb<T>>[2]) => withTenantDb(t.deps.database.db, owner, fn);

async function stockItem(
  code: string,
  opts: {
    locationId: string;
    perDay: number;
    onHand: number;
    supplier?: { code: string; packSize: number; moqPacks?: number; leadDays?: number };
    lots?: Array<{ lot: string; expiry: string; qty: number }>;
  },
) {
  items[code] ??= await insertItem(t, owner.organizationId, { code, unitCost: 2 });
  const id = items[code]!;
  if (opts.supplier)
    suppliers[opts.supplier.code] = await insertSupplierTerms(t, owner.organizationId, id, opts.supplier);
  await insertDailyHistory(t, owner.organizationId, id, opts.locationId, 90, () => opts.perDay);
  for (const l of opts.lots ?? [{ lot: '', expiry: '', qty: opts.onHand }]) {
    const payload: Record<string, unknown> = {
      type: 'receipt',
      itemId: id,
      locationId: opts.locationId,
      quantity: l.qty,
    };
    // A lot close to its expiry is received with the recorded short-dated override.
    if (l.lot)
      Object.assign(payload, {
        lotNumber: l.lot,
        expiryDate: l.expiry,
        acceptShortDated: true,
        reason: '近效期，调剂使用',
      });
    const r = await t.app.inject({ method: 'POST', url: '/v1/movements', headers: owner.headers, payload });
    expect(r.statusCode).toBe(201);
  }
  return id;
}

const policyOf = async (itemId: string, locationId: string) =>
  (
    await db((tx) =>
      tx.execute<{
        position: number;
        reorder_point: number;
        order_up_to: number;
        eoq: number | null;
        stockout_probability: number;
        state: any;
      }>(sql`
        select position, reorder_point::float8 as reorder_point, order_up_to::float8 as order_up_to, eoq::float8 as eoq,
               stockout_probability::float8 as stockout_probability, state
          from item_location_policies where item_id = ${itemId} and location_id = ${locationId}`),
    )
  ).rows[0]!;

const purchases = async (headers = owner.headers, query = '') => {
  const r = await t.app.inject({ method: 'GET', url: `/v1/suggestions/purchases${query}`, headers });
  expect(r.statusCode, r.body).toBe(200);
  return r.json().items as Group[];
};

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
  ({ siteId: siteA, locationId: locA } = await centralStore(t, owner.headers));
  siteB = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: owner.headers,
      payload: { code: 'B', name: 'Site B' },
    })
  ).json().id;
  ({ locationId: locB } = await centralStore(t, owner.headers, siteB));

  const s1 = { code: 'S1', packSize: 10, leadDays: 7 };
  await stockItem('GAUZE', { locationId: locA, perDay: 10, onHand: 30, supplier: s1 });
  await stockItem('TAPE', {
    locationId: locA,
    perDay: 5,
    onHand: 20,
    supplier: { code: 'S1', packSize: 12, moqPacks: 3, leadDays: 7 },
  });
  await stockItem('CATH', {
    locationId: locA,
    perDay: 3,
    onHand: 10,
    supplier: { code: 'S2', packSize: 25, moqPacks: 2, leadDays: 14 },
  });
  await stockItem('GLOVE', { locationId: locB, perDay: 10, onHand: 20, supplier: s1 });
  await stockItem('PLENTY', {
    locationId: locA,
    perDay: 2,
    onHand: 1000,
    supplier: { code: 'S1', packSize: 10 },
  });
  await stockItem('NOSUP', { locationId: locA, perDay: 5, onHand: 5 });
  await recalculateItems(t.deps.database, owner.organizationId, [
    ...['GAUZE', 'TAPE', 'CATH', 'PLENTY', 'NOSUP'].map((c) => ({ itemId: items[c]!, locationId: locA })),
    { itemId: items.GLOVE!, locationId: locB },
  ]);
});
afterAll(async () => t?.close());

describe('purchase suggestions', () => {
  it('groups the item-locations at or below their reorder point by supplier, in whole packs, with the reason in both languages', async () => {
    const groups = await purchases();
    expect(groups.map((g) => g.supplierName)).toEqual(['Supplier S1', 'Supplier S2', null]);
    const [g1, g2, none] = groups;
    expect(g1!.supplierId).toBe(suppliers.S1);
    expect(g1!.lines.map((l) => l.itemCode).sort()).toEqual(['GAUZE', 'GLOVE', 'TAPE']);
    expect(g2!.lines.map((l) => l.itemCode)).toEqual(['CATH']);
    expect(none!.lines.map((l) => l.itemCode)).toEqual(['NOSUP']);
    // Stock well above the reorder point is never suggested.
    expect(groups.flatMap((g) => g.lines).some((l) => l.itemCode === 'PLENTY')).toBe(false);

    const terms: Record<string, { packSize: number; moq: number }> = {
      GAUZE: { packSize: 10, moq: 1 },
      TAPE: { packSize: 12, moq: 3 },
      CATH: { packSize: 25, moq: 2 },
      GLOVE: { packSize: 10, moq: 1 },
    };
    for (const line of [...g1!.lines, ...g2!.lines]) {
      const p = await policyOf(line.itemId, line.locationId);
      const { packSize, moq } = terms[line.itemCode]!;
      expect(line.position).toBeLessThanOrEqual(p.reorder_point);
      expect(line.packSize).toBe(packSize);
      expect(line.quantityBase).toBe(line.packs * packSize);
      // The engine's need (order-up-to − position; EOQ is informational), rounded up to
      // whole packs and at least the MOQ: never one pack more than that.
      const need = p.order_up_to - p.position;
      expect(line.packs).toBe(Math.max(moq, Math.ceil(need / packSize)));
      expect(line.quantityBase).toBe(p.state.order.quantityBase);
      expect(line.stockoutProbability).toBeCloseTo(p.stockout_probability, 6);
      expect(line.unitPrice).toBeCloseTo(10 / packSize, 4); // the fixture's pack price 10 ÷ pack size
      expect(line.reason.en).toMatch(/Order \d+ packs of \d+/);
      expect(line.reason.zh).toContain('建议订购');
      expect(line.openDraft).toBeNull();
    }
    const gauze = g1!.lines.find((l) => l.itemCode === 'GAUZE')!;
    expect(gauze.alerts.map((a: { type: string }) => a.type)).toContain('stockout_risk');
    expect(gauze.reason.en).toContain('chance of running out');
    expect(gauze.reason.zh).toContain('缺货概率');
    expect(g1!.totalPacks).toBe(g1!.lines.reduce((a, l) => a + l.packs, 0));
  });

  it('filters by site and pages by supplier', async () => {
    const atB = await purchases(owner.headers, `?siteId=${siteB}`);
    expect(atB.flatMap((g) => g.lines.map((l) => l.itemCode))).toEqual(['GLOVE']);
    const first = await t.app.inject({
      method: 'GET',
      url: '/v1/suggestions/purchases?limit=1',
      headers: owner.headers,
    });
    expect(first.json().items.map((g: Group) => g.supplierName)).toEqual(['Supplier S1']);
    const second = await t.app.inject({
      method: 'GET',
      url: `/v1/suggestions/purchases?limit=2&cursor=${first.json().nextCursor}`,
      headers: owner.headers,
    });
    expect(second.json().items.map((g: Group) => g.supplierName)).toEqual(['Supplier S2', null]);
    expect(second.json().nextCursor).toBeNull();
  });

  it('drafts one purchase order per supplier and receiving location, in one call; posting again creates no duplicates', async () => {
    const before = await purchases();
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/suggestions/purchases/draft-orders',
      headers: owner.headers,
      payload: {},
    });
    expect(res.statusCode, res.body).toBe(201);
    const { created, skipped } = res.json();
    expect(
      created
        .map(
          (p: Line) => `${p.supplierId === suppliers.S1 ? 'S1' : 'S2'}@${p.locationId === locA ? 'A' : 'B'}`,
        )
        .sort(),
    ).toEqual(['S1@A', 'S1@B', 'S2@A']);
    expect(skipped).toEqual([
      {
        itemId: items.NOSUP,
        locationId: locA,
        supplierId: null,
        reason: 'no_supplier',
        purchaseOrderId: null,
        purchaseOrderNumber: null,
      },
    ]);
    for (const po of created) {
      expect(po).toMatchObject({ status: 'draft', source: 'suggestion' });
      expect(po.number).toMatch(/^PO-\d{4}-\d{6}$/);
    }
    const s1a = created.find((p: Line) => p.supplierId === suppliers.S1 && p.locationId === locA);
    const suggested = before[0]!.lines.filter((l) => l.locationId === locA);
    expect(s1a.lines.map((l: Line) => [l.itemCode, l.quantityOrdered, l.packs, l.packSize])).toEqual(
      suggested
        .map((l) => [l.itemCode, l.quantityBase, l.packs, l.packSize])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );

    // What the database holds: drafts from suggestions with the same lines, and one event each.
    const rows = await db((tx) =>
      tx.execute<{
        id: string;
        status: string;
        source: string;
        site_id: string;
        item_code: string;
        q: number;
      }>(sql`
        select po.id, po.status, po.source, po.site_id, i.code as item_code, l.quantity_ordered as q
          from purchase_orders po join purchase_order_lines l on l.purchase_order_id = po.id join items i on i.id = l.item_id order by i.code`),
    );
    expect(rows.rows.map((r) => [r.item_code, r.status, r.source, r.q])).toEqual(
      [...before[0]!.lines, ...before[1]!.lines]
        .map((l) => [l.itemCode, 'draft', 'suggestion', l.quantityBase])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(rows.rows.find((r) => r.item_code === 'GLOVE')!.site_id).toBe(siteB);
    const events = await db((tx) =>
      tx.execute<{ n: number }>(
        sql`select count(*)::int as n from events where type = 'purchase_order.status_changed' and payload->>'to' = 'draft'`,
      ),
    );
    expect(events.rows[0]!.n).toBe(3);

    // The suggestions now point at the open drafts; posting again drafts nothing.
    const after = await purchases();
    expect(after[0]!.lines.every((l) => l.openDraft?.number)).toBe(true);
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/suggestions/purchases/draft-orders',
      headers: owner.headers,
      payload: {},
    });
    expect(again.statusCode).toBe(201);
    expect(again.json().created).toEqual([]);
    expect(again.json().skipped.filter((s: Line) => s.reason === 'draft_exists')).toHaveLength(4);
    const count = await db((tx) =>
      tx.execute<{ n: number }>(sql`select count(*)::int as n from purchase_orders`),
    );
    expect(count.rows[0]!.n).toBe(3);

    // Cancelling a draft frees its lines to be drafted again.
    await db((tx) =>
      tx.execute(
        sql`update purchase_orders set status = 'cancelled', cancelled_at = now() where supplier_id = ${suppliers.S2!}`,
      ),
    );
    const third = await t.app.inject({
      method: 'POST',
      url: '/v1/suggestions/purchases/draft-orders',
      headers: owner.headers,
      payload: { supplierIds: [suppliers.S2] },
    });
    expect(third.json().created.map((p: Line) => p.lines.map((l: Line) => l.itemCode))).toEqual([['CATH']]);
  });

  it('refuses unknown suppliers and sites', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const s = await t.app.inject({
      method: 'POST',
      url: '/v1/suggestions/purchases/draft-orders',
      headers: owner.headers,
      payload: { supplierIds: [unknown] },
    });
    expect(s.statusCode).toBe(422);
    expect(s.json().code).toBe('unknown_supplier');
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `/v1/suggestions/purchases?siteId=${unknown}`,
          headers: owner.headers,
        })
      ).statusCode,
    ).toBe(404);
  });

  it('needs the purchasing scope; a purchaser limited to a site sees and drafts only there', async () => {
    for (const role of ['storekeeper', 'nurse', 'viewer']) {
      const h = await member(role);
      expect(
        (await t.app.inject({ method: 'GET', url: '/v1/suggestions/purchases', headers: h })).statusCode,
        role,
      ).toBe(403);
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: '/v1/suggestions/purchases/draft-orders',
            headers: h,
            payload: {},
          })
        ).statusCode,
        role,
      ).toBe(403);
    }
    const purchaser = await member('purchaser', [siteA]);
    const seen = await purchases(purchaser);
    expect(seen.flatMap((g) => g.lines).every((l) => l.siteId === siteA)).toBe(true);
    expect(seen.flatMap((g) => g.lines).length).toBeGreaterThan(0);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `/v1/suggestions/purchases?siteId=${siteB}`,
          headers: purchaser,
        })
      ).statusCode,
    ).toBe(404);
    const other = await t.app.inject({
      method: 'POST',
      url: '/v1/suggestions/purchases/draft-orders',
      headers: purchaser,
      payload: { siteId: siteB },
    });
    expect(other.statusCode).toBe(404);
    const mine = await t.app.inject({
      method: 'POST',
      url: '/v1/suggestions/purchases/draft-orders',
      headers: purchaser,
      payload: {},
    });
    expect(mine.statusCode).toBe(201);
    expect([...mine.json().created, ...mine.json().skipped].every((x: Line) => x.locationId === locA)).toBe(
      true,
    );
  });
});

describe('transfer suggestions', () => {
  let suture: string;
  const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    // Site B holds 240 (40 of them expiring in 10 days) against a par maximum of 50 and uses
    // 1 a day; site A uses 10 a day and has 5 left.
    suture = await stockItem('SUTURE', {
      locationId: locB,
      perDay: 1,
      onHand: 0,
      lots: [
        { lot: 'FAR', expiry: '2031-12-31', qty: 200 },
        { lot: 'SOON', expiry: inDays(10), qty: 40 },
      ],
    });
    await stockItem('SUTURE', { locationId: locA, perDay: 10, onHand: 5 });
    await db((tx) =>
      tx.execute(
        sql`insert into par_levels (location_id, item_id, min_qty, max_qty) values (${locB}, ${suture}, 10, 50)`,
      ),
    );
    await recalculateItems(t.deps.database, owner.organizationId, [
      { itemId: suture, locationId: locA },
      { itemId: suture, locationId: locB },
    ]);
  });

  it('suggests moving min(surplus, need) from the site above its maximum to the site at risk', async () => {
    const a = await policyOf(suture, locA);
    const b = await policyOf(suture, locB);
    expect(b.position).toBeGreaterThan(b.reorder_point);
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/suggestions/transfers?itemId=${suture}`,
      headers: owner.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    const list = res.json().items;
    expect(list).toHaveLength(1);
    const need = Math.ceil(a.order_up_to - a.position);
    // Surplus counts only lots not expiring within 30 days: 200 − 50.
    expect(list[0]).toMatchObject({
      itemId: suture,
      quantity: Math.min(150, need),
      from: { locationId: locB, siteId: siteB, onHand: 240, parMax: 50, surplus: 150 },
      to: { locationId: locA, siteId: siteA, position: 5, need },
    });
    expect(list[0].reason.en).toContain('above its maximum of 50');
    expect(list[0].reason.zh).toContain('建议调拨');
    // Filtering by either site finds it; items elsewhere do not appear.
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `/v1/suggestions/transfers?siteId=${siteA}`,
          headers: owner.headers,
        })
      ).json().items,
    ).toHaveLength(1);
  });

  it('carries it out as a transfer movement (stock:write), first expiry first out', async () => {
    const [s] = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/suggestions/transfers?itemId=${suture}`,
        headers: owner.headers,
      })
    ).json().items;
    const purchaser = await member('purchaser');
    const body = { fromLocationId: locB, toLocationId: locA, itemId: suture, quantity: s.quantity };
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/v1/suggestions/transfers/execute',
          headers: purchaser,
          payload: body,
        })
      ).statusCode,
    ).toBe(403);
    const storekeeper = await member('storekeeper');
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/suggestions/transfers/execute',
      headers: storekeeper,
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(201);
    const moves = res.json().movements;
    expect(
      moves.filter((m: Line) => m.type === 'transfer_out').reduce((x: number, m: Line) => x - m.quantity, 0),
    ).toBe(s.quantity);
    expect(
      moves.filter((m: Line) => m.type === 'transfer_in').reduce((x: number, m: Line) => x + m.quantity, 0),
    ).toBe(s.quantity);
    expect(moves.find((m: Line) => m.type === 'transfer_out').lotNumber).toBe('SOON');
    const onHand = await db((tx) =>
      tx.execute<{ location_id: string; q: number }>(
        sql`select location_id, sum(on_hand)::int as q from stock where item_id = ${suture} group by 1`,
      ),
    );
    expect(Object.fromEntries(onHand.rows.map((r) => [r.location_id, r.q]))).toEqual({
      [locA]: 5 + s.quantity,
      [locB]: 240 - s.quantity,
    });
  });

  it('a user limited to one site sees no transfer from a site they cannot see', async () => {
    const h = await member('storekeeper', [siteA]);
    const r = await t.app.inject({ method: 'GET', url: '/v1/suggestions/transfers', headers: h });
    expect(r.statusCode).toBe(200);
    expect(r.json().items).toEqual([]);
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/suggestions/transfers?siteId=${siteB}`, headers: h }))
        .statusCode,
    ).toBe(404);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: '/v1/suggestions/transfers',
          headers: await member('viewer'),
        })
      ).statusCode,
    ).toBe(403);
  });
});
