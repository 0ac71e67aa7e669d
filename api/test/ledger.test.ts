import { gtinCheckDigit } from '@medstock/core';
import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { addMember } from './support/members.ts';
import { bearer, type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let owner: SignedUp;
let loc: string;
let site: string;
let n = 0;

const gtinBody = '0695000000001';
const GTIN = `${gtinBody}${gtinCheckDigit(gtinBody)}`;

async function move(body: Record<string, unknown>, headers = owner.headers) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/movements',
    headers,
    payload: { locationId: loc, ...body },
  });
}
async function onHand(itemId: string, locationId = loc): Promise<number> {
  const rows = (
    await t.app.inject({
      method: 'GET',
      url: `/v1/stock?groupBy=location&itemId=${itemId}&locationId=${locationId}`,
      headers: owner.headers,
    })
  ).json().items;
  return rows.reduce((s: number, r: { onHand: number }) => s + r.onHand, 0);
}
const newItem = (extra: Parameters<typeof insertItem>[2] extends infer T ? Partial<T> : never = {}) =>
  insertItem(t, owner.organizationId, {
    code: `IT-${n++}`,
    packUnits: [
      { code: 'pack', factor: 10 },
      { code: 'box', factor: 100 },
    ],
    ...extra,
  });

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
  ({ siteId: site, locationId: loc } = await centralStore(t, owner.headers));
});
afterAll(async () => t?.close());

