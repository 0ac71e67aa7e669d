import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { type AddedMember, addMember } from './support/members.ts';
import { tenantQuery } from './support/purchasing-fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * A supplier recalls lot L: one action holds every unit of it at every site (not issuable, not
 * available, may be returned or written off, stock of L arriving later is held too), the trace
 * lists where it lies and which departments, patients and procedures received it, and the release
 * (with a reason) gives back exactly what the recall held. Roles and site limits.
 */
type Headers = Record<string, string>;

let t: TestApp;
let owner: SignedUp;
let keeperA: AddedMember;
let nurse: AddedMember;
let viewerA: AddedMember;
let purchaser: AddedMember;
let siteA: string;
let storeA: string;
let siteB: string;
let storeB: string;
let ward: string;
let item: string;
let other: string;

const post = (url: string, payload: unknown, headers: Headers = owner.headers) =>
  t.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });
const get = (url: string, headers: Headers = owner.headers) => t.app.inject({ method: 'GET', url, headers });
const move = async (body: Record<string, unknown>, headers: Headers = owner.headers) =>
  post('/v1/movements', { itemId: item, locationId: storeA, ...body }, headers);
async function stockAt(locationId: string) {
  const rows = (await get(`/v1/stock?itemId=${item}&locationId=${locationId}&groupBy=location`)).json().items;
  return rows[0] as { onHand: number; held: number; available: number };
}

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
  owner = await signUp(t);
  ({ siteId: siteA, locationId: storeA } = await centralStore(t, owner.headers));
  siteB = (await post('/v1/sites', { code: 'RB', name: 'Site B' })).json().id;
  ({ locationId: storeB } = await centralStore(t, owner.headers, siteB));
  ward = (
    await post('/v1/departments', { siteId: siteA, code: 'ORTHO', name: '骨科', costCentre: 'CC-ORTHO' })
  ).json().id;
  item = await insertItem(t, owner.organizationId, { code: 'IMPLANT-1', unitCost: 800 });
  other = await insertItem(t, owner.organizationId, { code: 'IMPLANT-2' });
  [keeperA, nurse, viewerA, purchaser] = await Promise.all([
    addMember(t, owner.headers, 'storekeeper', [siteA]),
    addMember(t, owner.headers, 'nurse'),
    addMember(t, owner.headers, 'viewer', [siteA]),
    addMember(t, owner.headers, 'purchaser'),
  ]);
  // Lot L at both sites, a good lot G beside it at A; some of L already went to a patient of the
  // orthopaedic department and into a procedure.
  for (const [lot, qty, loc] of [
    ['L-2026-07', 12, storeA],
    ['G-2026-09', 5, storeA],
    ['L-2026-07', 4, storeB],
  ] as const) {
    const r = await move({
      type: 'receipt',
      quantity: qty,
      lotNumber: lot,
      expiryDate: '2028-07-31',
      locationId: loc,
    });
    expect(r.statusCode, r.body).toBe(201);
  }
  const issued = await move({
    type: 'issue',
    quantity: 2,
    lotNumber: 'L-2026-07',
    departmentId: ward,
    patientRef: 'MRN-778899',
  });
  expect(issued.statusCode, issued.body).toBe(201);
  const type = await post('/v1/procedure-types', {
    code: 'TKA',
    nameZh: '全膝关节置换',
    nameEn: 'Total knee replacement',
    kit: [{ itemId: item, quantity: 1 }],
  });
  expect(type.statusCode, type.body).toBe(201);
  const sp = await post('/v1/scheduled-procedures', {
    procedureTypeId: type.json().id,
    locationId: storeA,
    scheduledFor: '2026-12-01',
    externalRef: 'HIS-OP-42',
  });
  expect(sp.statusCode, sp.body).toBe(201);
  // FEFO takes L (same expiry as G, received first).
  const done = await post(`/v1/scheduled-procedures/${sp.json().id}/complete`, {});
  expect(done.statusCode, done.body).toBe(200);
  const hook = await post('/v1/webhooks', { url: 'http://127.0.0.1:9/recalls', events: ['recall.opened'] });
  expect(hook.statusCode, hook.body).toBe(201);
});

afterAll(async () => t?.close());

