import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { type AddedMember, addMember } from './support/members.ts';
import { tenantQuery } from './support/purchasing-fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Ward requisitions (科室申领): a department asks, the store approves (whole, adjusted or
 * rejected), picks first expiry first out and issues in one transaction — partially, the rest
 * staying open — to the department and its cost centre; fixed-quantity packs are replenished by
 * scanning an opened pack. Roles (a nurse asks, the store gives) and site limits.
 */
type Headers = Record<string, string>;

let t: TestApp;
let owner: SignedUp;
let nurse: AddedMember;
let keeper: AddedMember;
let viewer: AddedMember;
let purchaser: AddedMember;
let keeperB: AddedMember;
let adminA: AddedMember;
let siteA: string;
let store: string;
let siteB: string;
let storeB: string;
let ward: string;
let wardB: string;
let n = 0;

const post = (url: string, payload: unknown, headers: Headers = owner.headers) =>
  t.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });
const get = (url: string, headers: Headers = owner.headers) => t.app.inject({ method: 'GET', url, headers });

async function receive(
  itemId: string,
  quantity: number,
  lotNumber: string,
  expiryDate: string,
  locationId = store,
) {
  const r = await post('/v1/movements', {
    type: 'receipt',
    itemId,
    locationId,
    quantity,
    lotNumber,
    expiryDate,
  });
  expect(r.statusCode, r.body).toBe(201);
}
async function newItem() {
  return insertItem(t, owner.organizationId, { code: `RQ-${n++}`, packUnits: [{ code: 'box', factor: 10 }] });
}
async function submit(
  lines: { itemId: string; quantity: number; unit?: string }[],
  headers: Headers = nurse.headers,
) {
  const r = await post('/v1/requisitions', { departmentId: ward, sourceLocationId: store, lines }, headers);
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
  owner = await signUp(t);
  ({ siteId: siteA, locationId: store } = await centralStore(t, owner.headers));
  const b = await post('/v1/sites', { code: 'SB', name: 'Site B' });
  expect(b.statusCode, b.body).toBe(201);
  siteB = b.json().id;
  ({ locationId: storeB } = await centralStore(t, owner.headers, siteB));
  const d = await post('/v1/departments', {
    siteId: siteA,
    code: 'W3',
    name: '三病区',
    costCentre: 'CC-3010',
  });
  expect(d.statusCode, d.body).toBe(201);
  ward = d.json().id;
  const dB = await post('/v1/departments', { siteId: siteB, code: 'B-ICU', name: 'ICU B' });
  expect(dB.statusCode, dB.body).toBe(201);
  wardB = dB.json().id;
  [nurse, keeper, viewer, purchaser, keeperB, adminA] = await Promise.all([
    addMember(t, owner.headers, 'nurse', [siteA]),
    addMember(t, owner.headers, 'storekeeper', [siteA]),
    addMember(t, owner.headers, 'viewer'),
    addMember(t, owner.headers, 'purchaser'),
    addMember(t, owner.headers, 'storekeeper', [siteB]),
    addMember(t, owner.headers, 'admin', [siteA]),
  ]);
});

afterAll(async () => t?.close());

