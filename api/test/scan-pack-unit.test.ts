import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore } from './support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

// Issue 11: after a scan, the quantity counts what was scanned. The starter catalogue gives a
// box and a case their own GTINs; a scan of the box's GTIN with quantity 2 posts 2 boxes in base
// units. An explicit `unit` still wins, and the item's main GTIN counts base units.
let t: TestApp;
let org: SignedUp;
let loc: string;
let itemId: string;

beforeAll(async () => {
  t = await startTestApp();
  org = await signUp(t, { catalogueTemplate: 'community-health-centre' });
  ({ locationId: loc } = await centralStore(t, org.headers));
  const r = await t.app.inject({ method: 'GET', url: '/v1/items?q=CHC-0001', headers: org.headers });
  itemId = r.json().items.find((i: { code: string }) => i.code === 'CHC-0001').id;
});
afterAll(async () => {
  await t?.close();
});

const post = (payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/v1/movements', headers: org.headers, payload });

describe('a scanned pack counts packs', () => {
  it('the starter catalogue links the box and case GTINs to their units', async () => {
    const r = await t.app.inject({ method: 'GET', url: `/v1/items/${itemId}`, headers: org.headers });
    const gtins = (r.json().gtins ?? r.json().item?.gtins) as { gtin: string; unitCode: string | null }[];
    expect(gtins).toEqual(
      expect.arrayContaining([
        { gtin: '16953001200010', unitCode: 'box' },
        { gtin: '26953001200017', unitCode: 'case' },
      ]),
    );
  });

  it('scan a box (100 支), type 2: 200 are received', async () => {
    const r = await post({
      type: 'receipt',
      scan: '(01)16953001200010(17)280630(10)BOX-1',
      locationId: loc,
      quantity: 2,
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().movements[0].quantity).toBe(200);
    expect(r.json().movements[0].itemCode).toBe('CHC-0001');
  });

  it('an explicit unit wins over the scanned pack', async () => {
    const r = await post({
      type: 'receipt',
      scan: '(01)16953001200010(17)280630(10)BOX-1',
      locationId: loc,
      quantity: 2,
      unit: 'piece',
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().movements[0].quantity).toBe(2);
  });

  it('the item’s own (base-unit) GTIN counts base units', async () => {
    const r = await post({ type: 'issue', scan: '0106953001200013', locationId: loc, quantity: 3 });
    expect(r.statusCode).toBe(201);
    expect(r.json().movements.reduce((a: number, m: { quantity: number }) => a + m.quantity, 0)).toBe(-3);
  });
});
