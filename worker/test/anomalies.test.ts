import { randomBytes } from 'node:crypto';
import { rollingMedian } from '@medstock/core/stats/robust.ts';
import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDailyHistory } from '../../api/test/support/engine-fixtures.ts';
import { centralStore, insertItem } from '../../api/test/support/fixtures.ts';
import { addMember } from '../../api/test/support/members.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from '../../api/test/support/test-app.ts';
import { findConsumptionAnomalies, rollingMedianFast } from '../src/engine/detect-anomalies.ts';
import { recalculateItems } from '../src/engine/recalculate.ts';
import { type RunningWorker, startWorker } from '../src/index.ts';

const TODAY = '2026-06-01';
const steady = (n = 120) => Array.from({ length: n }, (_, i) => 10 + (i % 3));

describe('the robust residual test (pure)', () => {
  it('flags a spike against the rolling median, with its day, expected value and score', () => {
    const h = steady();
    h[110] = 200;
    const [flag, ...rest] = findConsumptionAnomalies(h, TODAY);
    expect(rest).toEqual([]);
    expect(flag).toMatchObject({ index: 110, day: '2026-05-22', quantity: 200, expected: 11 });
    expect(flag!.score).toBeGreaterThan(5);
  });

  it('does not flag ordinary variation, weekend dips, dips to zero, or spikes older than 90 days', () => {
    const weekly = Array.from({ length: 120 }, (_, i) => (i % 7 >= 5 ? 2 : 30 + (i % 4)));
    expect(findConsumptionAnomalies(weekly, TODAY)).toEqual([]);
    const dip = steady();
    dip[100] = 0;
    expect(findConsumptionAnomalies(dip, TODAY)).toEqual([]);
    const old = steady();
    old[10] = 500;
    expect(findConsumptionAnomalies(old, TODAY)).toEqual([]);
  });

  it('needs a material excess: a small series bump is not an anomaly however flat the rest is', () => {
    const flat = Array.from({ length: 120 }, () => 2);
    flat[110] = 4; // +2 units: below the 3-unit minimum
    expect(findConsumptionAnomalies(flat, TODAY)).toEqual([]);
    flat[110] = 6;
    expect(findConsumptionAnomalies(flat, TODAY).map((f) => f.index)).toEqual([110]);
  });

  it('intermittent items are judged against the typical non-zero day, not the zero median', () => {
    const lumps = Array.from({ length: 120 }, (_, i) => (i % 9 === 0 ? 5 + (i % 4) : 0));
    expect(findConsumptionAnomalies(lumps, TODAY)).toEqual([]);
    lumps[108] = 100;
    expect(findConsumptionAnomalies(lumps, TODAY)).toMatchObject([
      { index: 108, quantity: 100, expected: 6.5 },
    ]);
  });

  it('skips censored (stocked-out) and already reviewed days', () => {
    const h = steady();
    h[110] = 200;
    const censored = h.map((_, i) => i === 110);
    expect(findConsumptionAnomalies(h, TODAY, { censored })).toEqual([]);
    expect(findConsumptionAnomalies(h, TODAY, { skip: new Set([110]) })).toEqual([]);
  });

  it('the fast rolling median equals core rollingMedian', () => {
    const xs = [3, Number.NaN, 7, 1, 1, 9, 4, 4, 0, 12, Number.NaN, 5, 6, 2];
    for (const w of [1, 2, 3, 5, 8, 15]) expect(rollingMedianFast(xs, w)).toEqual(rollingMedian(xs, w));
  });
});

let t: TestApp;
let running: RunningWorker;
let owner: SignedUp;
let loc: string;
let siteId: string;

async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out waiting');
}

const policy = async (itemId: string) =>
  (
    await withTenantDb(t.deps.database.db, owner, (tx) =>
      tx.execute<{ daily_sd: number; daily_mean: number; computed_at: string }>(sql`
        select daily_sd::float8 as daily_sd, daily_mean::float8 as daily_mean, computed_at::text from item_location_policies
         where item_id = ${itemId} and location_id = ${loc}`),
    )
  ).rows[0]!;

const anomalyRows = async (itemId: string) =>
  (
    await withTenantDb(t.deps.database.db, owner, (tx) =>
      tx.execute<{ id: string; status: string; quantity: string; day: string }>(sql`
        select id, status, quantity::text, to_char(day, 'YYYY-MM-DD') as day from consumption_anomalies where item_id = ${itemId}`),
    )
  ).rows;

const openAnomalyAlerts = async (itemId: string) =>
  (
    await t.app.inject({
      method: 'GET',
      url: `/v1/alerts?itemId=${itemId}&type=consumption_anomaly`,
      headers: owner.headers,
    })
  ).json().items as unknown[];

async function member(role: string, siteIds: string[] | null = null) {
  return (await addMember(t, owner.headers, role, siteIds)).headers;
}

