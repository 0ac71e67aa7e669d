import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { type AddedMember, addMember } from './support/members.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Stocktake sessions (盘点单): sheet → counts → review → second-person approval → posting in one
 * transaction; roles, site limits, idempotency and double posting.
 */
type Headers = Record<string, string>;
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/api');
type Line = {
  id: string;
  countedByName: string | null;
  itemId: string;
  lotNumber: string | null;
  expected: number | null;
  book: number | null;
  counted: number | null;
  variance: number | null;
  varianceValue: number | null;
  wholeItem: boolean;
  added: boolean;
  attribution: { lotNumber: string; quantity: number }[] | null;
};

let t: TestApp;
let owner: SignedUp;
let siteA: string;
let locA: string;
let siteB: string;
let locB: string;
let counter: AddedMember;
let approver: AddedMember;
let nurse: AddedMember;
let purchaser: AddedMember;
let viewer: AddedMember;
let limitedToB: AddedMember;
let n = 0;

const post = (url: string, headers: Headers, payload: unknown = {}) =>
  t.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });
const get = (url: string, headers: Headers) => t.app.inject({ method: 'GET', url, headers });
const q = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
  withTenantDb(
    t.deps.database.db,
    { organizationId: owner.organizationId },
    async (tx) => (await tx.execute<T>(query)).rows,
  );

async function ok(res: Awaited<ReturnType<typeof post>>, status = 200) {
  expect(res.statusCode, res.body).toBe(status);
  return res.json();
}
async function receive(
  itemId: string,
  locationId: string,
  quantity: number,
  lotNumber: string,
  expiryDate: string,
) {
  await ok(
    await post('/v1/movements', owner.headers, {
      type: 'receipt',
      itemId,
      locationId,
      quantity,
      lotNumber,
      expiryDate,
    }),
    201,
  );
}
async function lotsAt(itemId: string, locationId: string) {
  return q<{ lot_number: string; on_hand: number }>(sql`
    select lo.lot_number, s.on_hand::int from stock s join lots lo on lo.id = s.lot_id
     where s.item_id = ${itemId} and s.location_id = ${locationId} and s.on_hand <> 0 order by lo.lot_number`);
}
const newItem = (unitCost = 1) => insertItem(t, owner.organizationId, { code: `ST-${n++}`, unitCost });
const lineOf = (s: { lines: Line[] }, itemId: string, lot: string | null) =>
  s.lines.find((l) => l.itemId === itemId && l.lotNumber === lot)!;

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
  owner = await signUp(t);
  ({ siteId: siteA } = await centralStore(t, owner.headers));
  const ward = await ok(
    await post(`/v1/sites/${siteA}/locations`, owner.headers, {
      code: 'W3',
      name: 'Ward 3 三病区',
      kind: 'ward',
    }),
    201,
  );
  locA = ward.id;
  const b = await ok(await post('/v1/sites', owner.headers, { code: 'SB', name: 'Site B' }), 201);
  siteB = b.id;
  ({ locationId: locB } = await centralStore(t, owner.headers, siteB));
  counter = await addMember(t, owner.headers, 'storekeeper');
  approver = await addMember(t, owner.headers, 'storekeeper');
  nurse = await addMember(t, owner.headers, 'nurse');
  purchaser = await addMember(t, owner.headers, 'purchaser');
  viewer = await addMember(t, owner.headers, 'viewer');
  limitedToB = await addMember(t, owner.headers, 'storekeeper', [siteB]);
});
afterAll(async () => t?.close());

