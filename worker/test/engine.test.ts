import { randomBytes } from 'node:crypto';
import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDailyHistory, insertSupplierTerms } from '../../api/test/support/engine-fixtures.ts';
import { centralStore, insertItem } from '../../api/test/support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from '../../api/test/support/test-app.ts';
import { type RunningWorker, startWorker } from '../src/index.ts';

let t: TestApp;
let running: RunningWorker;
let owner: SignedUp;
let loc: string;

async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out waiting');
}

const alertsOf = async (itemId: string, status = 'open') =>
  (
    await t.app.inject({
      method: 'GET',
      url: `/v1/alerts?itemId=${itemId}&status=${status}`,
      headers: owner.headers,
    })
  ).json().items as Array<Record<string, any>>;

beforeAll(async () => {
  t = await startTestApp({ QUEUE_PREFIX: `e${randomBytes(4).toString('hex')}` });
  running = await startWorker(t.config, { scheduleSyncMs: 60_000 });
  owner = await signUp(t);
  ({ locationId: loc } = await centralStore(t, owner.headers));
});
afterAll(async () => {
  await running?.close();
  await t?.close();
});

describe('movement → recalculation → explained alert → acknowledge → auto-resolve', () => {
  it('raises a stockout-risk alert with its formula in both languages within seconds of the issue', async () => {
    const item = await insertItem(t, owner.organizationId, {
      code: 'GAUZE',
      unitCost: 1.2,
      ved: 'V',
      packUnits: [{ code: 'box', factor: 10 }],
    });
    await insertSupplierTerms(t, owner.organizationId, item, { packSize: 10, leadDays: 7 });
    await insertDailyHistory(t, owner.organizationId, item, loc, 120, (i) => 10 + (i % 3));
    const receipt = await t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: owner.headers,
      payload: { type: 'receipt', itemId: item, locationId: loc, quantity: 200 },
    });
    expect(receipt.statusCode).toBe(201);
    // 200 on hand covers ~18 days against ~11/day with a 7-day lead time: no risk yet.
    await waitFor(
      async () =>
        (
          await withTenantDb(t.deps.database.db, owner, (tx) =>
            tx.execute(sql`select 1 from item_location_policies where item_id = ${item}`),
          )
        ).rowCount,
    );
    expect(await alertsOf(item)).toEqual([]);

    const issue = await t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: owner.headers,
      payload: { type: 'issue', itemId: item, locationId: loc, quantity: 150 },
    });
    expect(issue.statusCode).toBe(201);
    const [alert] = await waitFor(async () => {
      const a = await alertsOf(item);
      return a.some((x) => x.type === 'stockout_risk') ? a.filter((x) => x.type === 'stockout_risk') : null;
    });
    expect(alert!.severity).toMatch(/critical|high/);
    expect(alert!.explanation.formula).toContain('P(stockout before the next receipt)');
    // The numbers substituted: the probability, the 50 on hand, the lead time and the demand distribution.
    expect(alert!.explanation.substituted).toMatch(
      /P\(stockout before the next receipt\) = [\d.]+%.*on hand 50.*lead time [\d.]+ ± [\d.]+ days/,
    );
    expect(alert!.explanation.inputs.stockoutWithinHorizon).toBeGreaterThan(0);
    expect(alert!.explanation.text.zh).toContain('缺货概率');
    expect(alert!.explanation.text.en).toContain('chance of running out');
    expect(alert!.action.kind).toBe('order');
    expect(alert!.action.packs).toBeGreaterThan(0);
    expect(alert!.action.quantityBase % 10).toBe(0);

    const detail = (
      await t.app.inject({ method: 'GET', url: `/v1/alerts/${alert!.id}`, headers: owner.headers })
    ).json();
    expect(detail.policy.state.reorderPoint.formula).toMatch(/ROP = F⁻¹_\{D_L\}\(CSL\)/);
    expect(detail.policy.forecast.length).toBeGreaterThan(0);
    const events = await withTenantDb(t.deps.database.db, owner, (tx) =>
      tx.execute<{ n: number }>(
        sql`select count(*)::int as n from events where type = 'alert.opened' and payload->>'alertId' = ${alert!.id}`,
      ),
    );
    expect(events.rows[0]!.n).toBe(1);

    const ack = await t.app.inject({
      method: 'POST',
      url: `/v1/alerts/${alert!.id}/acknowledge`,
      headers: owner.headers,
      payload: {},
    });
    expect(ack.statusCode).toBe(200);
    expect(ack.json().alert.status).toBe('acknowledged');

    // Replenish: the condition clears and the alert resolves on its own.
    await t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: owner.headers,
      payload: { type: 'receipt', itemId: item, locationId: loc, quantity: 50, unit: 'box' },
    });
    const resolved = await waitFor(async () => {
      const d = (
        await t.app.inject({ method: 'GET', url: `/v1/alerts/${alert!.id}`, headers: owner.headers })
      ).json();
      return d.alert.status === 'resolved' ? d : null;
    });
    expect(resolved.feed.map((f: { kind: string }) => f.kind)).toEqual([
      'opened',
      'acknowledged',
      'resolved',
    ]);
    const live = await withTenantDb(t.deps.database.db, owner, (tx) =>
      tx.execute<{ n: number }>(
        sql`select count(*)::int as n from alerts where item_id = ${item} and type = 'stockout_risk'`,
      ),
    );
    expect(live.rows[0]!.n).toBe(1);
  });

  it('a burst of movements on one item-location yields one live alert per type, never duplicates', async () => {
    const item = await insertItem(t, owner.organizationId, { code: 'SYR', unitCost: 0.5 });
    await insertDailyHistory(t, owner.organizationId, item, loc, 90, () => 20);
    await t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: owner.headers,
      payload: { type: 'receipt', itemId: item, locationId: loc, quantity: 60 },
    });
    await Promise.all(
      Array.from({ length: 10 }, () =>
        t.app.inject({
          method: 'POST',
          url: '/v1/movements',
          headers: owner.headers,
          payload: { type: 'issue', itemId: item, locationId: loc, quantity: 5 },
        }),
      ),
    );
    await waitFor(async () => (await alertsOf(item)).length > 0);
    await new Promise((r) => setTimeout(r, 1500));
    const rows = await withTenantDb(t.deps.database.db, owner, (tx) =>
      tx.execute<{ type: string; n: number }>(
        sql`select type, count(*)::int as n from alerts where item_id = ${item} and status in ('open','acknowledged','snoozed') group by type`,
      ),
    );
    expect(rows.rows.length).toBeGreaterThan(0);
    expect(rows.rows.every((r) => r.n === 1)).toBe(true);
  });

  it('dismissing keeps the alert quiet until its condition clears; snooze needs a future time', async () => {
    const item = await insertItem(t, owner.organizationId, { code: 'GLOVE', unitCost: 0.3 });
    await insertDailyHistory(t, owner.organizationId, item, loc, 90, () => 30);
    await t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: owner.headers,
      payload: { type: 'receipt', itemId: item, locationId: loc, quantity: 40 },
    });
    const [a] = await waitFor(async () => {
      const list = await alertsOf(item);
      return list.length ? list : null;
    });
    const past = await t.app.inject({
      method: 'POST',
      url: `/v1/alerts/${a!.id}/snooze`,
      headers: owner.headers,
      payload: { until: '2020-01-01T00:00:00Z' },
    });
    expect(past.statusCode).toBe(409);
    const d = await t.app.inject({
      method: 'POST',
      url: `/v1/alerts/${a!.id}/dismiss`,
      headers: owner.headers,
      payload: { reason: 'ward stock counted separately' },
    });
    expect(d.json().alert).toMatchObject({
      status: 'dismissed',
      dismissedReason: 'ward stock counted separately',
    });
    await t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: owner.headers,
      payload: { type: 'issue', itemId: item, locationId: loc, quantity: 1 },
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await alertsOf(item)).filter((x) => x.type === a!.type)).toEqual([]);
    const again = await t.app.inject({
      method: 'POST',
      url: `/v1/alerts/${a!.id}/acknowledge`,
      headers: owner.headers,
      payload: {},
    });
    expect(again.statusCode).toBe(409);
  });
});
