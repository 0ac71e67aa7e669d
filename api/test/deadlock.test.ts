import { TRANSACTION_ATTEMPTS, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Opposite transfers of the same item at the same time (A→B and B→A) used to lock the two stock
 * rows in opposite orders: PostgreSQL broke the cycle with 40P01 and the API answered 500.
 */
let t: TestApp;
let owner: SignedUp;
let a: string;
let b: string;
let n = 0;

const PAIRS = 30;

async function move(body: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/v1/movements', headers: owner.headers, payload: body });
}

async function onHand(itemId: string, locationId: string): Promise<number> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/v1/stock?groupBy=location&itemId=${itemId}&locationId=${locationId}`,
    headers: owner.headers,
  });
  return res.json().items.reduce((s: number, r: { onHand: number }) => s + r.onHand, 0);
}

beforeAll(async () => {
  // A pool large enough that every transfer of a pair is inside its transaction at once.
  t = await startTestApp({ PG_POOL_MAX: String(PAIRS * 2 + 4) });
  owner = await signUp(t);
  ({ locationId: a } = await centralStore(t, owner.headers));
  const east = await t.app.inject({
    method: 'POST',
    url: '/v1/sites',
    headers: owner.headers,
    payload: { code: 'EAST', name: 'East' },
  });
  ({ locationId: b } = await centralStore(t, owner.headers, east.json().id));
});
afterAll(async () => t?.close());

/** Fires every pair at once and checks no 5xx, only 201 or a clear stock refusal, and conservation. */
async function oppositeTransfers(itemId: string, lot: Record<string, string>, quantity: number) {
  const before = (await onHand(itemId, a)) + (await onHand(itemId, b));
  const requests: Promise<{ statusCode: number; json(): { code?: string } }>[] = [];
  for (let i = 0; i < PAIRS; i++) {
    requests.push(move({ type: 'transfer', itemId, locationId: a, toLocationId: b, quantity, ...lot }));
    requests.push(move({ type: 'transfer', itemId, locationId: b, toLocationId: a, quantity, ...lot }));
  }
  const responses = await Promise.all(requests);
  const statuses = responses.map((r) => r.statusCode);
  expect(statuses.filter((s) => s >= 500)).toEqual([]);
  for (const r of responses) {
    if (r.statusCode === 201) continue;
    expect([409, 422]).toContain(r.statusCode);
    expect(r.json().code).toBe('insufficient_stock');
  }
  const after = (await onHand(itemId, a)) + (await onHand(itemId, b));
  expect(after).toBe(before);
  return statuses;
}

describe('opposite transfers of the same item', () => {
  it('of the same lot: no deadlock reaches the client, stock is conserved', async () => {
    const itemId = await insertItem(t, owner.organizationId, { code: `DL-${n++}` });
    for (const locationId of [a, b]) {
      const r = await move({ type: 'receipt', itemId, locationId, quantity: 200, lotNumber: 'LOT-1' });
      expect(r.statusCode).toBe(201);
    }
    const statuses = await oppositeTransfers(itemId, { lotNumber: 'LOT-1' }, 5);
    // 200 units on each side and 30 × 5 moved either way: every transfer can be served.
    expect(statuses.every((s) => s === 201)).toBe(true);
    expect(await onHand(itemId, a)).toBe(200);
    expect(await onHand(itemId, b)).toBe(200);
  });

  it('first-expiry-first-out over several lots: no deadlock, stock conserved', async () => {
    const itemId = await insertItem(t, owner.organizationId, { code: `DL-${n++}` });
    // Lots whose expiry order differs from their creation order, at both locations.
    for (const [lotNumber, expiryDate] of [
      ['LATE', '2031-12-31'],
      ['EARLY', '2030-01-31'],
      ['MID', '2030-06-30'],
    ]) {
      for (const locationId of [a, b]) {
        await move({ type: 'receipt', itemId, locationId, quantity: 10, lotNumber, expiryDate });
      }
    }
    // 12 at a time spans two lots; 30 units each side cannot serve every request: some get 409.
    await oppositeTransfers(itemId, {}, 12);
  });

  it('transfers racing issues at the source: no 5xx, nothing goes negative', async () => {
    const itemId = await insertItem(t, owner.organizationId, { code: `DL-${n++}` });
    for (const [lotNumber, expiryDate] of [
      ['Z-LATE', '2031-12-31'],
      ['A-EARLY', '2030-01-31'],
    ]) {
      for (const locationId of [a, b]) {
        await move({ type: 'receipt', itemId, locationId, quantity: 40, lotNumber, expiryDate });
      }
    }
    const requests = [];
    for (let i = 0; i < 20; i++) {
      requests.push(move({ type: 'transfer', itemId, locationId: a, toLocationId: b, quantity: 3 }));
      requests.push(move({ type: 'issue', itemId, locationId: b, quantity: 3 }));
      requests.push(move({ type: 'transfer', itemId, locationId: b, toLocationId: a, quantity: 3 }));
      requests.push(move({ type: 'issue', itemId, locationId: a, quantity: 3, lotNumber: 'Z-LATE' }));
    }
    const responses = await Promise.all(requests);
    expect(responses.map((r) => r.statusCode).filter((s) => s >= 500)).toEqual([]);
    const issued = responses
      .filter((r) => r.statusCode === 201)
      .flatMap((r) => r.json().movements as { type: string; quantity: number }[])
      .filter((m) => m.type === 'issue')
      .reduce((s, m) => s + m.quantity, 0);
    expect((await onHand(itemId, a)) + (await onHand(itemId, b))).toBe(160 + issued);
  });
});

describe('the transaction helper retries lost races', () => {
  const tenant = () => ({ organizationId: owner.organizationId });

  it('runs the deadlock victim again: both transactions commit', async () => {
    const x = await insertItem(t, owner.organizationId, { code: `DL-${n++}` });
    const y = await insertItem(t, owner.organizationId, { code: `DL-${n++}` });
    // Each locks its first row, waits until the other has too, then asks for the other's row.
    let release: Record<string, () => void> = {};
    const locked = {
      x: new Promise<void>((r) => (release.x = r)),
      y: new Promise<void>((r) => (release.y = r)),
    };
    let attempts = 0;
    const crossing = (first: string, second: string, mine: 'x' | 'y', theirs: 'x' | 'y') =>
      withTenantDb(t.deps.database.db, tenant(), async (tx) => {
        attempts++;
        await tx.execute(sql`select 1 from items where id = ${first} for update`);
        release[mine]!();
        await locked[theirs];
        await tx.execute(sql`select 1 from items where id = ${second} for update`);
        await tx.execute(sql`update items set name_en = name_en || '.' where id in (${first}, ${second})`);
        return mine;
      });
    const results = await Promise.all([crossing(x, y, 'x', 'y'), crossing(y, x, 'y', 'x')]);
    release = {};
    expect(results.sort()).toEqual(['x', 'y']);
    // PostgreSQL aborted one of the two once (40P01); it ran a second time and committed.
    expect(attempts).toBe(3);
    const names = await withTenantDb(t.deps.database.db, tenant(), (tx) =>
      tx.execute<{ name_en: string }>(sql`select name_en from items where id in (${x}, ${y})`),
    );
    expect(names.rows.every((r) => r.name_en.endsWith('..'))).toBe(true);
  });

  it('runs a serialisation failure again, and gives up after a bounded number of attempts', async () => {
    const failWith40001 = sql`do $$ begin raise exception 'lost a race' using errcode = 'serialization_failure'; end $$`;
    let attempts = 0;
    const once = await withTenantDb(t.deps.database.db, tenant(), async (tx) => {
      if (++attempts === 1) await tx.execute(failWith40001);
      return 'committed';
    });
    expect([once, attempts]).toEqual(['committed', 2]);

    attempts = 0;
    const always = withTenantDb(t.deps.database.db, tenant(), async (tx) => {
      attempts++;
      await tx.execute(failWith40001);
    });
    await expect(always).rejects.toMatchObject({ cause: { code: '40001' } });
    expect(attempts).toBe(TRANSACTION_ATTEMPTS);
  });

  it('does not run other errors again', async () => {
    let attempts = 0;
    const failing = withTenantDb(t.deps.database.db, tenant(), async (tx) => {
      attempts++;
      await tx.execute(sql`select 1/0`);
    });
    await expect(failing).rejects.toMatchObject({ cause: { code: '22012' } });
    expect(attempts).toBe(1);
  });
});