describe('receipts and unit conversion', () => {
  it('stores every quantity in base units, from any pack unit', async () => {
    const item = await newItem();
    const r = await move({
      type: 'receipt',
      itemId: item,
      quantity: 2,
      unit: 'box',
      lotNumber: 'L1',
      expiryDate: '2030-01-31',
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().movements[0]).toMatchObject({
      type: 'receipt',
      quantity: 200,
      lotNumber: 'L1',
      expiryDate: '2030-01-31',
    });
    await move({ type: 'receipt', itemId: item, quantity: 0.5, unit: 'pack', lotNumber: 'L1' });
    expect(await onHand(item)).toBe(205);
  });

  it('refuses fractions of a base unit and unknown units with field errors', async () => {
    const item = await newItem();
    const frac = await move({ type: 'receipt', itemId: item, quantity: 0.5 });
    expect(frac.statusCode).toBe(422);
    expect(frac.json()).toMatchObject({ code: 'units_not_integer', errors: [{ field: 'body:/quantity' }] });
    const unit = await move({ type: 'receipt', itemId: item, quantity: 1, unit: 'crate' });
    expect(unit.json().code).toBe('units_unknown_unit');
    const zero = await move({ type: 'issue', itemId: item, quantity: 0 });
    expect(zero.statusCode).toBe(422);
  });

  it('refuses a known lot number with a different expiry', async () => {
    const item = await newItem();
    await move({ type: 'receipt', itemId: item, quantity: 5, lotNumber: 'X', expiryDate: '2030-01-01' });
    const r = await move({
      type: 'receipt',
      itemId: item,
      quantity: 5,
      lotNumber: 'X',
      expiryDate: '2031-01-01',
    });
    expect(r.statusCode).toBe(422);
    expect(r.json().code).toBe('lot_expiry_mismatch');
  });
});

describe('issues: FEFO, expiry, no negative stock', () => {
  it('consumes the earliest expiry first, across lots', async () => {
    const item = await newItem();
    await move({ type: 'receipt', itemId: item, quantity: 10, lotNumber: 'LATE', expiryDate: '2031-06-30' });
    await move({ type: 'receipt', itemId: item, quantity: 10, lotNumber: 'EARLY', expiryDate: '2029-03-31' });
    await move({ type: 'receipt', itemId: item, quantity: 10, lotNumber: 'NOEXP' });
    const r = await move({ type: 'issue', itemId: item, quantity: 15 });
    expect(r.statusCode).toBe(201);
    expect(
      r.json().movements.map((m: { lotNumber: string; quantity: number }) => [m.lotNumber, m.quantity]),
    ).toEqual([
      ['EARLY', -10],
      ['LATE', -5],
    ]);
  });

  it('refuses to receive an expired lot unless the receipt accepts it explicitly, with a reason', async () => {
    const item = await newItem();
    const refused = await move({
      type: 'receipt',
      itemId: item,
      quantity: 4,
      lotNumber: 'EXP',
      expiryDate: '2021-06-30',
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('lot_expired_on_receipt');
    expect(refused.json().errors[0].field).toContain('expiryDate');
    // A known lot number: its stored expiry counts too.
    await move({
      type: 'receipt',
      itemId: item,
      quantity: 1,
      lotNumber: 'EXP',
      expiryDate: '2021-06-30',
      acceptExpired: true,
      reason: 'kept for the recall audit',
    });
    const again = await move({ type: 'receipt', itemId: item, quantity: 2, lotNumber: 'EXP' });
    expect(again.json().code).toBe('lot_expired_on_receipt');
    const noReason = await move({
      type: 'receipt',
      itemId: item,
      quantity: 2,
      lotNumber: 'EXP',
      acceptExpired: true,
    });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().code).toBe('reason_required');
    // Refusals wrote nothing; the accepted receipt is on record with its reason.
    expect(await onHand(item)).toBe(1);
    const history = (
      await t.app.inject({ method: 'GET', url: `/v1/movements?itemId=${item}`, headers: owner.headers })
    ).json().items as Array<{ reason: string | null; quantity: number }>;
    expect(history.map((m) => [m.quantity, m.reason])).toEqual([[1, 'kept for the recall audit']]);
    // A lot still in date is received as before.
    const fresh = await move({
      type: 'receipt',
      itemId: item,
      quantity: 2,
      lotNumber: 'OK',
      expiryDate: '2031-01-31',
    });
    expect(fresh.statusCode).toBe(201);
  });

  it('never issues an expired lot, by FEFO or by name; a write-off may take it', async () => {
    const item = await newItem();
    const accepted = await move({
      type: 'receipt',
      itemId: item,
      quantity: 5,
      lotNumber: 'OLD',
      expiryDate: '2020-01-31',
      acceptExpired: true,
      reason: 'returned from a ward for destruction',
    });
    expect(accepted.statusCode, accepted.body).toBe(201);
    await move({ type: 'receipt', itemId: item, quantity: 3, lotNumber: 'NEW', expiryDate: '2030-01-31' });
    const tooMuch = await move({ type: 'issue', itemId: item, quantity: 4 });
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json().code).toBe('insufficient_stock');
    const named = await move({ type: 'issue', itemId: item, quantity: 1, lotNumber: 'OLD' });
    expect(named.statusCode).toBe(409);
    expect(named.json().code).toBe('lot_expired');
    const off = await move({
      type: 'write_off',
      itemId: item,
      quantity: 5,
      lotNumber: 'OLD',
      reason: 'expired',
    });
    expect(off.statusCode).toBe(201);
    expect(await onHand(item)).toBe(3);
  });

  it('refuses to go below zero and writes nothing when refused', async () => {
    const item = await newItem();
    await move({ type: 'receipt', itemId: item, quantity: 3 });
    const before = (
      await t.app.inject({ method: 'GET', url: `/v1/movements?itemId=${item}`, headers: owner.headers })
    ).json().items.length;
    expect((await move({ type: 'issue', itemId: item, quantity: 4 })).statusCode).toBe(409);
    expect((await move({ type: 'adjustment', itemId: item, quantity: -4 })).statusCode).toBe(409);
    const after = (
      await t.app.inject({ method: 'GET', url: `/v1/movements?itemId=${item}`, headers: owner.headers })
    ).json().items.length;
    expect(after).toBe(before);
    expect(await onHand(item)).toBe(3);
  });

  it('50 concurrent issues against one lot never go below zero and never lose an update', async () => {
    const item = await newItem();
    await move({ type: 'receipt', itemId: item, quantity: 30, lotNumber: 'RACE', expiryDate: '2030-01-01' });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => move({ type: 'issue', itemId: item, quantity: 1, lotNumber: 'RACE' })),
    );
    const ok = results.filter((r) => r.statusCode === 201).length;
    const refused = results.filter((r) => r.statusCode === 409).length;
    expect(ok).toBe(30);
    expect(refused).toBe(20);
    expect(await onHand(item)).toBe(0);

    const item2 = await newItem();
    await move({ type: 'receipt', itemId: item2, quantity: 100 });
    const r2 = await Promise.all(
      Array.from({ length: 50 }, () => move({ type: 'issue', itemId: item2, quantity: 1 })),
    );
    expect(r2.every((r) => r.statusCode === 201)).toBe(true);
    expect(await onHand(item2)).toBe(50);
    const sum = await withTenantDb(t.deps.database.db, owner, (tx) =>
      tx.execute<{ s: number }>(sql`select sum(quantity)::int as s from movements where item_id = ${item2}`),
    );
    expect(sum.rows[0]!.s).toBe(50);
  });
});

