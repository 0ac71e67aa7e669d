import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { addMember } from './support/members.ts';
import { insertSupplier, tenantQuery } from './support/purchasing-fixtures.ts';
import { bearer, type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let owner: SignedUp;
/** A second admin: four eyes means the owner who drafts an order never approves it. */
let approver: { id: string; headers: Record<string, string> };
let siteA: string;
let locA: string;
let siteB: string;
let locB: string;
let supplier: string;
let n = 0;

type Headers = Record<string, string>;
const newItem = () =>
  insertItem(t, owner.organizationId, {
    code: `PI-${n++}`,
    unitCost: 2,
    packUnits: [
      { code: 'pack', factor: 10 },
      { code: 'box', factor: 100 },
    ],
  });
const newSupplier = (extra: Partial<Parameters<typeof insertSupplier>[2]> = {}) =>
  insertSupplier(t, owner.organizationId, { code: `S-${n++}`, ...extra });

async function createPo(body: Record<string, unknown>, headers: Headers = owner.headers) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/purchase-orders',
    headers,
    payload: { supplierId: supplier, locationId: locA, ...body },
  });
}
async function act(
  id: string,
  action: 'approve' | 'send' | 'cancel',
  headers: Headers = action === 'approve' ? approver.headers : owner.headers,
  payload?: unknown,
) {
  return t.app.inject({
    method: 'POST',
    url: `/v1/purchase-orders/${id}/${action}`,
    headers,
    ...(payload ? { payload } : {}),
  });
}
async function receive(id: string, payload: Record<string, unknown>, headers: Headers = owner.headers) {
  return t.app.inject({ method: 'POST', url: `/v1/purchase-orders/${id}/receipts`, headers, payload });
}
async function getPo(id: string, headers: Headers = owner.headers) {
  return t.app.inject({ method: 'GET', url: `/v1/purchase-orders/${id}`, headers });
}
/** A PO drafted by the owner, approved by the second admin (and optionally sent), for tests about what follows. */
async function openPo(
  lines: Record<string, unknown>[],
  opts: { send?: boolean; allowOverReceipt?: boolean; supplierId?: string } = {},
) {
  const po = (
    await createPo({
      lines,
      allowOverReceipt: opts.allowOverReceipt,
      supplierId: opts.supplierId ?? supplier,
    })
  ).json();
  expect((await act(po.id, 'approve')).statusCode).toBe(200);
  if (opts.send) expect((await act(po.id, 'send')).statusCode).toBe(200);
  return (await getPo(po.id)).json();
}
async function onHand(itemId: string, locationId = locA): Promise<number> {
  const rows = (
    await t.app.inject({
      method: 'GET',
      url: `/v1/stock?groupBy=location&itemId=${itemId}&locationId=${locationId}`,
      headers: owner.headers,
    })
  ).json().items;
  return rows.reduce((s: number, r: { onHand: number }) => s + r.onHand, 0);
}
async function inTransit(itemId: string, locationId = locA): Promise<number> {
  const r = await t.app.inject({
    method: 'GET',
    url: `/v1/in-transit?itemId=${itemId}&locationId=${locationId}`,
    headers: owner.headers,
  });
  expect(r.statusCode).toBe(200);
  return r.json().items.reduce((s: number, x: { inTransit: number }) => s + x.inTransit, 0);
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
  ({ siteId: siteA, locationId: locA } = await centralStore(t, owner.headers));
  siteB = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: owner.headers,
      payload: { code: 'PB', name: 'Site B' },
    })
  ).json().id;
  ({ locationId: locB } = await centralStore(t, owner.headers, siteB));
  supplier = await newSupplier();
  approver = await addMember(t, owner.headers, 'admin');
});
afterAll(async () => t?.close());