describe('a stocktake session with variance approval', () => {
  it('counts by lot and as a whole, reviews, is approved by a second person and posts once', async () => {
    const gauze = await newItem(2.5);
    const gloves = await newItem(10);
    // Ward 3 holds 15 of DEMO-11 (and 10 of DEMO-12, expiring earlier) of gauze, 8 of G1 gloves.
    await receive(gauze, locA, 15, 'DEMO-11', '2031-01-31');
    await receive(gauze, locA, 10, 'DEMO-12', '2030-06-30');
    await receive(gloves, locA, 8, 'G1', '2031-03-31');

    const hook = (
      await ok(
        await post('/v1/webhooks', owner.headers, {
          url: 'http://127.0.0.1:9/stocktakes',
          events: ['stocktake.approved', 'stocktake.posted'],
        }),
        201,
      )
    ).id;
    const created = await ok(
      await post('/v1/stocktakes', counter.headers, { locationId: locA, blind: true, note: 'monthly' }),
      201,
    );
    expect(created).toMatchObject({ status: 'counting', siteId: siteA, locationId: locA, blind: true });
    expect(created.number).toMatch(/^ST-\d{4}-\d{4}$/);
    const mine = created.lines.filter((l: Line) => [gauze, gloves].includes(l.itemId));
    expect(mine).toHaveLength(3);
    // Blind: the counters do not see the book.
    expect(mine.every((l: Line) => l.expected === null && l.book === null)).toBe(true);

    // Gauze as a whole (no lot): 14. Gloves by lot: 9, and a lot nobody booked: G2 = 2.
    const counted = await ok(
      await post(`/v1/stocktakes/${created.id}/counts`, counter.headers, {
        counts: [
          { itemId: gauze, quantity: 14 },
          { lineId: lineOf(created, gloves, 'G1').id, quantity: 9 },
          { itemId: gloves, lotNumber: 'G2', expiryDate: '2032-01-31', quantity: 2 },
        ],
      }),
    );
    expect(lineOf(counted, gauze, null)).toMatchObject({ wholeItem: true, counted: 14, variance: null });
    expect(lineOf(counted, gloves, 'G2')).toMatchObject({ added: true, counted: 2 });

    // One way per item-location: a lot count of gauze now clashes with its whole count.
    const clash = await post(`/v1/stocktakes/${created.id}/counts`, counter.headers, {
      counts: [{ lineId: lineOf(created, gauze, 'DEMO-11').id, quantity: 15 }],
    });
    expect(clash.statusCode, clash.body).toBe(409);
    expect(clash.json().code).toBe('stocktake_count_mode_conflict');

    const submitted = await ok(await post(`/v1/stocktakes/${created.id}/submit`, counter.headers));
    expect(submitted.status).toBe('submitted');
    // Review: the book and the variance now show; the whole count's variance lands FEFO (DEMO-12 first).
    expect(lineOf(submitted, gauze, null)).toMatchObject({
      book: 25,
      counted: 14,
      variance: -11,
      varianceValue: -27.5,
      attribution: [
        { lotNumber: 'DEMO-12', quantity: -10 },
        { lotNumber: 'DEMO-11', quantity: -1 },
      ],
    });
    expect(lineOf(submitted, gloves, 'G1')).toMatchObject({
      expected: 8,
      book: 8,
      variance: 1,
      varianceValue: 10,
    });
    expect(lineOf(submitted, gloves, 'G2')).toMatchObject({ book: 0, variance: 2 });
    // Counts are frozen once submitted.
    const late = await post(`/v1/stocktakes/${created.id}/counts`, counter.headers, {
      counts: [{ lineId: lineOf(created, gloves, 'G1').id, quantity: 1 }],
    });
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('stocktake_not_counting');

    // Four eyes: the counter may not approve; a nurse may not approve at all; posting needs approval.
    const self = await post(`/v1/stocktakes/${created.id}/approve`, {
      ...counter.headers,
      'accept-language': 'zh-CN',
    });
    expect(self.statusCode).toBe(403);
    expect(self.json()).toMatchObject({
      code: 'stocktake_self_approval',
      title: '不能审核自己的盘点',
      detail: `盘点单 ${created.number} 由您创建、录入或提交，须由另一位同事审核。`,
    });
    const byNurse = await post(`/v1/stocktakes/${created.id}/approve`, nurse.headers);
    expect(byNurse.statusCode).toBe(403);
    expect(byNurse.json().code).toBe('stocktake_approval_not_allowed');
    const early = await post(`/v1/stocktakes/${created.id}/post`, counter.headers);
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('stocktake_invalid_transition');
    expect(await lotsAt(gauze, locA)).toEqual([
      { lot_number: 'DEMO-11', on_hand: 15 },
      { lot_number: 'DEMO-12', on_hand: 10 },
    ]);

    const approved = await ok(await post(`/v1/stocktakes/${created.id}/approve`, approver.headers));
    expect(approved).toMatchObject({
      status: 'approved',
      approvedBy: approver.id,
      approvedByName: approver.email,
    });
    expect(lineOf(approved, gloves, 'G1').countedByName).toBe(counter.email);
    expect(approved.approvedAt).toEqual(expect.any(String));

    // The count sheet prints as a PDF, in the language asked for.
    const pdf = await t.app.inject({
      method: 'GET',
      url: `/v1/stocktakes/${created.id}/pdf?locale=zh-CN`,
      headers: viewer.headers,
    });
    expect(pdf.statusCode, pdf.body).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-language']).toBe('zh-CN');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(resolve(ARTIFACTS, 'stocktake-sheet.zh-CN.pdf'), pdf.rawPayload);
    expect(pdf.headers['content-disposition']).toContain(`${created.number}.pdf`);
    expect((await get(`/v1/stocktakes/${created.id}/pdf`, limitedToB.headers)).statusCode).toBe(404);

    // Posting, with an Idempotency-Key: a retry gets the first answer and writes nothing.
    const key = { ...counter.headers, 'idempotency-key': `post-${created.id}` };
    const posted = await ok(await post(`/v1/stocktakes/${created.id}/post`, key));
    expect(posted).toMatchObject({ status: 'posted', postedBy: counter.id });
    // Closed: an uncounted line keeps the book it had on the sheet (gauze DEMO-11's 15, counted as a whole).
    expect(lineOf(posted, gauze, 'DEMO-11')).toMatchObject({ counted: null, book: 15, variance: null });
    expect(lineOf(posted, gauze, null)).toMatchObject({ counted: 14, book: 25, variance: -11 });
    const retried = await ok(await post(`/v1/stocktakes/${created.id}/post`, key));
    expect(retried).toEqual(posted);
    // Without the key, a second posting is refused: the session is locked.
    const twice = await post(`/v1/stocktakes/${created.id}/post`, {
      ...approver.headers,
      'accept-language': 'zh-CN',
    });
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({
      code: 'stocktake_invalid_transition',
      detail: `盘点单 ${created.number} 当前状态为“已过账”，现在不能过账。`,
    });
    const twiceEn = await post(`/v1/stocktakes/${created.id}/post`, {
      ...approver.headers,
      'accept-language': 'en',
    });
    expect(twiceEn.json().detail).toBe(`Session ${created.number} is posted; it cannot be posted now.`);

    // Gauze counted 14 without a lot is 14 on hand, taken from the earliest-expiring lot first.
    expect(await lotsAt(gauze, locA)).toEqual([{ lot_number: 'DEMO-11', on_hand: 14 }]);
    expect(await lotsAt(gloves, locA)).toEqual([
      { lot_number: 'G1', on_hand: 9 },
      { lot_number: 'G2', on_hand: 2 },
    ]);
    const rows = await q<{ n: number }>(
      sql`select count(*)::int as n from movements where reference = ${created.number} and type = 'stocktake' and source = 'stocktake'`,
    );
    expect(rows[0]!.n).toBe(5); // gauze: header + 2 lot variances; gloves: 2 lot counts
    expect(posted.summary).toMatchObject({ counted: 3, varianceLines: 3, varianceQuantity: -8 });
    const events = await q<{ type: string }>(
      sql`select type from events where payload->>'id' = ${created.id} order by created_at`,
    );
    expect(events.map((e) => e.type)).toEqual(['stocktake.approved', 'stocktake.posted']);
    // The subscribed endpoint has a delivery of each (the worker sends them after commit).
    const deliveries = await q<{ type: string }>(sql`
      select e.type from webhook_deliveries d join events e on e.id = d.event_id
       where d.endpoint_id = ${hook} and e.payload->>'id' = ${created.id} order by e.created_at`);
    expect(deliveries.map((d) => d.type)).toEqual(['stocktake.approved', 'stocktake.posted']);
  });

  it('a whole count with a surplus puts it on the lot held, not on a new lot-less row', async () => {
    const item = await newItem();
    await receive(item, locA, 15, 'DEMO-11', '2031-01-31');
    const s = await ok(await post('/v1/stocktakes', counter.headers, { locationId: locA }), 201);
    expect(lineOf(s, item, 'DEMO-11').expected).toBe(15);
    await ok(
      await post(`/v1/stocktakes/${s.id}/counts`, counter.headers, {
        counts: [{ itemId: item, quantity: 16 }],
      }),
    );
    await ok(await post(`/v1/stocktakes/${s.id}/submit`, counter.headers));
    await ok(await post(`/v1/stocktakes/${s.id}/approve`, approver.headers));
    await ok(await post(`/v1/stocktakes/${s.id}/post`, approver.headers));
    expect(await lotsAt(item, locA)).toEqual([{ lot_number: 'DEMO-11', on_hand: 16 }]);
  });

  it('posting writes everything or nothing', async () => {
    const b2 = await ok(
      await post(`/v1/sites/${siteB}/locations`, owner.headers, {
        code: `B2-${n++}`,
        name: 'Theatre B2',
        kind: 'theatre',
      }),
      201,
    );
    const item = await newItem();
    const other = await newItem();
    await receive(other, locB, 5, 'B1', '2031-01-31');
    await receive(item, b2.id, 5, 'A1', '2031-01-31');
    const s = await ok(await post('/v1/stocktakes', counter.headers, { siteId: siteB }), 201);
    // Each location of a site-wide session prints its own sheet; a location elsewhere is refused.
    const sheet = await get(`/v1/stocktakes/${s.id}/pdf?locationId=${b2.id}&locale=en`, counter.headers);
    expect(sheet.statusCode, sheet.body).toBe(200);
    expect(sheet.headers['content-disposition']).toContain(`${s.number}-${b2.id.slice(0, 8)}.pdf`);
    const elsewhere = await get(`/v1/stocktakes/${s.id}/pdf?locationId=${locA}`, counter.headers);
    expect(elsewhere.statusCode).toBe(422);
    expect(elsewhere.json().code).toBe('stocktake_location_outside');
    // A session of a whole site needs each count's location.
    const where = await post(`/v1/stocktakes/${s.id}/counts`, counter.headers, {
      counts: [{ itemId: other, lotNumber: 'B1', quantity: 4 }],
    });
    expect(where.statusCode).toBe(422);
    expect(where.json().code).toBe('stocktake_location_required');
    // Counted one after the other: B1 at the central store posts first, A1 at B2 second.
    await ok(
      await post(`/v1/stocktakes/${s.id}/counts`, counter.headers, {
        counts: [{ locationId: locB, itemId: other, lotNumber: 'B1', quantity: 4 }],
      }),
    );
    await ok(
      await post(`/v1/stocktakes/${s.id}/counts`, counter.headers, {
        counts: [{ locationId: b2.id, itemId: item, lotNumber: 'A1', quantity: 7 }],
      }),
    );
    await ok(await post(`/v1/stocktakes/${s.id}/submit`, counter.headers));
    await ok(await post(`/v1/stocktakes/${s.id}/approve`, approver.headers));
    // B2 is deactivated meanwhile: its count cannot be posted, and so the first is not either.
    await q(sql`update locations set active = false where id = ${b2.id}`);
    const refused = await post(`/v1/stocktakes/${s.id}/post`, approver.headers);
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json().code).toBe('location_inactive');
    expect((await ok(await get(`/v1/stocktakes/${s.id}`, owner.headers))).status).toBe('approved');
    expect(await q(sql`select 1 from movements where reference = ${s.number}`)).toEqual([]);
    expect(await lotsAt(other, locB)).toEqual([{ lot_number: 'B1', on_hand: 5 }]);
    await q(sql`update locations set active = true where id = ${b2.id}`);
    await ok(await post(`/v1/stocktakes/${s.id}/post`, approver.headers));
    expect(await lotsAt(other, locB)).toEqual([{ lot_number: 'B1', on_hand: 4 }]);
    expect(await lotsAt(item, b2.id)).toEqual([{ lot_number: 'A1', on_hand: 7 }]);
  });

  it('two posts at once: one posts, the other is refused, nothing is written twice', async () => {
    const item = await newItem();
    await receive(item, locA, 6, 'P1', '2031-01-31');
    const s = await ok(await post('/v1/stocktakes', counter.headers, { locationId: locA }), 201);
    await ok(
      await post(`/v1/stocktakes/${s.id}/counts`, counter.headers, {
        counts: [{ itemId: item, lotNumber: 'P1', quantity: 4 }],
      }),
    );
    await ok(await post(`/v1/stocktakes/${s.id}/submit`, counter.headers));
    await ok(await post(`/v1/stocktakes/${s.id}/approve`, approver.headers));
    const both = await Promise.all([
      post(`/v1/stocktakes/${s.id}/post`, counter.headers),
      post(`/v1/stocktakes/${s.id}/post`, approver.headers),
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(await lotsAt(item, locA)).toEqual([{ lot_number: 'P1', on_hand: 4 }]);
    const rows = await q(sql`select 1 from movements where reference = ${s.number}`);
    expect(rows).toHaveLength(1);
  });

  it('counts are dated when counted: a later issue stays on top, one that the count cannot cover is refused', async () => {
    const item = await newItem();
    await receive(item, locA, 10, 'D1', '2031-01-31');
    const s = await ok(await post('/v1/stocktakes', counter.headers, { locationId: locA }), 201);
    await ok(
      await post(`/v1/stocktakes/${s.id}/counts`, counter.headers, {
        counts: [{ itemId: item, lotNumber: 'D1', quantity: 8 }],
      }),
    );
    // Issued after the count, before posting: 3 leave the shelf.
    await ok(
      await post('/v1/movements', owner.headers, {
        type: 'issue',
        itemId: item,
        locationId: locA,
        quantity: 3,
      }),
      201,
    );
    await ok(await post(`/v1/stocktakes/${s.id}/submit`, counter.headers));
    const review = await ok(await get(`/v1/stocktakes/${s.id}`, owner.headers));
    expect(lineOf(review, item, 'D1')).toMatchObject({ book: 10, counted: 8, variance: -2 });
    await ok(await post(`/v1/stocktakes/${s.id}/approve`, approver.headers));
    await ok(await post(`/v1/stocktakes/${s.id}/post`, approver.headers));
    // 8 counted, then 3 issued: 5 on hand, not 8.
    expect(await lotsAt(item, locA)).toEqual([{ lot_number: 'D1', on_hand: 5 }]);

    // A count of 1, then 3 issued after it: the ledger cannot go below zero, so nothing posts.
    const again = await ok(await post('/v1/stocktakes', counter.headers, { locationId: locA }), 201);
    await ok(
      await post(`/v1/stocktakes/${again.id}/counts`, counter.headers, {
        counts: [{ itemId: item, lotNumber: 'D1', quantity: 1 }],
      }),
    );
    await ok(
      await post('/v1/movements', owner.headers, {
        type: 'issue',
        itemId: item,
        locationId: locA,
        quantity: 3,
      }),
      201,
    );
    await ok(await post(`/v1/stocktakes/${again.id}/submit`, counter.headers));
    await ok(await post(`/v1/stocktakes/${again.id}/approve`, approver.headers));
    const refused = await post(`/v1/stocktakes/${again.id}/post`, approver.headers);
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json().code).toBe('insufficient_stock');
    expect((await ok(await get(`/v1/stocktakes/${again.id}`, owner.headers))).status).toBe('approved');
    expect(await lotsAt(item, locA)).toEqual([{ lot_number: 'D1', on_hand: 2 }]);
  });

  it('reopens for a recount and cancels with a reason', async () => {
    const item = await newItem();
    await receive(item, locA, 3, 'R1', '2031-01-31');
    const s = await ok(await post('/v1/stocktakes', counter.headers, { locationId: locA }), 201);
    await ok(
      await post(`/v1/stocktakes/${s.id}/counts`, counter.headers, {
        counts: [{ itemId: item, lotNumber: 'R1', quantity: 1 }],
      }),
    );
    const empty = await post(
      `/v1/stocktakes/${(await ok(await post('/v1/stocktakes', counter.headers, { locationId: locA }), 201)).id}/submit`,
      counter.headers,
    );
    expect(empty.statusCode).toBe(422);
    expect(empty.json().code).toBe('stocktake_nothing_counted');
    await ok(await post(`/v1/stocktakes/${s.id}/submit`, counter.headers));
    const reopened = await ok(await post(`/v1/stocktakes/${s.id}/reopen`, approver.headers));
    expect(reopened).toMatchObject({ status: 'counting', submittedAt: null });
    const noReason = await post(`/v1/stocktakes/${s.id}/cancel`, counter.headers, {});
    expect(noReason.statusCode).toBe(400);
    const cancelled = await ok(
      await post(`/v1/stocktakes/${s.id}/cancel`, counter.headers, { reason: 'wrong ward' }),
    );
    expect(cancelled).toMatchObject({
      status: 'cancelled',
      cancelReason: 'wrong ward',
      cancelledBy: counter.id,
    });
    const again = await post(`/v1/stocktakes/${s.id}/post`, approver.headers);
    expect(again.statusCode).toBe(409);
    expect(await lotsAt(item, locA)).toEqual([{ lot_number: 'R1', on_hand: 3 }]);
  });

  it('a cycle count lists only the items of the classes asked for (ABC by consumption value)', async () => {
    const site = await ok(
      await post('/v1/sites', owner.headers, { code: `ABC${n++}`, name: 'ABC clinic' }),
      201,
    );
    const { locationId } = await centralStore(t, owner.headers, site.id);
    const dear = await newItem(100);
    const cheap = await newItem(1);
    const idle = await newItem(5);
    for (const [item, qty] of [
      [dear, 50],
      [cheap, 50],
      [idle, 50],
    ] as const)
      await receive(item, locationId, qty, `L-${item.slice(0, 4)}`, '2031-01-31');
    // Consumption value: dear 10 × 100 = 1000 (A), cheap 20 × 1 = 20 (B), idle never issued (C).
    await ok(
      await post('/v1/movements', owner.headers, { type: 'issue', itemId: dear, locationId, quantity: 10 }),
      201,
    );
    await ok(
      await post('/v1/movements', owner.headers, { type: 'issue', itemId: cheap, locationId, quantity: 20 }),
      201,
    );
    const a = await ok(await post('/v1/stocktakes', counter.headers, { locationId, abcClasses: ['A'] }), 201);
    expect(a.lines.map((l: Line & { abcClass: string }) => [l.itemId, l.abcClass])).toEqual([[dear, 'A']]);
    const bc = await ok(
      await post('/v1/stocktakes', counter.headers, { locationId, abcClasses: ['B', 'C'] }),
      201,
    );
    expect(new Set(bc.lines.map((l: Line) => l.itemId))).toEqual(new Set([cheap, idle]));
    expect(bc.abcClasses).toEqual(['B', 'C']);
  });
});