describe('transfers, stocktakes, adjustments', () => {
  it('transfers lots between sites and keeps them FEFO at the destination', async () => {
    const item = await newItem();
    const east = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/sites',
        headers: owner.headers,
        payload: { code: `E${n}`, name: 'East' },
      })
    ).json();
    const { locationId: eastLoc } = await centralStore(t, owner.headers, east.id);
    await move({ type: 'receipt', itemId: item, quantity: 20, lotNumber: 'T1', expiryDate: '2030-05-31' });
    const r = await move({ type: 'transfer', itemId: item, quantity: 8, toLocationId: eastLoc });
    expect(r.statusCode).toBe(201);
    expect(r.json().movements.map((m: { type: string; quantity: number }) => [m.type, m.quantity])).toEqual([
      ['transfer_out', -8],
      ['transfer_in', 8],
    ]);
    expect(await onHand(item)).toBe(12);
    expect(await onHand(item, eastLoc)).toBe(8);

    // A user limited to the main site cannot move stock into a site they cannot see.
    const token = (await addMember(t, owner.headers, 'storekeeper', [site])).accessToken;
    const denied = await move(
      { type: 'transfer', itemId: item, quantity: 1, toLocationId: eastLoc },
      bearer(token),
    );
    expect(denied.statusCode).toBe(404);
    const fromEast = await move(
      { type: 'issue', itemId: item, quantity: 1, locationId: eastLoc },
      bearer(token),
    );
    expect(fromEast.statusCode).toBe(404);
    expect(await onHand(item, eastLoc)).toBe(8);
  });

  it('a stocktake count records the variance as the movement', async () => {
    const item = await newItem();
    await move({ type: 'receipt', itemId: item, quantity: 40, lotNumber: 'C' });
    const r = await move({ type: 'stocktake', itemId: item, quantity: 37, lotNumber: 'C' });
    expect(r.statusCode).toBe(201);
    expect(r.json().movements[0]).toMatchObject({ type: 'stocktake', quantity: -3 });
    expect(await onHand(item)).toBe(37);
    const up = await move({ type: 'stocktake', itemId: item, quantity: 4, unit: 'pack', lotNumber: 'C' });
    expect(up.json().movements[0].quantity).toBe(3);
  });

  it('the ledger is append-only', async () => {
    // Drizzle wraps the driver error; the trigger's message is on the cause.
    const causeOf = (p: Promise<unknown>) =>
      p.then(
        () => 'no error',
        (e: { cause?: Error }) => String(e.cause?.message),
      );
    expect(
      await causeOf(
        withTenantDb(t.deps.database.db, owner, (tx) => tx.execute(sql`update movements set quantity = 999`)),
      ),
    ).toMatch(/append-only/);
    expect(
      await causeOf(withTenantDb(t.deps.database.db, owner, (tx) => tx.execute(sql`delete from movements`))),
    ).toMatch(/append-only/);
  });
});