describe('purchase order lifecycle', () => {
  it('draft → approved → sent → partially received → received, with on-hand, in-transit and events', async () => {
    const gauze = await newItem();
    const gloves = await newItem();
    const created = await createPo({
      lines: [
        { itemId: gauze, quantity: 2, unit: 'box', unitPrice: 50 },
        { itemId: gloves, quantity: 50 },
      ],
      expectedAt: '2031-01-15',
      notes: 'urgent',
    });
    expect(created.statusCode).toBe(201);
    const po = created.json();
    expect(po).toMatchObject({
      status: 'draft',
      siteId: siteA,
      locationId: locA,
      supplierId: supplier,
      expectedAt: '2031-01-15',
      createdBy: owner.userId,
      lineCount: 2,
      quantityOrdered: 250,
      inTransit: 0,
    });
    expect(po.number).toMatch(/^PO-\d{4}-\d{6}$/);
    expect(created.headers.location).toBe(`/v1/purchase-orders/${po.id}`);
    const gauzeLine = po.lines.find((l: { itemId: string }) => l.itemId === gauze);
    const glovesLine = po.lines.find((l: { itemId: string }) => l.itemId === gloves);
    expect(gauzeLine).toMatchObject({
      quantityOrdered: 200,
      quantityReceived: 0,
      inTransit: 0,
      unitPrice: 0.5,
      value: 100,
    });
    // A draft is not in transit.
    expect(await inTransit(gauze)).toBe(0);

    const approved = await act(po.id, 'approve');
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', approvedBy: approver.id, inTransit: 250 });
    expect(await inTransit(gauze)).toBe(200);

    const sent = await act(po.id, 'send');
    expect(sent.json().status).toBe('sent');
    expect(sent.json().sentAt).not.toBeNull();

    const partial = await receive(po.id, {
      lines: [
        { lineId: gauzeLine.id, quantity: 100, lotNumber: 'G1', expiryDate: '2031-06-30' },
        { lineId: gauzeLine.id, quantity: 5, unit: 'pack', lotNumber: 'G2', expiryDate: '2032-06-30' },
        { lineId: glovesLine.id, quantity: 5, unit: 'pack' },
      ],
      reference: 'DN-778',
    });
    expect(partial.statusCode).toBe(201);
    const p = partial.json();
    expect(p.purchaseOrder.status).toBe('partially_received');
    expect(
      p.movements.map((m: { lotNumber: string; quantity: number }) => [m.lotNumber, m.quantity]),
    ).toEqual([
      ['G1', 100],
      ['G2', 50],
      ['', 50],
    ]);
    // One line complete, another not: still partially received.
    expect(p.purchaseOrder.lines.find((l: { id: string }) => l.id === gauzeLine.id)).toMatchObject({
      quantityReceived: 150,
      inTransit: 50,
    });
    expect(await onHand(gauze)).toBe(150);
    expect(await inTransit(gauze)).toBe(50);
    expect(await inTransit(gloves)).toBe(0);

    const rest = await receive(po.id, { lines: [{ lineId: gauzeLine.id, quantity: 50, lotNumber: 'G1' }] });
    expect(rest.statusCode).toBe(201);
    expect(rest.json().purchaseOrder).toMatchObject({
      status: 'received',
      quantityReceived: 250,
      inTransit: 0,
    });
    expect(rest.json().purchaseOrder.receivedAt).not.toBeNull();
    expect(await onHand(gauze)).toBe(200);
    expect(await onHand(gloves)).toBe(50);
    expect(await inTransit(gauze)).toBe(0);
    expect(await inTransit(gloves)).toBe(0);

    // The ledger rows point at their order line and carry the line's price per base unit.
    const moves = await tenantQuery<{
      purchase_order_line_id: string;
      quantity: number;
      unit_cost: string;
      source: string;
      reference: string;
    }>(
      t,
      owner.organizationId,
      sql`select purchase_order_line_id, quantity, unit_cost::text, source, reference from movements where item_id = ${gauze} order by id`,
    );
    expect(
      moves.map((m) => [m.purchase_order_line_id, Number(m.quantity), Number(m.unit_cost), m.source]),
    ).toEqual([
      [gauzeLine.id, 100, 0.5, 'purchase_order'],
      [gauzeLine.id, 50, 0.5, 'purchase_order'],
      [gauzeLine.id, 50, 0.5, 'purchase_order'],
    ]);
    expect(moves[0]!.reference).toBe('DN-778');
    expect(moves[2]!.reference).toBe(po.number);

    // Every status change wrote its event in the same transaction.
    const events = await tenantQuery<{
      payload: { purchaseOrderId: string; from: string | null; to: string };
    }>(
      t,
      owner.organizationId,
      sql`select payload from events where type = 'purchase_order.status_changed' and payload->>'purchaseOrderId' = ${po.id} order by created_at, id`,
    );
    expect(events.map((e) => [e.payload.from, e.payload.to])).toEqual([
      [null, 'draft'],
      ['draft', 'approved'],
      ['approved', 'sent'],
      ['sent', 'partially_received'],
      ['partially_received', 'received'],
    ]);
  });

  it('prices default to the supplier terms (pack price ÷ pack size), else the item unit cost', async () => {
    const termed = await newItem();
    const plain = await newItem();
    const s = await newSupplier({ terms: [{ itemId: termed, packPrice: 30, packSize: 10 }] });
    const po = (
      await createPo({
        supplierId: s,
        lines: [
          { itemId: termed, quantity: 10 },
          { itemId: plain, quantity: 10 },
        ],
      })
    ).json();
    const price = (id: string) => po.lines.find((l: { itemId: string }) => l.itemId === id).unitPrice;
    expect(price(termed)).toBe(3);
    expect(price(plain)).toBe(2);
    expect(po.value).toBe(50);
  });

  it('edits a draft: lines are replaced, the site follows the new location', async () => {
    const a = await newItem();
    const b = await newItem();
    const po = (await createPo({ lines: [{ itemId: a, quantity: 10 }] })).json();
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/v1/purchase-orders/${po.id}`,
      headers: owner.headers,
      payload: {
        lines: [{ itemId: b, quantity: 1, unit: 'box' }],
        locationId: locB,
        notes: null,
        expectedAt: '2031-02-01',
      },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      siteId: siteB,
      locationId: locB,
      notes: null,
      expectedAt: '2031-02-01',
      lineCount: 1,
    });
    expect(
      patched
        .json()
        .lines.map((l: { itemId: string; quantityOrdered: number }) => [l.itemId, l.quantityOrdered]),
    ).toEqual([[b, 100]]);
  });

  it('lists with filters and stable cursor pagination, newest first', async () => {
    const s = await newSupplier();
    const item = await newItem();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await createPo({ supplierId: s, lines: [{ itemId: item, quantity: i + 1 }] })).json().id);
    await act(ids[1]!, 'approve');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: { statusCode: number; json(): { items: { id: string }[]; nextCursor: string | null } } =
        await t.app.inject({
          method: 'GET',
          url: `/v1/purchase-orders?supplierId=${s}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          headers: owner.headers,
        });
      expect(r.statusCode).toBe(200);
      expect(r.json().items.length).toBeLessThanOrEqual(2);
      seen.push(...r.json().items.map((x: { id: string }) => x.id));
      cursor = r.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const approved = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/purchase-orders?supplierId=${s}&status=approved`,
        headers: owner.headers,
      })
    ).json();
    expect(approved.items.map((x: { id: string }) => x.id)).toEqual([ids[1]]);
    const bad = await t.app.inject({
      method: 'GET',
      url: '/v1/purchase-orders?cursor=nonsense',
      headers: owner.headers,
    });
    expect(bad.statusCode).toBe(400);
  });
});

describe('units and validation', () => {
  it('converts pack units on order and receipt, and reports bad lines with their pointers', async () => {
    const item = await newItem();
    const po = (
      await createPo({ lines: [{ itemId: item, quantity: 1.5, unit: 'box', unitPrice: 20 }] })
    ).json();
    expect(po.lines[0]).toMatchObject({ quantityOrdered: 150, unitPrice: 0.2, value: 30 });

    const bad = await createPo({
      lines: [
        { itemId: item, quantity: 1, unit: 'crate' },
        { itemId: item, quantity: 1 },
        { itemId: '00000000-0000-4000-8000-000000000000', quantity: 1 },
      ],
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('invalid_lines');
    expect(bad.json().errors.map((e: { field: string; code: string }) => [e.field, e.code])).toEqual([
      ['body:/lines/0/unit', 'units.unknown_unit'],
      ['body:/lines/1/itemId', 'duplicate_item'],
      ['body:/lines/2/itemId', 'unknown_item'],
    ]);
    const fraction = await createPo({ lines: [{ itemId: item, quantity: 0.05, unit: 'pack' }] });
    expect(fraction.statusCode).toBe(422);
    expect(fraction.json().errors[0]).toMatchObject({
      field: 'body:/lines/0/quantity',
      code: 'units.not_integer',
    });

    await act(po.id, 'approve');
    const r = await receive(po.id, {
      lines: [
        { lineId: po.lines[0].id, quantity: 0.5, unit: 'box' },
        { lineId: po.lines[0].id, quantity: 3, unit: 'pack' },
      ],
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().purchaseOrder.lines[0].quantityReceived).toBe(80);
    expect(await onHand(item)).toBe(80);
    const unknownLine = await receive(po.id, {
      lines: [{ lineId: '00000000-0000-4000-8000-000000000000', quantity: 1 }],
    });
    expect(unknownLine.statusCode).toBe(422);
    expect(unknownLine.json().errors[0].field).toBe('body:/lines/0/lineId');
  });

  it('refuses an unknown or inactive supplier and a location outside the organisation', async () => {
    const item = await newItem();
    const inactive = await newSupplier({ active: false });
    const r1 = await createPo({ supplierId: inactive, lines: [{ itemId: item, quantity: 1 }] });
    expect(r1.statusCode).toBe(422);
    expect(r1.json().errors[0].field).toBe('body:/supplierId');
    const r2 = await createPo({
      locationId: '00000000-0000-4000-8000-000000000000',
      lines: [{ itemId: item, quantity: 1 }],
    });
    expect(r2.statusCode).toBe(422);
    expect(r2.json().code).toBe('unknown_location');
  });
});

describe('over-receipt', () => {
  it('refuses more than is outstanding, also split over entries, and writes nothing', async () => {
    const item = await newItem();
    const po = await openPo([{ itemId: item, quantity: 10 }], { send: true });
    const line = po.lines[0].id;
    const over = await receive(po.id, { lines: [{ lineId: line, quantity: 11 }] });
    expect(over.statusCode).toBe(409);
    expect(over.json()).toMatchObject({
      code: 'over_receipt',
      errors: [{ field: 'body:/lines/0/quantity' }],
    });
    const split = await receive(po.id, {
      lines: [
        { lineId: line, quantity: 6, lotNumber: 'A' },
        { lineId: line, quantity: 5, lotNumber: 'B' },
      ],
    });
    expect(split.statusCode).toBe(409);
    expect(await onHand(item)).toBe(0);
    expect((await getPo(po.id)).json()).toMatchObject({ status: 'sent', quantityReceived: 0 });
    await receive(po.id, { lines: [{ lineId: line, quantity: 8 }] });
    const again = await receive(po.id, { lines: [{ lineId: line, quantity: 3 }] });
    expect(again.statusCode).toBe(409);
    expect(await onHand(item)).toBe(8);
  });

  it('accepts over-receipt when the order allows it', async () => {
    const item = await newItem();
    const po = await openPo([{ itemId: item, quantity: 10 }], { allowOverReceipt: true });
    const r = await receive(po.id, { lines: [{ lineId: po.lines[0].id, quantity: 12 }] });
    expect(r.statusCode).toBe(201);
    expect(r.json().purchaseOrder).toMatchObject({ status: 'received', quantityReceived: 12, inTransit: 0 });
    expect(await onHand(item)).toBe(12);
  });

  it('two concurrent receipts cannot together exceed the order', async () => {
    const item = await newItem();
    const po = await openPo([{ itemId: item, quantity: 10 }], { send: true });
    const results = await Promise.all(
      [1, 2, 3].map(() => receive(po.id, { lines: [{ lineId: po.lines[0].id, quantity: 6 }] })),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
    expect(await onHand(item)).toBe(6);
    expect((await getPo(po.id)).json().lines[0].quantityReceived).toBe(6);
  });

  it('a retried receipt with the same Idempotency-Key is received once', async () => {
    const item = await newItem();
    const po = await openPo([{ itemId: item, quantity: 10 }], { send: true });
    const headers = { ...owner.headers, 'idempotency-key': `rcpt-${po.id}` };
    const first = await receive(po.id, { lines: [{ lineId: po.lines[0].id, quantity: 4 }] }, headers);
    const second = await receive(po.id, { lines: [{ lineId: po.lines[0].id, quantity: 4 }] }, headers);
    expect(first.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await onHand(item)).toBe(4);
  });
});

describe('transitions', () => {
  it('refuses every transition the lifecycle does not allow with 409 invalid_transition', async () => {
    const item = await newItem();
    const draft = (await createPo({ lines: [{ itemId: item, quantity: 5 }] })).json();
    const receiveDraft = await receive(draft.id, { lines: [{ lineId: draft.lines[0].id, quantity: 1 }] });
    expect(receiveDraft.statusCode).toBe(409);
    expect(receiveDraft.json()).toMatchObject({ code: 'invalid_transition', currentStatus: 'draft' });
    expect((await act(draft.id, 'send')).json().code).toBe('invalid_transition');

    await act(draft.id, 'approve');
    const twice = await act(draft.id, 'approve');
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('invalid_transition');
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/v1/purchase-orders/${draft.id}`,
      headers: owner.headers,
      payload: { notes: 'late edit' },
    });
    expect(patch.statusCode).toBe(409);
    expect(patch.json().code).toBe('not_draft');

    await receive(draft.id, { lines: [{ lineId: draft.lines[0].id, quantity: 5 }] });
    for (const action of ['approve', 'send', 'cancel'] as const) {
      const r = await act(draft.id, action);
      expect(r.statusCode, action).toBe(409);
      expect(r.json().currentStatus).toBe('received');
    }
    const afterReceived = await receive(draft.id, { lines: [{ lineId: draft.lines[0].id, quantity: 1 }] });
    expect(afterReceived.json().code).toBe('invalid_transition');
    expect(await onHand(item)).toBe(5);
  });

  it('cancels drafts, approved and sent orders; not once anything was received', async () => {
    const item = await newItem();
    const draft = (await createPo({ lines: [{ itemId: item, quantity: 5 }] })).json();
    const c1 = await act(draft.id, 'cancel', owner.headers, { reason: 'duplicate' });
    expect(c1.statusCode).toBe(200);
    expect(c1.json()).toMatchObject({ status: 'cancelled', cancelReason: 'duplicate' });
    expect(c1.json().cancelledAt).not.toBeNull();
    expect((await act(draft.id, 'approve')).json().code).toBe('invalid_transition');
    expect((await act(draft.id, 'cancel')).statusCode).toBe(409);

    const sent = await openPo([{ itemId: item, quantity: 7 }], { send: true });
    expect(await inTransit(item)).toBe(7);
    const noReason = await act(sent.id, 'cancel');
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().code).toBe('cancel_reason_required');
    expect(
      (await act(sent.id, 'cancel', owner.headers, { reason: 'supplier out of stock' })).json().status,
    ).toBe('cancelled');
    expect(await inTransit(item)).toBe(0);

    const partial = await openPo([{ itemId: item, quantity: 10 }], { send: true });
    await receive(partial.id, { lines: [{ lineId: partial.lines[0].id, quantity: 4 }] });
    const refused = await act(partial.id, 'cancel');
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'invalid_transition', currentStatus: 'partially_received' });
    expect((await getPo(partial.id)).json().status).toBe('partially_received');
    expect(await inTransit(item)).toBe(6);
  });
});

