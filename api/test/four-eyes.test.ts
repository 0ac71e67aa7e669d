import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { addMember } from './support/members.ts';
import { insertSupplier, tenantQuery } from './support/purchasing-fixtures.ts';
import { bearer, type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

type Headers = Record<string, string>;
type Member = { id: string; headers: Headers };

let t: TestApp;
let owner: SignedUp;
let locationId: string;
let supplierId: string;
let first: Member;
let second: Member;
let third: Member;
let n = 0;

const newItem = () =>
  insertItem(t, owner.organizationId, {
    code: `FE-${n++}`,
    unitCost: 2,
    packUnits: [{ code: 'box', factor: 10 }],
  });

async function draft(headers: Headers, itemId: string) {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/purchase-orders',
    headers,
    payload: { supplierId, locationId, lines: [{ itemId, quantity: 2, unit: 'box' }] },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: string; lines: { itemId: string }[] };
}
const patch = (id: string, headers: Headers, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'PATCH', url: `/v1/purchase-orders/${id}`, headers, payload });
const approve = (id: string, headers: Headers) =>
  t.app.inject({ method: 'POST', url: `/v1/purchase-orders/${id}/approve`, headers, payload: {} });
const status = async (id: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/purchase-orders/${id}`, headers: owner.headers })).json();

async function adminKey() {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/api-keys',
    headers: owner.headers,
    payload: { name: `erp ${n++}`, scopes: ['read', 'purchasing', 'admin'] },
  });
  expect(r.statusCode, r.body).toBe(201);
  return { id: r.json().id as string, headers: bearer(r.json().key) };
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
  ({ locationId } = await centralStore(t, owner.headers));
  supplierId = await insertSupplier(t, owner.organizationId, { code: 'FE-S' });
  [first, second, third] = [
    await addMember(t, owner.headers, 'purchaser'),
    await addMember(t, owner.headers, 'purchaser'),
    await addMember(t, owner.headers, 'purchaser'),
  ];
});
afterAll(async () => t?.close());

describe('four eyes on purchase orders', () => {
  it('a second purchaser who edited the draft cannot approve it; a third person can', async () => {
    const item = await newItem();
    const po = await draft(first.headers, item);
    const edited = await patch(po.id, second.headers, {
      lines: [{ itemId: item, quantity: 90, unit: 'box', unitPrice: 999 }],
      allowOverReceipt: true,
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({
      allowOverReceipt: true,
      quantityOrdered: 900,
      editedBy: [second.id],
    });

    const refused = await approve(po.id, second.headers);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().code).toBe('approver_edited');
    expect((await status(po.id)).status).toBe('draft');

    const ok = await approve(po.id, third.headers);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'approved', approvedBy: third.id, createdBy: first.id });

    // The edit log keeps who changed which fields.
    const log = await tenantQuery<{ editor_type: string; editor_id: string; fields: string[] }>(
      t,
      owner.organizationId,
      sql`select editor_type, editor_id, fields from purchase_order_edits where purchase_order_id = ${po.id}`,
    );
    expect(log).toEqual([
      { editor_type: 'user', editor_id: second.id, fields: ['allowOverReceipt', 'lines'] },
    ]);
  });

  it('applies to admins and the owner too: neither the creator nor an editor approves', async () => {
    const item = await newItem();
    const own = await draft(owner.headers, item);
    const self = await approve(own.id, owner.headers);
    expect(self.statusCode).toBe(403);
    expect(self.json().code).toBe('self_approval');

    const theirs = await draft(first.headers, item);
    expect((await patch(theirs.id, owner.headers, { notes: 'owner was here' })).statusCode).toBe(200);
    const ownerAfterEdit = await approve(theirs.id, owner.headers);
    expect(ownerAfterEdit.statusCode).toBe(403);
    expect(ownerAfterEdit.json().code).toBe('approver_edited');
    // The creator editing their own draft stays the creator: still refused as self approval.
    expect((await patch(theirs.id, first.headers, { notes: 'again' })).statusCode).toBe(200);
    expect((await approve(theirs.id, first.headers)).json().code).toBe('self_approval');
    expect((await status(theirs.id)).editedBy).toEqual([owner.userId, first.id]);
    expect((await approve(theirs.id, second.headers)).statusCode).toBe(200);
  });

  it('an API key that edited an order cannot approve it either', async () => {
    const item = await newItem();
    const key = await adminKey();
    const po = await draft(first.headers, item);
    expect((await patch(po.id, key.headers, { allowOverReceipt: true })).statusCode).toBe(200);
    expect((await status(po.id)).editedBy).toEqual([key.id]);
    const refused = await approve(po.id, key.headers);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('approver_edited');
    // Another key (another identity) may.
    const other = await adminKey();
    expect((await approve(po.id, other.headers)).statusCode).toBe(200);
  });

  it('a refused edit changes nothing and does not count as an edit', async () => {
    const item = await newItem();
    const po = await draft(first.headers, item);
    const bad = await patch(po.id, second.headers, {
      lines: [{ itemId: '00000000-0000-4000-8000-000000000000', quantity: 1 }],
    });
    expect(bad.statusCode).toBe(422);
    expect((await status(po.id)).editedBy).toEqual([]);
    expect((await approve(po.id, second.headers)).statusCode).toBe(200);
  });
});