describe('GS1 scanning', () => {
  it('receives by scanning a GS1 element string (GTIN, lot, expiry, count) and issues by GTIN', async () => {
    const item = await newItem({ gtin: GTIN });
    const scan = `]d201${GTIN}17301231\u001d10LOT-77\u001d3012`;
    const r = await move({ type: 'receipt', scan });
    expect(r.statusCode).toBe(201);
    expect(r.json().movements[0]).toMatchObject({
      itemId: item,
      lotNumber: 'LOT-77',
      expiryDate: '2030-12-31',
      quantity: 12,
    });
    const human = await move({ type: 'issue', scan: `(01)${GTIN}(10)LOT-77`, quantity: 2 });
    expect(human.statusCode).toBe(201);
    expect(await onHand(item)).toBe(10);
  });

  it('rejects a bad check digit and an unknown GTIN clearly', async () => {
    const bad = `${GTIN.slice(0, 13)}${(Number(GTIN[13]) + 1) % 10}`;
    const r = await move({ type: 'receipt', scan: `(01)${bad}(10)A`, quantity: 1 });
    expect(r.statusCode).toBe(422);
    expect(r.json().code).toBe('gs1_check_digit');
    const unknownBody = '0695999999999';
    const unknown = await move({
      type: 'receipt',
      gtin: `${unknownBody}${gtinCheckDigit(unknownBody)}`,
      quantity: 1,
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe('unknown_item');
  });
});

describe('queries', () => {
  it('buckets near-expiry lots and values stock', async () => {
    const item = await newItem({ unitCost: 2.5 });
    const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
    // Short-dated lots (within 90 days) are received only with the explicit override.
    const shortDated = { acceptShortDated: true, reason: 'near-expiry fixture' };
    await move({
      type: 'receipt',
      itemId: item,
      quantity: 10,
      lotNumber: 'B15',
      expiryDate: inDays(15),
      ...shortDated,
    });
    await move({
      type: 'receipt',
      itemId: item,
      quantity: 20,
      lotNumber: 'B45',
      expiryDate: inDays(45),
      ...shortDated,
    });
    await move({
      type: 'receipt',
      itemId: item,
      quantity: 30,
      lotNumber: 'B80',
      expiryDate: inDays(80),
      ...shortDated,
    });
    await move({ type: 'receipt', itemId: item, quantity: 40, lotNumber: 'B200', expiryDate: inDays(200) });
    const exp = (
      await t.app.inject({ method: 'GET', url: `/v1/stock/expiry?itemId=${item}`, headers: owner.headers })
    ).json();
    expect(exp.items.map((i: { lotNumber: string; bucket: string }) => [i.lotNumber, i.bucket])).toEqual([
      ['B15', '0-30'],
      ['B45', '31-60'],
      ['B80', '61-90'],
    ]);
    expect(exp.buckets['31-60']).toEqual({ lots: 1, onHand: 20, value: 50 });
    const val = (
      await t.app.inject({ method: 'GET', url: `/v1/stock/valuation?itemId=${item}`, headers: owner.headers })
    ).json();
    expect(val.total).toBe(250);
    const byLot = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/stock?groupBy=lot&itemId=${item}&limit=2`,
        headers: owner.headers,
      })
    ).json();
    expect(byLot.items).toHaveLength(2);
    expect(byLot.nextCursor).not.toBeNull();
    const rest = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/stock?groupBy=lot&itemId=${item}&limit=2&cursor=${byLot.nextCursor}`,
        headers: owner.headers,
      })
    ).json();
    expect(rest.items).toHaveLength(2);
    const byItem = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/stock?groupBy=item&itemId=${item}`,
        headers: owner.headers,
      })
    ).json();
    expect(byItem.items).toEqual([expect.objectContaining({ onHand: 100, value: 250 })]);
  });

  it('filters and pages movement history, and writes a movement.created event', async () => {
    const item = await newItem();
    for (let i = 0; i < 5; i++) await move({ type: 'receipt', itemId: item, quantity: i + 1 });
    await move({ type: 'issue', itemId: item, quantity: 2 });
    const issues = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/movements?itemId=${item}&type=issue`,
        headers: owner.headers,
      })
    ).json();
    expect(issues.items).toHaveLength(1);
    const p1 = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/movements?itemId=${item}&limit=4`,
        headers: owner.headers,
      })
    ).json();
    const p2 = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/movements?itemId=${item}&limit=4&cursor=${p1.nextCursor}`,
        headers: owner.headers,
      })
    ).json();
    expect([...p1.items, ...p2.items].map((m: { id: number }) => m.id)).toHaveLength(6);
    expect(p2.nextCursor).toBeNull();
    const events = await withTenantDb(t.deps.database.db, owner, (tx) =>
      tx.execute<{ n: number }>(
        sql`select count(*)::int as n from events where type = 'movement.created' and payload->>'itemId' = ${item}`,
      ),
    );
    expect(events.rows[0]!.n).toBe(6);
  });
});
