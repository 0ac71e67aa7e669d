import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

// One connection: every statement of both organisations goes over it, so the movement POST's
// prepared statements (planned once per connection) are reused across tenant schemas.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ PG_POOL_MAX: '1' });
});
afterAll(async () => t?.close());

async function stockedOrganisation(code: string) {
  const org = await signUp(t);
  const { siteId, locationId } = await centralStore(t, org.headers);
  const itemId = await insertItem(t, org.organizationId, { code });
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/movements',
    headers: org.headers,
    payload: { type: 'receipt', itemId, locationId, quantity: 10, lotNumber: 'L', expiryDate: '2090-01-31' },
  });
  expect(r.statusCode, r.body).toBe(201);
  return { org, siteId, locationId, itemId };
}

const issue = (o: { org: SignedUp; locationId: string; itemId: string }, quantity: number) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/movements',
    headers: o.org.headers,
    payload: { type: 'issue', itemId: o.itemId, locationId: o.locationId, quantity },
  });

const onHand = (o: { org: SignedUp; itemId: string }) =>
  withTenantDb(t.deps.database.db, o.org, async (tx) => {
    const r = await tx.execute<{ n: number }>(
      sql`select coalesce(sum(on_hand), 0)::int as n from stock where item_id = ${o.itemId}`,
    );
    return r.rows[0]!.n;
  });

describe('prepared statements of the movement POST', () => {
  it('read and write the schema of the organisation whose request runs, alternating on one connection', async () => {
    const a = await stockedOrganisation('PREP-A');
    const b = await stockedOrganisation('PREP-B');
    for (let round = 0; round < 7; round++) {
      for (const o of [a, b]) {
        const r = await issue(o, 1);
        expect(r.statusCode, r.body).toBe(201);
        const rows = r.json().movements;
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ itemId: o.itemId, siteId: o.siteId, lotNumber: 'L', quantity: -1 });
      }
    }
    expect(await onHand(a)).toBe(3);
    expect(await onHand(b)).toBe(3);
    // Each organisation's item is unknown in the other's schema.
    const crossed = await issue({ ...a, itemId: b.itemId }, 1);
    expect(crossed.statusCode).toBe(422);
    expect(crossed.json().code).toBe('unknown_item');
  });
});