describe('lead-time history', () => {
  async function backdate(poId: string, column: 'sent_at' | 'approved_at', at: string) {
    await tenantQuery(
      t,
      owner.organizationId,
      sql`update purchase_orders set ${sql.identifier(column)} = ${at}::timestamptz where id = ${poId}`,
    );
  }

  it('records order-to-receipt days per line and summarises them', async () => {
    const item = await newItem();
    const other = await newItem();
    const s = await newSupplier();
    const po1 = await openPo(
      [
        { itemId: item, quantity: 10 },
        { itemId: other, quantity: 10 },
      ],
      { send: true, supplierId: s },
    );
    await backdate(po1.id, 'sent_at', '2025-01-01T00:00:00Z');
    const lineOf = (po: { lines: { itemId: string; id: string }[] }, id: string) =>
      po.lines.find((l) => l.itemId === id)!.id;
    const r1 = await receive(po1.id, {
      receivedAt: '2025-01-08T12:00:00Z',
      lines: [
        { lineId: lineOf(po1, item), quantity: 4, lotNumber: 'A' },
        { lineId: lineOf(po1, item), quantity: 6, lotNumber: 'B' },
      ],
    });
    expect(r1.statusCode).toBe(201);
    expect(r1.json().leadTimeDays).toBe(7.5);

    // Never sent: measured from approval.
    const po2 = await openPo([{ itemId: item, quantity: 10 }], { supplierId: s });
    await backdate(po2.id, 'approved_at', '2025-02-01T00:00:00Z');
    const early = await receive(po2.id, {
      receivedAt: '2025-01-31T00:00:00Z',
      lines: [{ lineId: po2.lines[0].id, quantity: 1 }],
    });
    expect(early.statusCode).toBe(422);
    expect(early.json()).toMatchObject({
      code: 'received_before_ordered',
      errors: [{ field: 'body:/receivedAt' }],
    });
    const future = await receive(po2.id, {
      // Next year: a valid instant, but one that has not happened yet.
      receivedAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
      lines: [{ lineId: po2.lines[0].id, quantity: 1 }],
    });
    expect(future.json().code).toBe('received_in_future');
    expect(
      (
        await receive(po2.id, {
          receivedAt: '2025-02-04T00:00:00Z',
          lines: [{ lineId: po2.lines[0].id, quantity: 10 }],
        })
      ).statusCode,
    ).toBe(201);

    const r = await t.app.inject({
      method: 'GET',
      url: `/v1/lead-times?supplierId=${s}&itemId=${item}`,
      headers: owner.headers,
    });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    // Two lots of one line in one delivery are one observation.
    expect(
      body.items.map((o: { leadTimeDays: number; purchaseOrderId: string }) => [
        o.purchaseOrderId,
        o.leadTimeDays,
      ]),
    ).toEqual([
      [po2.id, 3],
      [po1.id, 7.5],
    ]);
    expect(body.items[1]).toMatchObject({
      orderedAt: '2025-01-01T00:00:00.000Z',
      receivedAt: '2025-01-08T12:00:00.000Z',
      supplierId: s,
      itemId: item,
    });
    expect(body.summary).toMatchObject({
      n: 2,
      meanDays: 5.25,
      minDays: 3,
      maxDays: 7.5,
      lastDays: 3,
      lastReceivedAt: '2025-02-04T00:00:00.000Z',
    });
    expect(body.summary.sdDays).toBeCloseTo(Math.sqrt(((7.5 - 5.25) ** 2 + (3 - 5.25) ** 2) / 1), 3);

    // The other item on po1 has its own history; nothing received yet means no observation.
    const otherLt = (
      await t.app.inject({ method: 'GET', url: `/v1/lead-times?itemId=${other}`, headers: owner.headers })
    ).json();
    expect(otherLt.summary).toMatchObject({ n: 0, meanDays: null, sdDays: null, lastDays: null });
    const paged = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/lead-times?supplierId=${s}&limit=1`,
        headers: owner.headers,
      })
    ).json();
    expect(paged.items).toHaveLength(1);
    expect(paged.summary.n).toBe(2);
    expect(paged.nextCursor).not.toBeNull();
  });
});

describe('approval rules and roles', () => {
  it('four eyes: a purchaser cannot approve their own order; another purchaser can', async () => {
    const item = await newItem();
    const p1 = await addMember(t, owner.headers, 'purchaser');
    const p2 = await addMember(t, owner.headers, 'purchaser');
    const po = (await createPo({ lines: [{ itemId: item, quantity: 3 }] }, p1.headers)).json();
    const self = await act(po.id, 'approve', p1.headers);
    expect(self.statusCode).toBe(403);
    expect(self.json().code).toBe('self_approval');
    expect((await getPo(po.id)).json().status).toBe('draft');
    const other = await act(po.id, 'approve', p2.headers);
    expect(other.statusCode).toBe(200);
    expect(other.json()).toMatchObject({ status: 'approved', approvedBy: p2.id, createdBy: p1.id });
  });

  it('storekeepers receive but do not order; viewers only read', async () => {
    const item = await newItem();
    const store = await addMember(t, owner.headers, 'storekeeper');
    const viewer = await addMember(t, owner.headers, 'viewer');
    const po = (await createPo({ lines: [{ itemId: item, quantity: 3 }] })).json();
    expect((await act(po.id, 'approve')).statusCode).toBe(200);
    expect((await createPo({ lines: [{ itemId: item, quantity: 1 }] }, store.headers)).statusCode).toBe(403);
    expect((await act(po.id, 'send', store.headers)).statusCode).toBe(403);
    expect(
      (await receive(po.id, { lines: [{ lineId: po.lines[0].id, quantity: 1 }] }, viewer.headers)).statusCode,
    ).toBe(403);
    expect((await getPo(po.id, viewer.headers)).statusCode).toBe(200);
    const r = await receive(po.id, { lines: [{ lineId: po.lines[0].id, quantity: 3 }] }, store.headers);
    expect(r.statusCode).toBe(201);
    expect(r.json().purchaseOrder.status).toBe('received');
  });

  it('an API key with only the purchasing scope drafts orders but cannot approve', async () => {
    const item = await newItem();
    const key = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: owner.headers,
        payload: { name: 'erp', scopes: ['read', 'purchasing'] },
      })
    ).json().key;
    const drafted = await createPo({ lines: [{ itemId: item, quantity: 3 }] }, bearer(key));
    expect(drafted.statusCode).toBe(201);
    expect(drafted.json().source).toBe('integration');
    const mine = (await createPo({ lines: [{ itemId: item, quantity: 3 }] })).json();
    const approve = await act(mine.id, 'approve', bearer(key));
    expect(approve.statusCode).toBe(403);
    expect(approve.json().code).toBe('approval_not_allowed');
    // A purchaser approves what the integration drafted.
    const purchaser = await addMember(t, owner.headers, 'purchaser');
    expect((await act(drafted.json().id, 'approve', purchaser.headers)).statusCode).toBe(200);
  });
});

describe('site limits', () => {
  it('a purchaser limited to site A neither sees nor touches site B orders', async () => {
    const item = await newItem();
    const limited = await addMember(t, owner.headers, 'purchaser', [siteA]);
    const draftB = (await createPo({ locationId: locB, lines: [{ itemId: item, quantity: 2 }] })).json();
    const atB = await createPo({ locationId: locB, lines: [{ itemId: item, quantity: 1 }] }, limited.headers);
    expect(atB.statusCode).toBe(422);
    expect(atB.json().code).toBe('unknown_location');
    const own = await createPo({ lines: [{ itemId: item, quantity: 1 }] }, limited.headers);
    expect(own.statusCode).toBe(201);

    expect(draftB.siteId).toBe(siteB);
    expect((await getPo(draftB.id, limited.headers)).statusCode).toBe(404);
    expect((await act(draftB.id, 'approve', limited.headers)).statusCode).toBe(404);
    expect(
      (
        await t.app.inject({
          method: 'PATCH',
          url: `/v1/purchase-orders/${draftB.id}`,
          headers: limited.headers,
          payload: { notes: 'x' },
        })
      ).statusCode,
    ).toBe(404);
    const list = (
      await t.app.inject({ method: 'GET', url: '/v1/purchase-orders?limit=500', headers: limited.headers })
    ).json();
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.every((p: { siteId: string }) => p.siteId === siteA)).toBe(true);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `/v1/purchase-orders?siteId=${siteB}`,
          headers: limited.headers,
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/in-transit?siteId=${siteB}`, headers: limited.headers }))
        .statusCode,
    ).toBe(404);

    // In transit at B is visible to the owner, not to the limited user.
    const approvedB = (await createPo({ locationId: locB, lines: [{ itemId: item, quantity: 4 }] })).json();
    await act(approvedB.id, 'approve');
    expect(await inTransit(item, locB)).toBe(4);
    const limitedTransit = (
      await t.app.inject({ method: 'GET', url: `/v1/in-transit?itemId=${item}`, headers: limited.headers })
    ).json();
    expect(limitedTransit.items.every((x: { siteId: string }) => x.siteId === siteA)).toBe(true);
    expect((await getPo(draftB.id)).json().status).toBe('draft');
  });
});
