import { gtinCheckDigit } from '@medstock/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { addMember } from './support/members.ts';
import { insertSupplier, tenantQuery } from './support/purchasing-fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Receiving (issue 11): what a receipt records and refuses, returns to the supplier and
 * write-offs with their reasons, inspection with quarantine, and purchase-order receipts with the
 * same checks and a GS1 scan of the box.
 */
type Headers = Record<string, string>;

let t: TestApp;
let owner: SignedUp;
let storekeeper: { headers: Headers };
let viewer: { headers: Headers };
let approver: { headers: Headers };
let siteA: string;
let locA: string;
let locA2: string;
let siteB: string;
let locB: string;
let keeperB: { headers: Headers };
let supplier: string;
let otherSupplier: string;
let n = 0;

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const FAR = day(800);

const post = (url: string, payload: unknown, headers: Headers = owner.headers) =>
  t.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });
const get = (url: string, headers: Headers = owner.headers) => t.app.inject({ method: 'GET', url, headers });
const move = (body: Record<string, unknown>, headers: Headers = owner.headers) =>
  post('/v1/movements', { locationId: locA, ...body }, headers);

async function onHand(itemId: string, locationId = locA): Promise<number> {
  const rows = await tenantQuery<{ q: string }>(
    t,
    owner.organizationId,
    sql`select coalesce(sum(on_hand), 0)::text as q from stock where item_id = ${itemId} and location_id = ${locationId}`,
  );
  return Number(rows[0]!.q);
}

const trackedItem = (extra: Partial<Parameters<typeof insertItem>[2]> = {}) =>
  insertItem(t, owner.organizationId, {
    code: `RC-${n++}`,
    lotTracked: true,
    packUnits: [{ code: 'box', factor: 10 }],
    ...extra,
  });

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
  ({ siteId: siteA, locationId: locA } = await centralStore(t, owner.headers));
  const ward = await post(`/v1/sites/${siteA}/locations`, { code: 'W1', name: 'Ward 1', kind: 'ward' });
  expect(ward.statusCode, ward.body).toBe(201);
  locA2 = ward.json().id;
  const b = await post('/v1/sites', { code: 'RB', name: 'Site B' });
  expect(b.statusCode, b.body).toBe(201);
  siteB = b.json().id;
  ({ locationId: locB } = await centralStore(t, owner.headers, siteB));
  storekeeper = await addMember(t, owner.headers, 'storekeeper');
  viewer = await addMember(t, owner.headers, 'viewer');
  approver = await addMember(t, owner.headers, 'admin');
  keeperB = await addMember(t, owner.headers, 'storekeeper', [siteB]);
  supplier = await insertSupplier(t, owner.organizationId, { code: 'RC-S' });
  otherSupplier = await insertSupplier(t, owner.organizationId, { code: 'RC-O' });
});
afterAll(async () => t?.close());