describe('roles and site limits', () => {
  it('a purchaser or viewer cannot create or count; a viewer reads', async () => {
    expect((await post('/v1/stocktakes', purchaser.headers, { locationId: locA })).statusCode).toBe(403);
    const s = await ok(await post('/v1/stocktakes', nurse.headers, { locationId: locA }), 201);
    expect((await post(`/v1/stocktakes/${s.id}/cancel`, viewer.headers, { reason: 'x' })).statusCode).toBe(
      403,
    );
    expect((await ok(await get(`/v1/stocktakes/${s.id}`, viewer.headers))).id).toBe(s.id);
  });

  it('a stock:write API key counts but does not approve; an admin key approves', async () => {
    const key = async (scopes: string[]) => {
      const r = await ok(await post('/v1/api-keys', owner.headers, { name: `st ${n++}`, scopes }), 201);
      return { authorization: `Bearer ${r.key}` };
    };
    const writer = await key(['read', 'stock:write']);
    const admin = await key(['read', 'stock:write', 'admin']);
    const item = await newItem();
    await receive(item, locA, 2, 'K1', '2031-01-31');
    const s = await ok(await post('/v1/stocktakes', writer, { locationId: locA }), 201);
    await ok(
      await post(`/v1/stocktakes/${s.id}/counts`, writer, {
        counts: [{ itemId: item, lotNumber: 'K1', quantity: 2 }],
      }),
    );
    await ok(await post(`/v1/stocktakes/${s.id}/submit`, writer));
    const refused = await post(`/v1/stocktakes/${s.id}/approve`, writer);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('stocktake_approval_not_allowed');
    const approved = await ok(await post(`/v1/stocktakes/${s.id}/approve`, admin));
    expect(approved.approvedByName).toMatch(/^st \d+$/);
  });

  it("a user limited to site B neither sees nor touches site A's sessions", async () => {
    const a = await ok(await post('/v1/stocktakes', owner.headers, { locationId: locA }), 201);
    expect((await get(`/v1/stocktakes/${a.id}`, limitedToB.headers)).statusCode).toBe(404);
    for (const action of ['submit', 'approve', 'post', 'reopen'])
      expect((await post(`/v1/stocktakes/${a.id}/${action}`, limitedToB.headers)).statusCode).toBe(404);
    expect(
      (
        await post(`/v1/stocktakes/${a.id}/counts`, limitedToB.headers, {
          counts: [{ lineId: a.id, quantity: 1 }],
        })
      ).statusCode,
    ).toBe(404);
    expect((await post('/v1/stocktakes', limitedToB.headers, { locationId: locA })).statusCode).toBe(404);
    expect((await post('/v1/stocktakes', limitedToB.headers, { siteId: siteA })).statusCode).toBe(404);
    const own = await ok(await post('/v1/stocktakes', limitedToB.headers, { siteId: siteB }), 201);
    const list = await ok(await get('/v1/stocktakes?limit=500', limitedToB.headers));
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.every((s: { siteId: string }) => s.siteId === siteB)).toBe(true);
    expect(list.items.map((s: { id: string }) => s.id)).toContain(own.id);
    const all = await ok(await get(`/v1/stocktakes?siteId=${siteA}`, owner.headers));
    expect(all.items.map((s: { id: string }) => s.id)).toContain(a.id);
    // A count at a location outside the session is refused.
    const outside = await post(`/v1/stocktakes/${own.id}/counts`, limitedToB.headers, {
      counts: [{ locationId: locA, itemId: a.id, quantity: 1 }],
    });
    expect(outside.statusCode, outside.body).toBe(422);
    expect(outside.json().code).toBe('stocktake_location_outside');
  });

  it('pages through sessions newest first', async () => {
    const first = await ok(await get('/v1/stocktakes?limit=2', owner.headers));
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const next = await ok(await get(`/v1/stocktakes?limit=2&cursor=${first.nextCursor}`, owner.headers));
    const ids = [...first.items, ...next.items].map((s: { id: string }) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(first.items[0].createdAt >= next.items[0].createdAt).toBe(true);
  });
});