describe('departments', () => {
  it('are master data with a cost centre, limited to the caller’s sites', async () => {
    const dup = await post('/v1/departments', { siteId: siteA, code: 'W3', name: 'again' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('department_code_taken');
    const elsewhere = await post('/v1/departments', {
      siteId: siteA,
      code: 'W9',
      name: 'x',
      locationId: storeB,
    });
    expect(elsewhere.statusCode).toBe(422);
    expect(elsewhere.json().code).toBe('department_location_elsewhere');
    expect(
      (await post('/v1/departments', { siteId: siteA, code: 'W8', name: 'x' }, keeper.headers)).statusCode,
    ).toBe(403);
    const mine = (await get('/v1/departments', keeper.headers))
      .json()
      .items.map((x: { code: string }) => x.code);
    expect(mine).toContain('W3');
    expect(mine).not.toContain('B-ICU');
    const all = (await get('/v1/departments')).json().items.map((x: { code: string }) => x.code);
    expect(all).toEqual(expect.arrayContaining(['W3', 'B-ICU']));
    const renamed = await t.app.inject({
      method: 'PATCH',
      url: `/v1/departments/${wardB}`,
      headers: adminA.headers,
      payload: { name: 'not yours' },
    });
    expect(renamed.statusCode).toBe(404);
    const inB = await post('/v1/departments', { siteId: siteB, code: 'B-2', name: 'x' }, adminA.headers);
    expect(inB.statusCode).toBe(404);
    const costCentre = await t.app.inject({
      method: 'PATCH',
      url: `/v1/departments/${ward}`,
      headers: adminA.headers,
      payload: { costCentre: 'CC-3010' },
    });
    expect(costCentre.json()).toMatchObject({ code: 'W3', costCentre: 'CC-3010' });
  });
});

describe('a requisition from request to issue', () => {
  it('is approved with adjusted quantities, picked FEFO and issued in parts to the department', async () => {
    const gauze = await newItem();
    const gloves = await newItem();
    await receive(gauze, 30, 'G-LATE', '2029-06-30');
    await receive(gauze, 10, 'G-SOON', '2027-06-30');
    await receive(gloves, 50, 'GL-1', '2028-01-31');
    const hook = await post('/v1/webhooks', {
      url: 'http://127.0.0.1:9/hooks/req',
      events: ['requisition.submitted', 'requisition.approved', 'requisition.issued'],
    });
    expect(hook.statusCode, hook.body).toBe(201);

    // The nurse asks for 2 boxes of gauze (20) and 15 gloves.
    const req = await submit([
      { itemId: gauze, quantity: 2, unit: 'box' },
      { itemId: gloves, quantity: 15 },
    ]);
    expect(req).toMatchObject({
      status: 'submitted',
      requestedBy: nurse.id,
      departmentName: '三病区',
      costCentre: 'CC-3010',
    });
    expect(req.number).toMatch(/^REQ-\d{6}$/);
    expect(req.lines.map((l: { requested: number }) => l.requested)).toEqual([20, 15]);
    const [gauzeLine, glovesLine] = req.lines;

    // The nurse cannot approve her own ward's request; the store can, adjusting gloves to 10.
    const byNurse = await post(`/v1/requisitions/${req.id}/approve`, {}, nurse.headers);
    expect(byNurse.statusCode).toBe(403);
    expect(byNurse.json().detail).toMatch(/nurse/i);
    const approved = await post(
      `/v1/requisitions/${req.id}/approve`,
      { lines: [{ lineId: glovesLine.id, quantity: 10, reason: '科室基数已满' }] },
      keeper.headers,
    );
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', approvedBy: keeper.id });
    expect(approved.json().lines.map((l: { approved: number }) => l.approved)).toEqual([20, 10]);
    expect(approved.json().lines[1].adjustReason).toBe('科室基数已满');
    const again = await post(`/v1/requisitions/${req.id}/approve`, {}, keeper.headers);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      code: 'requisition_status',
      params: { requisitionStatus: 'approved' },
    });

    // Pick list: the lot expiring first comes first.
    const pick = await get(`/v1/requisitions/${req.id}/pick-list`, keeper.headers);
    expect(pick.statusCode, pick.body).toBe(200);
    const gauzePick = pick.json().lines.find((l: { lineId: string }) => l.lineId === gauzeLine.id);
    expect(gauzePick.picks).toEqual([
      { lotNumber: 'G-SOON', expiryDate: '2027-06-30', quantity: 10 },
      { lotNumber: 'G-LATE', expiryDate: '2029-06-30', quantity: 10 },
    ]);
    expect(gauzePick.shortfall).toBe(0);

    // Part one: all the gauze as picked, 4 gloves; the rest stays open.
    const key = { ...keeper.headers, 'idempotency-key': `issue-${req.id}-1` };
    const part1 = {
      lines: [
        { lineId: gauzeLine.id, quantity: 10, lotNumber: 'G-SOON' },
        { lineId: gauzeLine.id, quantity: 10, lotNumber: 'G-LATE' },
        { lineId: glovesLine.id, quantity: 4 },
      ],
    };
    const issued1 = await post(`/v1/requisitions/${req.id}/issue`, part1, key);
    expect(issued1.statusCode, issued1.body).toBe(200);
    expect(issued1.json()).toMatchObject({
      status: 'partially_issued',
      lastIssuedBy: keeper.id,
      closedAt: null,
    });
    expect(issued1.json().lines.map((l: { remaining: number }) => l.remaining)).toEqual([0, 6]);
    // A retry with the same key replays the answer and issues nothing twice.
    const replay = await post(`/v1/requisitions/${req.id}/issue`, part1, key);
    expect(replay.statusCode).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    // Without the key, the same quantities are more than is left.
    const over = await post(`/v1/requisitions/${req.id}/issue`, part1, keeper.headers);
    expect(over.statusCode).toBe(409);
    expect(over.json()).toMatchObject({ code: 'requisition_over_issue', params: { remaining: 0 } });

    const issues = await tenantQuery<{
      department_id: string;
      cost_centre: string;
      quantity: string;
      lot: string;
    }>(
      t,
      owner.organizationId,
      sql`select m.department_id, m.cost_centre, m.quantity::text, lo.lot_number as lot from movements m join lots lo on lo.id = m.lot_id
           where m.requisition_id = ${req.id} order by m.id`,
    );
    expect(issues).toEqual([
      { department_id: ward, cost_centre: 'CC-3010', quantity: '-10', lot: 'G-SOON' },
      { department_id: ward, cost_centre: 'CC-3010', quantity: '-10', lot: 'G-LATE' },
      { department_id: ward, cost_centre: 'CC-3010', quantity: '-4', lot: 'GL-1' },
    ]);
    const onHand = (await get(`/v1/stock?itemId=${gauze}&groupBy=item`)).json().items[0].onHand;
    expect(onHand).toBe(20);

    // Part two closes it.
    const issued2 = await post(
      `/v1/requisitions/${req.id}/issue`,
      { lines: [{ lineId: glovesLine.id, quantity: 6 }] },
      keeper.headers,
    );
    expect(issued2.statusCode, issued2.body).toBe(200);
    expect(issued2.json().status).toBe('issued');
    expect(issued2.json().closedAt).not.toBeNull();
    expect(issued2.json().issues).toHaveLength(4);
    const closed = await post(`/v1/requisitions/${req.id}/issue`, {
      lines: [{ lineId: glovesLine.id, quantity: 1 }],
    });
    expect(closed.statusCode).toBe(409);

    const events = await tenantQuery<{ type: string; n: number }>(
      t,
      owner.organizationId,
      sql`select e.type, count(*)::int as n from events e where e.payload->>'requisitionId' = ${req.id}
           group by e.type order by e.type`,
    );
    expect(events).toEqual([
      { type: 'movement.created', n: 3 + 1 },
      { type: 'requisition.approved', n: 1 },
      { type: 'requisition.issued', n: 2 },
      { type: 'requisition.submitted', n: 1 },
    ]);
    const deliveries = await tenantQuery<{ n: number }>(
      t,
      owner.organizationId,
      sql`select count(*)::int as n from webhook_deliveries d join events e on e.id = d.event_id
           where e.payload->>'requisitionId' = ${req.id}`,
    );
    expect(deliveries[0]!.n).toBe(4);
  });

  it('refuses an issue the stock cannot cover and leaves nothing half-written', async () => {
    const item = await newItem();
    await receive(item, 5, 'S-1', '2028-03-31');
    const req = await submit([{ itemId: item, quantity: 8 }]);
    await post(`/v1/requisitions/${req.id}/approve`, {}, keeper.headers);
    const pick = (await get(`/v1/requisitions/${req.id}/pick-list`, keeper.headers)).json();
    expect(pick.lines[0]).toMatchObject({ remaining: 8, shortfall: 3 });
    const short = await post(
      `/v1/requisitions/${req.id}/issue`,
      { lines: [{ lineId: req.lines[0].id, quantity: 8 }] },
      keeper.headers,
    );
    expect(short.statusCode).toBe(409);
    expect(short.json().code).toBe('insufficient_stock');
    expect(short.json().errors[0].field).toBe('body:/lines/0/quantity');
    const after = (await get(`/v1/requisitions/${req.id}`)).json();
    expect(after).toMatchObject({ status: 'approved', quantityIssued: 0 });
    // What is there can go now; the rest stays open, then the ward withdraws it with a reason.
    const part = await post(
      `/v1/requisitions/${req.id}/issue`,
      { lines: [{ lineId: req.lines[0].id, quantity: 5 }] },
      keeper.headers,
    );
    expect(part.json().status).toBe('partially_issued');
    const noReason = await post(`/v1/requisitions/${req.id}/cancel`, {}, nurse.headers);
    expect(noReason.statusCode).toBe(400);
    const cancelled = await post(
      `/v1/requisitions/${req.id}/cancel`,
      { reason: '已从别处调入' },
      nurse.headers,
    );
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({
      status: 'cancelled',
      cancelledBy: nurse.id,
      cancelReason: '已从别处调入',
      quantityIssued: 5,
    });
  });

  it('rejects with a reason; refuses approving nothing; who may do what', async () => {
    const item = await newItem();
    const req = await submit([{ itemId: item, quantity: 3 }]);
    const zero = await post(
      `/v1/requisitions/${req.id}/approve`,
      { lines: [{ lineId: req.lines[0].id, quantity: 0 }] },
      keeper.headers,
    );
    expect(zero.statusCode).toBe(422);
    expect(zero.json().code).toBe('nothing_approved');
    expect((await post(`/v1/requisitions/${req.id}/reject`, { reason: 'x' }, nurse.headers)).statusCode).toBe(
      403,
    );
    const rejected = await post(
      `/v1/requisitions/${req.id}/reject`,
      { reason: '非本科室常用耗材' },
      keeper.headers,
    );
    expect(rejected.json()).toMatchObject({
      status: 'rejected',
      rejectedBy: keeper.id,
      rejectReason: '非本科室常用耗材',
    });
    expect((await get(`/v1/requisitions/${req.id}/pick-list`, keeper.headers)).statusCode).toBe(409);
    // Viewers and purchasers read but do not requisition.
    const body = { departmentId: ward, sourceLocationId: store, lines: [{ itemId: item, quantity: 1 }] };
    expect((await post('/v1/requisitions', body, viewer.headers)).statusCode).toBe(403);
    expect((await post('/v1/requisitions', body, purchaser.headers)).statusCode).toBe(403);
    expect((await get(`/v1/requisitions/${req.id}`, viewer.headers)).statusCode).toBe(200);
    // An integration's key with stock:write is the store's system: it may approve.
    const key = await post('/v1/api-keys', { name: 'WMS', scopes: ['read', 'stock:write'] });
    expect(key.statusCode, key.body).toBe(201);
    const byKey = await submit([{ itemId: item, quantity: 2 }]);
    const keyApproved = await post(
      `/v1/requisitions/${byKey.id}/approve`,
      {},
      { authorization: `Bearer ${key.json().key}` },
    );
    expect(keyApproved.statusCode, keyApproved.body).toBe(200);
    expect(keyApproved.json()).toMatchObject({ approvedBy: key.json().id, approvedByName: 'WMS' });
    // A deactivated department asks for nothing more.
    const closed = await post('/v1/departments', { siteId: siteA, code: 'OLD', name: '旧科室' });
    await t.app.inject({
      method: 'PATCH',
      url: `/v1/departments/${closed.json().id}`,
      headers: owner.headers,
      payload: { active: false },
    });
    const toClosed = await post(
      '/v1/requisitions',
      { ...body, departmentId: closed.json().id },
      nurse.headers,
    );
    expect(toClosed.statusCode).toBe(422);
    expect(toClosed.json().code).toBe('unknown_department');
    const dup = await post(
      '/v1/requisitions',
      { ...body, lines: [body.lines[0], body.lines[0]] },
      nurse.headers,
    );
    expect(dup.json().code).toBe('duplicate_item');
  });

  it('keeps to the caller’s sites', async () => {
    const item = await newItem();
    const req = await submit([{ itemId: item, quantity: 1 }]);
    // Site B's storekeeper neither sees nor touches site A's requisition.
    expect((await get(`/v1/requisitions/${req.id}`, keeperB.headers)).statusCode).toBe(404);
    expect((await post(`/v1/requisitions/${req.id}/approve`, {}, keeperB.headers)).statusCode).toBe(404);
    expect((await get('/v1/requisitions', keeperB.headers)).json().items).toEqual([]);
    expect((await get(`/v1/requisitions?siteId=${siteA}`, keeperB.headers)).statusCode).toBe(404);
    // A site-A nurse cannot ask site B's store, nor for site B's department.
    const toB = await post('/v1/requisitions', {
      departmentId: ward,
      sourceLocationId: storeB,
      lines: [{ itemId: item, quantity: 1 }],
    });
    expect(toB.statusCode).toBe(201); // all-sites owner may
    const asNurse = await post(
      '/v1/requisitions',
      { departmentId: ward, sourceLocationId: storeB, lines: [{ itemId: item, quantity: 1 }] },
      nurse.headers,
    );
    expect(asNurse.statusCode).toBe(404);
    const deptB = await post(
      '/v1/requisitions',
      { departmentId: wardB, sourceLocationId: store, lines: [{ itemId: item, quantity: 1 }] },
      nurse.headers,
    );
    expect(deptB.statusCode).toBe(404);
    // The owner's cross-site requisition is invisible to site-A users (its store is at B).
    const mine = (await get('/v1/requisitions?status=open', nurse.headers))
      .json()
      .items.map((x: { id: string }) => x.id);
    expect(mine).toContain(req.id);
    expect(mine).not.toContain(toB.json().id);
  });
});