describe('receipts', () => {
  it('refuses a lot-tracked receipt without lot or expiry; an untracked item needs neither', async () => {
    const item = await trackedItem();
    const noLot = await move({ type: 'receipt', itemId: item, quantity: 5 });
    expect(noLot.statusCode).toBe(422);
    expect(noLot.json()).toMatchObject({ code: 'lot_required', errors: [{ field: 'body:/lotNumber' }] });
    const noExpiry = await move({ type: 'receipt', itemId: item, quantity: 5, lotNumber: 'A1' });
    expect(noExpiry.statusCode).toBe(422);
    expect(noExpiry.json()).toMatchObject({
      code: 'expiry_required',
      errors: [{ field: 'body:/expiryDate' }],
    });
    const zh = await move(
      { type: 'receipt', itemId: item, quantity: 5 },
      { ...owner.headers, 'accept-language': 'zh-CN' },
    );
    expect(zh.json().title).toBe('请填写批号');
    expect(await onHand(item)).toBe(0);
    const ok = await move({ type: 'receipt', itemId: item, quantity: 5, lotNumber: 'A1', expiryDate: FAR });
    expect(ok.statusCode, ok.body).toBe(201);
    // A known lot's stored expiry counts.
    const again = await move({ type: 'receipt', itemId: item, quantity: 2, lotNumber: 'A1' });
    expect(again.statusCode, again.body).toBe(201);
    expect(await onHand(item)).toBe(7);
    const untracked = await insertItem(t, owner.organizationId, { code: `RC-U${n++}` });
    expect((await move({ type: 'receipt', itemId: untracked, quantity: 3 })).statusCode).toBe(201);
  });

  it('records the invoice and delivery note numbers and the supplier', async () => {
    const item = await trackedItem();
    const r = await move(
      {
        type: 'receipt',
        itemId: item,
        quantity: 2,
        unit: 'box',
        lotNumber: 'INV-1',
        expiryDate: FAR,
        invoiceNumber: 'FP-2026-0001',
        deliveryNoteNumber: 'SH-778',
        supplierId: supplier,
      },
      storekeeper.headers,
    );
    expect(r.statusCode, r.body).toBe(201);
    const read = await get(`/v1/movements/${r.json().groupId}`);
    expect(read.json().movements[0]).toMatchObject({
      quantity: 20,
      invoiceNumber: 'FP-2026-0001',
      deliveryNoteNumber: 'SH-778',
      supplierId: supplier,
      ownerSupplierId: null,
    });
    const unknown = await move({
      type: 'receipt',
      itemId: item,
      quantity: 1,
      lotNumber: 'INV-1',
      supplierId: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe('unknown_supplier');
  });

  it('needs an explicit, recorded override for a short-dated lot; the window is a setting', async () => {
    const item = await trackedItem();
    const soon = day(30);
    const refused = await move({
      type: 'receipt',
      itemId: item,
      quantity: 4,
      lotNumber: 'SD-1',
      expiryDate: soon,
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      code: 'lot_short_dated',
      errors: [{ field: 'body:/expiryDate' }],
    });
    const noReason = await move({
      type: 'receipt',
      itemId: item,
      quantity: 4,
      lotNumber: 'SD-1',
      expiryDate: soon,
      acceptShortDated: true,
    });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().code).toBe('reason_required');
    expect(await onHand(item)).toBe(0);
    const accepted = await move(
      {
        type: 'receipt',
        itemId: item,
        quantity: 4,
        lotNumber: 'SD-1',
        expiryDate: soon,
        acceptShortDated: true,
        reason: 'urgent: theatre list tomorrow',
      },
      storekeeper.headers,
    );
    expect(accepted.statusCode, accepted.body).toBe(201);
    expect(accepted.json().movements[0].reason).toBe('urgent: theatre list tomorrow');

    expect((await get('/v1/receiving/settings')).json().shortDatedDays).toBe(90);
    expect(
      (
        await t.app.inject({
          method: 'PUT',
          url: '/v1/receiving/settings',
          headers: storekeeper.headers,
          payload: { shortDatedDays: 10 },
        })
      ).statusCode,
    ).toBe(403);
    const limitedAdmin = await addMember(t, owner.headers, 'admin', [siteA]);
    const limited = await t.app.inject({
      method: 'PUT',
      url: '/v1/receiving/settings',
      headers: limitedAdmin.headers,
      payload: { shortDatedDays: 10 },
    });
    expect(limited.statusCode).toBe(403);
    expect(limited.json().code).toBe('all_sites_required');
    const set = await t.app.inject({
      method: 'PUT',
      url: '/v1/receiving/settings',
      headers: owner.headers,
      payload: { shortDatedDays: 10 },
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ shortDatedDays: 10, updatedBy: owner.userId });
    const now = await move({
      type: 'receipt',
      itemId: item,
      quantity: 1,
      lotNumber: 'SD-2',
      expiryDate: soon,
    });
    expect(now.statusCode, now.body).toBe(201);
    await t.app.inject({
      method: 'PUT',
      url: '/v1/receiving/settings',
      headers: owner.headers,
      payload: { shortDatedDays: 90 },
    });
  });
});

describe('write-offs and returns to the supplier', () => {
  it('a write-off says why; other needs the words; a plain reason counts as other', async () => {
    const item = await trackedItem();
    await move({ type: 'receipt', itemId: item, quantity: 10, lotNumber: 'W1', expiryDate: FAR });
    const none = await move({ type: 'write_off', itemId: item, quantity: 1 });
    expect(none.statusCode).toBe(422);
    expect(none.json()).toMatchObject({
      code: 'write_off_reason_required',
      errors: [{ field: 'body:/writeOffReason' }],
    });
    const other = await move({ type: 'write_off', itemId: item, quantity: 1, writeOffReason: 'other' });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('reason_required');
    const damaged = await move(
      { type: 'write_off', itemId: item, quantity: 2, writeOffReason: 'damaged', reason: '包装破损' },
      storekeeper.headers,
    );
    expect(damaged.statusCode, damaged.body).toBe(201);
    expect(damaged.json().movements[0]).toMatchObject({
      quantity: -2,
      writeOffReason: 'damaged',
      reason: '包装破损',
    });
    const plain = await move({ type: 'write_off', itemId: item, quantity: 1, reason: 'dropped' });
    expect(plain.json().movements[0].writeOffReason).toBe('other');
    expect(
      (await move({ type: 'write_off', itemId: item, quantity: 1, writeOffReason: 'lost' }, viewer.headers))
        .statusCode,
    ).toBe(403);
    expect(await onHand(item)).toBe(7);
  });

  it('a return names the supplier (or the order) and a reason', async () => {
    const item = await trackedItem();
    await move({ type: 'receipt', itemId: item, quantity: 10, lotNumber: 'R1', expiryDate: FAR });
    const noSupplier = await move({ type: 'return', itemId: item, quantity: 1, reason: 'wrong size' });
    expect(noSupplier.statusCode).toBe(422);
    expect(noSupplier.json().code).toBe('supplier_required');
    const noReason = await move({ type: 'return', itemId: item, quantity: 1, supplierId: supplier });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().code).toBe('reason_required');
    const ok = await move(
      {
        type: 'return',
        itemId: item,
        quantity: 3,
        supplierId: supplier,
        reason: 'wrong size',
        reference: 'TH-1',
      },
      storekeeper.headers,
    );
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().movements[0]).toMatchObject({
      type: 'return',
      quantity: -3,
      supplierId: supplier,
      reference: 'TH-1',
    });
    expect(await onHand(item)).toBe(7);
  });
});