describe('a lot recall', () => {
  let recallId: string;

  it('only a store or purchasing user with every site opens one', async () => {
    const body = { itemId: item, lotNumber: 'L-2026-07', reason: '厂家召回：包装密封不良' };
    expect((await post('/v1/recalls', body, nurse.headers)).statusCode).toBe(403);
    expect((await post('/v1/recalls', body, viewerA.headers)).statusCode).toBe(403);
    const limited = await post('/v1/recalls', body, keeperA.headers);
    expect(limited.statusCode).toBe(403);
    expect(limited.json().code).toBe('all_sites_required');
    const unknown = await post('/v1/recalls', { ...body, lotNumber: 'NOPE' }, purchaser.headers);
    expect(unknown.json().code).toBe('unknown_lot');
    expect((await post('/v1/recalls', { ...body, reason: ' ' }, purchaser.headers)).statusCode).toBe(400);
  });

  it('quarantines the lot everywhere in one action and traces where it went', async () => {
    const r = await post(
      '/v1/recalls',
      {
        itemId: item,
        lotNumber: 'L-2026-07',
        reason: '厂家召回：包装密封不良',
        supplierReference: 'RC-2026-118',
      },
      purchaser.headers,
    );
    expect(r.statusCode, r.body).toBe(201);
    const recall = r.json();
    recallId = recall.id;
    expect(recall).toMatchObject({
      status: 'open',
      openedBy: purchaser.id,
      heldUnits: 9 + 4,
      lotNumber: 'L-2026-07',
    });
    expect(
      recall.trace.locations.map((l: { locationId: string; onHand: number; held: number }) => [
        l.locationId,
        l.onHand,
        l.held,
      ]),
    ).toEqual(
      expect.arrayContaining([
        [storeA, 9, 9],
        [storeB, 4, 4],
      ]),
    );
    expect(recall.trace.departments).toEqual([
      expect.objectContaining({
        departmentId: ward,
        departmentName: '骨科',
        costCentre: 'CC-ORTHO',
        quantity: 2,
      }),
    ]);
    expect(recall.trace.patients).toEqual([
      expect.objectContaining({ patientRef: 'MRN-778899', departmentName: '骨科', quantity: 2 }),
    ]);
    expect(recall.trace.procedures).toEqual([
      expect.objectContaining({
        procedureCode: 'TKA',
        externalRef: 'HIS-OP-42',
        quantity: 1,
        scheduledFor: '2026-12-01',
      }),
    ]);
    expect(recall.trace.receipts).toHaveLength(2);
    const events = await tenantQuery<{ n: number; deliveries: number }>(
      t,
      owner.organizationId,
      sql`select count(*)::int as n, (select count(*)::int from webhook_deliveries d where d.event_id = any(array_agg(e.id))) as deliveries
            from events e where e.type = 'recall.opened' and e.payload->>'recallId' = ${recallId}`,
    );
    expect(events[0]).toEqual({ n: 1, deliveries: 1 });
    const twice = await post('/v1/recalls', { itemId: item, lotNumber: 'L-2026-07', reason: 'again' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('recall_already_open');
  });

  it('quarantined stock is not issued, not transferred and not available; it may be returned or written off', async () => {
    const named = await move({ type: 'issue', quantity: 1, lotNumber: 'L-2026-07' });
    expect(named.statusCode).toBe(409);
    expect(named.json().code).toBe('lot_quarantined');
    // First expiry first out passes over the held lot: 5 of G can go, 6 cannot.
    const fefo = await move({ type: 'issue', quantity: 6 });
    expect(fefo.statusCode).toBe(409);
    expect(fefo.json().code).toBe('insufficient_stock');
    const transfer = await move({
      type: 'transfer',
      toLocationId: storeB,
      quantity: 1,
      lotNumber: 'L-2026-07',
    });
    expect(transfer.statusCode).toBe(409);
    expect(await stockAt(storeA)).toMatchObject({ onHand: 14, held: 9, available: 5 });
    const writeOff = await move({
      type: 'write_off',
      quantity: 1,
      lotNumber: 'L-2026-07',
      writeOffReason: 'other',
      reason: '召回批次销毁',
    });
    expect(writeOff.statusCode, writeOff.body).toBe(201);
    // More of the recalled lot arriving is held as it comes in.
    const late = await move({
      type: 'receipt',
      quantity: 3,
      lotNumber: 'L-2026-07',
      expiryDate: '2028-07-31',
    });
    expect(late.statusCode, late.body).toBe(201);
    expect(await stockAt(storeA)).toMatchObject({ onHand: 16, held: 11, available: 5 });
    // A requisition's pick list leaves the held units out.
    const req = await post('/v1/requisitions', {
      departmentId: ward,
      sourceLocationId: storeA,
      lines: [{ itemId: item, quantity: 7 }],
    });
    await post(`/v1/requisitions/${req.json().id}/approve`, {});
    const pick = (await get(`/v1/requisitions/${req.json().id}/pick-list`)).json();
    expect(pick.lines[0]).toMatchObject({ shortfall: 2, quarantinedUnits: 11 });
    expect(pick.lines[0].picks).toEqual([{ lotNumber: 'G-2026-09', expiryDate: '2028-07-31', quantity: 5 }]);
  });

  it('a site-limited reader traces within their sites', async () => {
    const mine = (await get(`/v1/recalls/${recallId}`, viewerA.headers)).json();
    expect(mine.trace.locations.map((l: { siteId: string }) => l.siteId)).toEqual([siteA]);
    expect(mine.heldUnits).toBe(11);
    const all = (await get(`/v1/recalls/${recallId}`)).json();
    expect(all.heldUnits).toBe(15);
    const trace = await get(`/v1/lots/trace?itemId=${item}&lotNumber=L-2026-07`, viewerA.headers);
    expect(trace.statusCode, trace.body).toBe(200);
    expect(trace.json()).toMatchObject({
      lotNumber: 'L-2026-07',
      onHand: 11,
      held: 11,
      recall: { id: recallId },
    });
    expect((await get(`/v1/lots/trace?itemId=${other}&lotNumber=L-2026-07`)).statusCode).toBe(404);
    const list = (await get('/v1/recalls?status=open', viewerA.headers)).json().items;
    expect(list.map((x: { id: string }) => x.id)).toEqual([recallId]);
  });

  it('is released with a reason, giving back exactly what it held', async () => {
    // An inspection hold of 2 on site B's row stays through the release.
    await tenantQuery(
      t,
      owner.organizationId,
      sql`update recall_holds set added = added - 2 where location_id = ${storeB}`,
    );
    expect((await post(`/v1/recalls/${recallId}/release`, {}, purchaser.headers)).statusCode).toBe(400);
    expect((await post(`/v1/recalls/${recallId}/release`, { reason: 'x' }, keeperA.headers)).statusCode).toBe(
      403,
    );
    const released = await post(
      `/v1/recalls/${recallId}/release`,
      { reason: '厂家确认本院批次不受影响' },
      { ...purchaser.headers, 'accept-language': 'zh-CN' },
    );
    expect(released.statusCode, released.body).toBe(200);
    expect(released.json()).toMatchObject({
      status: 'released',
      releasedBy: purchaser.id,
      releaseReason: '厂家确认本院批次不受影响',
      heldUnits: 2,
    });
    expect(await stockAt(storeA)).toMatchObject({ onHand: 16, held: 0, available: 16 });
    expect(await stockAt(storeB)).toMatchObject({ onHand: 4, held: 2 });
    const issue = await move({ type: 'issue', quantity: 1, lotNumber: 'L-2026-07' });
    expect(issue.statusCode, issue.body).toBe(201);
    const again = await post(
      `/v1/recalls/${recallId}/release`,
      { reason: 'again' },
      { ...purchaser.headers, 'accept-language': 'zh-CN' },
    );
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'recall_not_open', title: '召回已解除' });
    const events = await tenantQuery<{ n: number }>(
      t,
      owner.organizationId,
      sql`select count(*)::int as n from events where type = 'recall.released' and payload->>'recallId' = ${recallId}`,
    );
    expect(events[0]!.n).toBe(1);
    // The lot can be recalled again later.
    const reopened = await post('/v1/recalls', { itemId: item, lotNumber: 'L-2026-07', reason: '二次召回' });
    expect(reopened.statusCode).toBe(201);
    expect(reopened.json().heldUnits).toBe(10 + 4);
  });
});