describe('issues to a department, cost centre or patient', () => {
  it('a plain issue movement names its destination; other movements may not', async () => {
    const item = await newItem();
    await receive(item, 10, 'P-1', '2028-05-31');
    const r = await post(
      '/v1/movements',
      {
        type: 'issue',
        itemId: item,
        locationId: store,
        quantity: 2,
        departmentId: ward,
        patientRef: 'MRN-000123',
      },
      keeper.headers,
    );
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().movements[0]).toMatchObject({
      departmentId: ward,
      costCentre: 'CC-3010',
      patientRef: 'MRN-000123',
    });
    const cc = await post('/v1/movements', {
      type: 'issue',
      itemId: item,
      locationId: store,
      quantity: 1,
      costCentre: 'CC-9',
    });
    expect(cc.json().movements[0]).toMatchObject({ departmentId: null, costCentre: 'CC-9' });
    const wrong = await post('/v1/movements', {
      type: 'adjustment',
      itemId: item,
      locationId: store,
      quantity: 1,
      departmentId: ward,
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().code).toBe('destination_only_on_issue');
    const otherSite = await post(
      '/v1/movements',
      { type: 'issue', itemId: item, locationId: store, quantity: 1, departmentId: wardB },
      keeper.headers,
    );
    expect(otherSite.statusCode).toBe(404);
    const name = await post('/v1/movements', {
      type: 'issue',
      itemId: item,
      locationId: store,
      quantity: 1,
      patientRef: '张 三',
    });
    expect(name.statusCode).toBe(400);
  });
});