async function approvedPo(itemId: string, quantity: number, locationId = locA, supplierId = supplier) {
  const created = await post('/v1/purchase-orders', {
    supplierId,
    locationId,
    lines: [{ itemId, quantity }],
  });
  expect(created.statusCode, created.body).toBe(201);
  const po = created.json();
  const approved = await post(`/v1/purchase-orders/${po.id}/approve`, {}, approver.headers);
  expect(approved.statusCode, approved.body).toBe(200);
  return po as { id: string; number: string; lines: { id: string }[] };
}

describe('returns against an order', () => {
  it('links the order; an order of another supplier is refused, one of another site is not found', async () => {
    const item = await trackedItem();
    await insertSupplierTerm(item, supplier);
    const po = await approvedPo(item, 10);
    await move({ type: 'receipt', itemId: item, quantity: 5, lotNumber: 'RP', expiryDate: FAR });
    const mismatch = await move({
      type: 'return',
      itemId: item,
      quantity: 1,
      reason: 'x',
      purchaseOrderId: po.id,
      supplierId: otherSupplier,
    });
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.json().code).toBe('purchase_order_supplier_mismatch');
    const ok = await move({ type: 'return', itemId: item, quantity: 1, reason: 'x', purchaseOrderId: po.id });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().movements[0]).toMatchObject({ purchaseOrderId: po.id, supplierId: supplier });
    const hidden = await post(
      '/v1/movements',
      { type: 'return', locationId: locB, itemId: item, quantity: 1, reason: 'x', purchaseOrderId: po.id },
      keeperB.headers,
    );
    expect(hidden.statusCode).toBe(404);
  });
});

async function insertSupplierTerm(itemId: string, supplierId: string, packPrice = 50, packSize = 10) {
  await tenantQuery(
    t,
    owner.organizationId,
    sql`insert into item_suppliers (item_id, supplier_id, pack_price, pack_size) values (${itemId}, ${supplierId}, ${packPrice}, ${packSize})
        on conflict do nothing`,
  );
}