/** 120 days of ~11 a day with one day of 200 ten days ago; 500 on hand. */
async function spikyItem(code: string) {
  const item = await insertItem(t, owner.organizationId, { code });
  await insertDailyHistory(t, owner.organizationId, item, loc, 120, (i) => (i === 110 ? 200 : 10 + (i % 3)));
  await withTenantDb(t.deps.database.db, owner, (tx) =>
    // 500 on hand: a count of the untracked lot the imported history posted to (ledger and stock agree).
    tx.execute(sql`with l as (select id from lots where item_id = ${item} and lot_number = ''),
                        m as (insert into movements (type, item_id, location_id, lot_id, quantity, counted, reason, source)
                              select 'stocktake', ${item}, ${loc}, id, 500, 500, 'count', 'api' from l)
                   insert into stock (location_id, item_id, lot_id, on_hand) select ${loc}, ${item}, id, 500 from l
                   on conflict (location_id, item_id, lot_id) do update set on_hand = excluded.on_hand`),
  );
  await recalculateItems(t.deps.database, owner.organizationId, [{ itemId: item, locationId: loc }]);
  return item;
}

beforeAll(async () => {
  t = await startTestApp({ QUEUE_PREFIX: `a${randomBytes(4).toString('hex')}` });
  running = await startWorker(t.config, { scheduleSyncMs: 60_000 });
  owner = await signUp(t);
  ({ siteId, locationId: loc } = await centralStore(t, owner.headers));
});
afterAll(async () => {
  await running?.close();
  await t?.close();
});

describe('consumption anomalies in the recalculation', () => {
  it('flags the spike for review and keeps it out of the forecast; accepting puts it back', async () => {
    const item = await spikyItem('SPIKE-A');
    const rows = await anomalyRows(item);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'pending', quantity: '200' });
    const excluded = await policy(item);
    // Without the spike the spread is that of the demand itself (at most Poisson, √11 ≈ 3.3 a day);
    // with it, it is many times that.
    expect(excluded.daily_sd).toBeLessThan(4);
    expect(await openAnomalyAlerts(item)).toHaveLength(1);

    const list = (
      await t.app.inject({ method: 'GET', url: `/v1/anomalies?itemId=${item}`, headers: owner.headers })
    ).json();
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({
      id: rows[0]!.id,
      status: 'pending',
      quantity: 200,
      siteId,
      locationId: loc,
      itemCode: 'SPIKE-A',
      threshold: 5,
    });
    expect(list.items[0].score).toBeGreaterThan(5);
    expect(list.items[0].expected).toBeCloseTo(11, 0);

    const nurse = await member('nurse');
    const accept = await t.app.inject({
      method: 'POST',
      url: `/v1/anomalies/${rows[0]!.id}/accept`,
      headers: nurse,
      payload: {},
    });
    expect(accept.statusCode, accept.body).toBe(200);
    expect(accept.json()).toMatchObject({ status: 'accepted', reviewedAt: expect.any(String) });
    // The worker recalculates the item-location: the day counts again, the alert closes, and
    // the accepted day is never flagged again.
    const included = await waitFor(async () => {
      const p = await policy(item);
      return p.daily_sd > 5 ? p : null;
    });
    expect(included.daily_sd).toBeGreaterThan(excluded.daily_sd * 3);
    await waitFor(async () => (await openAnomalyAlerts(item)).length === 0);
    await recalculateItems(t.deps.database, owner.organizationId, [{ itemId: item, locationId: loc }]);
    expect((await anomalyRows(item)).map((r) => r.status)).toEqual(['accepted']);
    expect(
      (
        await t.app.inject({ method: 'GET', url: `/v1/anomalies?itemId=${item}`, headers: owner.headers })
      ).json().items,
    ).toEqual([]);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `/v1/anomalies?itemId=${item}&status=accepted`,
          headers: owner.headers,
        })
      ).json().items,
    ).toHaveLength(1);
  });

  it('rejecting keeps the day out of the forecast for good, and it is not flagged again', async () => {
    const item = await spikyItem('SPIKE-R');
    const [row] = await anomalyRows(item);
    const purchaser = await member('purchaser');
    const reject = await t.app.inject({
      method: 'POST',
      url: `/v1/anomalies/${row!.id}/reject`,
      headers: purchaser,
      payload: {},
    });
    expect(reject.statusCode).toBe(200);
    expect(reject.json().status).toBe('rejected');
    await waitFor(async () => (await openAnomalyAlerts(item)).length === 0);
    await recalculateItems(t.deps.database, owner.organizationId, [{ itemId: item, locationId: loc }]);
    expect((await policy(item)).daily_sd).toBeLessThan(4);
    expect((await anomalyRows(item)).map((r) => r.status)).toEqual(['rejected']);
  });

  it('review needs stock:write or purchasing, and the site in reach', async () => {
    const item = await spikyItem('SPIKE-X');
    const [row] = await anomalyRows(item);
    const viewer = await member('viewer');
    expect((await t.app.inject({ method: 'GET', url: '/v1/anomalies', headers: viewer })).statusCode).toBe(
      200,
    );
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/v1/anomalies/${row!.id}/accept`,
          headers: viewer,
          payload: {},
        })
      ).statusCode,
    ).toBe(403);
    const otherSite = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/sites',
        headers: owner.headers,
        payload: { code: 'OTHER', name: 'Other' },
      })
    ).json().id;
    const elsewhere = await member('storekeeper', [otherSite]);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/v1/anomalies/${row!.id}/accept`,
          headers: elsewhere,
          payload: {},
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/anomalies', headers: elsewhere })).json().items,
    ).toEqual([]);
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/anomalies?siteId=${siteId}`, headers: elsewhere }))
        .statusCode,
    ).toBe(404);
    expect((await anomalyRows(item)).map((r) => r.status)).toEqual(['pending']);
  });
});