describe('fixed-quantity packs (定数包)', () => {
  it('scanning an opened pack asks once per copy for its replenishment', async () => {
    const item = await newItem();
    const created = await post(
      '/v1/fixed-packs',
      {
        code: 'W3-GAUZE',
        itemId: item,
        quantity: 1,
        unit: 'box',
        departmentId: ward,
        sourceLocationId: store,
      },
      keeper.headers,
    );
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ label: 'MSPK:W3-GAUZE', quantity: 10 });
    expect(
      (
        await post(
          '/v1/fixed-packs',
          { code: 'W3-X', itemId: item, quantity: 1, departmentId: ward, sourceLocationId: store },
          nurse.headers,
        )
      ).statusCode,
    ).toBe(403);
    const packId = created.json().id;
    const text = await get(`/v1/fixed-packs/${packId}/label?copy=2&format=json`, nurse.headers);
    expect(text.json()).toEqual({ code: 'W3-GAUZE', copy: 2, text: 'MSPK:W3-GAUZE:2' });
    const svg = await get(`/v1/fixed-packs/${packId}/label`, nurse.headers);
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    expect(svg.body).toContain('<svg');
    expect((await get(`/v1/fixed-packs/${packId}/label`, keeperB.headers)).statusCode).toBe(404);
    const first = await post('/v1/fixed-packs/scan', { label: 'MSPK:W3-GAUZE' }, nurse.headers);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      origin: 'fixed_pack',
      fixedPackCode: 'W3-GAUZE',
      packCopy: 1,
      status: 'submitted',
    });
    expect(first.json().lines[0]).toMatchObject({ itemId: item, requested: 10 });
    const twice = await post('/v1/fixed-packs/scan', { label: 'MSPK:W3-GAUZE' }, nurse.headers);
    expect(twice.statusCode).toBe(200);
    expect(twice.json().id).toBe(first.json().id);
    const copy2 = await post('/v1/fixed-packs/scan', { label: 'MSPK:W3-GAUZE:2' }, nurse.headers);
    expect(copy2.statusCode).toBe(201);
    expect(copy2.json().id).not.toBe(first.json().id);
    const bad = await post('/v1/fixed-packs/scan', { label: '(01)04012345678901' }, nurse.headers);
    expect(bad.json().code).toBe('invalid_pack_label');
    const unknown = await post('/v1/fixed-packs/scan', { label: 'MSPK:NOPE' }, nurse.headers);
    expect(unknown.json().code).toBe('unknown_fixed_pack');
    expect(
      (await post('/v1/fixed-packs/scan', { label: 'MSPK:W3-GAUZE:3' }, keeperB.headers)).statusCode,
    ).toBe(404);
    // Once the first replenishment is closed, the next opening of copy 1 asks again.
    await post(`/v1/requisitions/${first.json().id}/reject`, { reason: '包内尚有余量' }, keeper.headers);
    const next = await post('/v1/fixed-packs/scan', { label: 'mspk:W3-GAUZE' }, nurse.headers);
    expect(next.statusCode).toBe(201);
    const listed = (await get(`/v1/fixed-packs?departmentId=${ward}`, nurse.headers)).json().items;
    expect(listed.map((p: { code: string }) => p.code)).toEqual(['W3-GAUZE']);
    expect((await get('/v1/fixed-packs', keeperB.headers)).json().items).toEqual([]);
  });
});

describe('problems in Chinese', () => {
  it('speaks the storekeeper’s words', async () => {
    const item = await newItem();
    const req = await submit([{ itemId: item, quantity: 1 }]);
    await post(`/v1/requisitions/${req.id}/reject`, { reason: '不需要' }, keeper.headers);
    const r = await post(
      `/v1/requisitions/${req.id}/approve`,
      {},
      { ...keeper.headers, 'accept-language': 'zh-CN' },
    );
    expect(r.statusCode).toBe(409);
    expect(r.json().title).toBe('申领单状态不允许此操作');
    expect(r.json().detail).toBe('这张申领单已驳回，现在不能审批。');
    const nurseTry = await post(
      `/v1/requisitions/${req.id}/approve`,
      {},
      { ...nurse.headers, 'accept-language': 'zh-CN' },
    );
    expect(nurseTry.json().detail).toContain('科室护士');
  });
});