describe('inspection with quarantine', () => {
  it('received stock waits in quarantine: not issued or transferred until released', async () => {
    const item = await trackedItem();
    const r = await move(
      {
        type: 'receipt',
        itemId: item,
        quantity: 6,
        lotNumber: 'Q1',
        expiryDate: FAR,
        inspection: true,
        supplierId: supplier,
        deliveryNoteNumber: 'SH-Q1',
      },
      storekeeper.headers,
    );
    expect(r.statusCode, r.body).toBe(201);
    const [inspectionId] = r.json().inspectionIds;
    expect(inspectionId).toBeTruthy();
    expect(await onHand(item)).toBe(6);

    const issue = await move({ type: 'issue', itemId: item, quantity: 1 });
    expect(issue.statusCode).toBe(409);
    expect(issue.json().code).toBe('insufficient_stock');
    const named = await move({ type: 'issue', itemId: item, quantity: 1, lotNumber: 'Q1' });
    expect(named.statusCode).toBe(409);
    expect(named.json().code).toBe('lot_quarantined');
    const transfer = await move({
      type: 'transfer',
      itemId: item,
      quantity: 1,
      lotNumber: 'Q1',
      toLocationId: locA2,
    });
    expect(transfer.statusCode).toBe(409);
    expect(transfer.json().code).toBe('lot_quarantined');

    const pending = (await get('/v1/inspections', viewer.headers)).json().items;
    expect(pending.find((x: { id: string }) => x.id === inspectionId)).toMatchObject({
      status: 'pending',
      lotNumber: 'Q1',
      quantity: 6,
      supplierId: supplier,
      deliveryNoteNumber: 'SH-Q1',
      receivedBy: expect.any(String),
      receivedByName: expect.any(String),
    });
    // Another site's storekeeper neither sees nor decides it.
    expect(
      (await get('/v1/inspections', keeperB.headers)).json().items.map((x: { id: string }) => x.id),
    ).not.toContain(inspectionId);
    expect((await post(`/v1/inspections/${inspectionId}/release`, {}, keeperB.headers)).statusCode).toBe(404);
    expect((await post(`/v1/inspections/${inspectionId}/release`, {}, viewer.headers)).statusCode).toBe(403);

    const released = await post(
      `/v1/inspections/${inspectionId}/release`,
      { reason: '外观、数量、批号核对无误' },
      storekeeper.headers,
    );
    expect(released.statusCode, released.body).toBe(200);
    expect(released.json().inspection).toMatchObject({
      status: 'released',
      decisionReason: '外观、数量、批号核对无误',
      decidedAt: expect.any(String),
      decidedByName: expect.any(String),
    });
    const twice = await post(`/v1/inspections/${inspectionId}/release`, {}, storekeeper.headers);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('inspection_decided');
    expect((await move({ type: 'issue', itemId: item, quantity: 2 })).statusCode).toBe(201);
    expect(await onHand(item)).toBe(4);
  });

  it('a rejected receipt goes back to its supplier (or is written off) and only the held units leave', async () => {
    const item = await trackedItem();
    await move({ type: 'receipt', itemId: item, quantity: 3, lotNumber: 'Q2', expiryDate: FAR });
    const r = await move({
      type: 'receipt',
      itemId: item,
      quantity: 5,
      lotNumber: 'Q2',
      inspection: true,
      supplierId: supplier,
    });
    const [id] = r.json().inspectionIds;
    // The free units of the lot can still be issued.
    expect((await move({ type: 'issue', itemId: item, quantity: 3, lotNumber: 'Q2' })).statusCode).toBe(201);
    expect((await move({ type: 'issue', itemId: item, quantity: 1, lotNumber: 'Q2' })).statusCode).toBe(409);
    const noReason = await post(`/v1/inspections/${id}/reject`, { reason: '' });
    expect(noReason.statusCode).toBe(400);
    const rejected = await post(
      `/v1/inspections/${id}/reject`,
      { reason: '外包装受潮', disposition: 'return' },
      storekeeper.headers,
    );
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect(rejected.json().movements).toEqual([
      expect.objectContaining({ type: 'return', lotNumber: 'Q2', quantity: -5 }),
    ]);
    expect(rejected.json().inspection).toMatchObject({
      status: 'rejected',
      disposalGroupId: rejected.json().movements[0].groupId,
    });
    const ret = (await get(`/v1/movements/${rejected.json().movements[0].groupId}`)).json().movements[0];
    expect(ret).toMatchObject({ supplierId: supplier, reason: '外包装受潮', source: 'inspection' });
    expect(await onHand(item)).toBe(0);

    const w = await move({
      type: 'receipt',
      itemId: item,
      quantity: 2,
      lotNumber: 'Q3',
      expiryDate: FAR,
      inspection: true,
    });
    const off = await post(`/v1/inspections/${w.json().inspectionIds[0]}/reject`, {
      reason: '破损',
      disposition: 'write_off',
      writeOffReason: 'damaged',
    });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().movements[0]).toMatchObject({ type: 'write_off', quantity: -2 });
    // Without a supplier there is nobody to return to.
    const x = await move({
      type: 'receipt',
      itemId: item,
      quantity: 1,
      lotNumber: 'Q4',
      expiryDate: FAR,
      inspection: true,
    });
    const noSupplier = await post(`/v1/inspections/${x.json().inspectionIds[0]}/reject`, { reason: 'x' });
    expect(noSupplier.statusCode).toBe(422);
    expect(noSupplier.json().code).toBe('supplier_required');
  });

  it('a back-dated issue does not take quarantined units either', async () => {
    const item = await trackedItem();
    const held = await move({
      type: 'receipt',
      itemId: item,
      quantity: 3,
      lotNumber: 'QD',
      expiryDate: FAR,
      inspection: true,
    });
    expect(held.statusCode, held.body).toBe(201);
    const heldAt = Date.parse(held.json().movements[0].occurredAt);
    await new Promise((r) => setTimeout(r, 20));
    // A later row, so an issue dated between the two is replayed against the history.
    await move({ type: 'receipt', itemId: item, quantity: 5, lotNumber: 'QE', expiryDate: FAR });
    const dated = await move({
      type: 'issue',
      itemId: item,
      quantity: 1,
      lotNumber: 'QD',
      occurredAt: new Date(heldAt + 5).toISOString(),
    });
    expect(dated.statusCode, dated.body).toBe(409);
    expect(dated.json().code).toBe('lot_quarantined');
    expect(await onHand(item)).toBe(8);
  });

  it('only receipts go into inspection', async () => {
    const item = await trackedItem();
    await move({ type: 'receipt', itemId: item, quantity: 3, lotNumber: 'Q5', expiryDate: FAR });
    const r = await move({ type: 'issue', itemId: item, quantity: 1, inspection: true });
    expect(r.statusCode).toBe(422);
    expect(r.json().code).toBe('inspection_receipt_only');
  });
});

describe('purchase-order receipts', () => {
  it('refuse an expired lot, then take it with the recorded override; short-dated and missing lots likewise', async () => {
    const item = await trackedItem();
    await insertSupplierTerm(item, supplier);
    const po = await approvedPo(item, 30);
    const url = `/v1/purchase-orders/${po.id}/receipts`;
    const line = po.lines[0]!.id;
    const expired = await post(
      url,
      { lines: [{ lineId: line, quantity: 5, lotNumber: 'OLD', expiryDate: '2020-01-31' }] },
      storekeeper.headers,
    );
    expect(expired.statusCode).toBe(409);
    expect(expired.json()).toMatchObject({
      code: 'lot_expired_on_receipt',
      errors: [{ field: 'body:/lines/0/expiryDate' }],
    });
    const noLot = await post(url, { lines: [{ lineId: line, quantity: 5 }] });
    expect(noLot.statusCode).toBe(422);
    expect(noLot.json()).toMatchObject({
      code: 'lot_required',
      errors: [{ field: 'body:/lines/0/lotNumber' }],
    });
    const short = await post(url, {
      lines: [{ lineId: line, quantity: 5, lotNumber: 'SOON', expiryDate: day(20) }],
    });
    expect(short.statusCode).toBe(409);
    expect(short.json().code).toBe('lot_short_dated');
    expect(await onHand(item)).toBe(0);
    const ok = await post(
      url,
      {
        invoiceNumber: 'FP-88',
        deliveryNoteNumber: 'SH-88',
        lines: [
          {
            lineId: line,
            quantity: 5,
            lotNumber: 'OLD',
            expiryDate: '2020-01-31',
            acceptExpired: true,
            reason: 'for training use',
          },
          {
            lineId: line,
            quantity: 5,
            lotNumber: 'SOON',
            expiryDate: day(20),
            acceptShortDated: true,
            reason: 'used this week',
          },
        ],
      },
      storekeeper.headers,
    );
    expect(ok.statusCode, ok.body).toBe(201);
    const rows = await tenantQuery<{
      reason: string;
      invoice_number: string;
      delivery_note_number: string;
      supplier_id: string;
      purchase_order_id: string;
    }>(
      t,
      owner.organizationId,
      sql`select reason, invoice_number, delivery_note_number, supplier_id, purchase_order_id from movements where item_id = ${item} order by id`,
    );
    expect(rows).toEqual([
      {
        reason: 'for training use',
        invoice_number: 'FP-88',
        delivery_note_number: 'SH-88',
        supplier_id: supplier,
        purchase_order_id: po.id,
      },
      {
        reason: 'used this week',
        invoice_number: 'FP-88',
        delivery_note_number: 'SH-88',
        supplier_id: supplier,
        purchase_order_id: po.id,
      },
    ]);
  });

  it('receives by scanning a box: the GTIN picks the line, the label gives lot and expiry, the quantity is in boxes', async () => {
    const body = `0695${String(100000 + n).padStart(6, '0')}123`;
    const pieceGtin = `${body}${gtinCheckDigit(body)}`;
    const boxBody = `1${body.slice(1)}`;
    const boxGtin = `${boxBody}${gtinCheckDigit(boxBody)}`;
    const item = await trackedItem({ gtin: pieceGtin });
    await tenantQuery(
      t,
      owner.organizationId,
      sql`insert into item_gtins (gtin, item_id, unit_code) values (${boxGtin}, ${item}, 'box')`,
    );
    await insertSupplierTerm(item, supplier);
    const other = await trackedItem();
    const po = await (async () => {
      const created = await post('/v1/purchase-orders', {
        supplierId: supplier,
        locationId: locA,
        lines: [
          { itemId: other, quantity: 10 },
          { itemId: item, quantity: 50 },
        ],
      });
      expect(created.statusCode, created.body).toBe(201);
      await post(`/v1/purchase-orders/${created.json().id}/approve`, {}, approver.headers);
      return created.json();
    })();
    const itemLine = po.lines.find((l: { itemId: string }) => l.itemId === item).id;
    const scan = `(01)${boxGtin}(17)${FAR.slice(2).replaceAll('-', '')}(10)BX-7`;
    const looked = await get(
      `/v1/purchase-orders/${po.id}/receipt-scan?scan=${encodeURIComponent(scan)}`,
      storekeeper.headers,
    );
    expect(looked.statusCode, looked.body).toBe(200);
    expect(looked.json()).toMatchObject({
      lineId: itemLine,
      itemId: item,
      unit: 'box',
      quantity: 1,
      lotNumber: 'BX-7',
      expiryDate: FAR,
    });
    expect(
      (
        await get(
          `/v1/purchase-orders/${po.id}/receipt-scan?scan=${encodeURIComponent(scan)}`,
          keeperB.headers,
        )
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await get(
          `/v1/purchase-orders/${po.id}/receipt-scan?scan=${encodeURIComponent(scan)}`,
          viewer.headers,
        )
      ).statusCode,
    ).toBe(403);

    const received = await post(
      `/v1/purchase-orders/${po.id}/receipts`,
      { lines: [{ scan, quantity: 2 }] },
      storekeeper.headers,
    );
    expect(received.statusCode, received.body).toBe(201);
    expect(received.json().movements).toEqual([
      expect.objectContaining({ lineId: itemLine, lotNumber: 'BX-7', quantity: 20 }),
    ]);
    const pl = received.json().purchaseOrder.lines.find((l: { id: string }) => l.id === itemLine);
    expect(pl.quantityReceived).toBe(20);

    const unknownBody = '0695999999999';
    const notOnOrder = `(01)${unknownBody}${gtinCheckDigit(unknownBody)}(10)X`;
    const bad = await post(`/v1/purchase-orders/${po.id}/receipts`, { lines: [{ scan: notOnOrder }] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0]).toMatchObject({ field: 'body:/lines/0/scan', code: 'scan_not_on_order' });
    const mismatch = await post(`/v1/purchase-orders/${po.id}/receipts`, {
      lines: [{ scan, lotNumber: 'OTHER' }],
    });
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.json().errors[0]).toMatchObject({
      field: 'body:/lines/0/lotNumber',
      code: 'scan_mismatch',
    });
  });

  it('a receipt into inspection against an order holds the units until released', async () => {
    const item = await trackedItem();
    const po = await approvedPo(item, 8);
    const r = await post(`/v1/purchase-orders/${po.id}/receipts`, {
      inspection: true,
      lines: [{ lineId: po.lines[0]!.id, quantity: 8, lotNumber: 'PQ', expiryDate: FAR }],
    });
    expect(r.statusCode, r.body).toBe(201);
    const [id] = r.json().inspectionIds;
    const listed = (await get('/v1/inspections')).json().items.find((x: { id: string }) => x.id === id);
    expect(listed).toMatchObject({
      purchaseOrderId: po.id,
      purchaseOrderNumber: po.number,
      supplierId: supplier,
    });
    expect((await move({ type: 'issue', itemId: item, quantity: 1 })).statusCode).toBe(409);
  });
});
