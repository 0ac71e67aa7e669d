import { randomBytes } from 'node:crypto';
import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from '../../api/test/support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from '../../api/test/support/test-app.ts';
import { type RunningWorker, startWorker } from '../src/index.ts';

let t: TestApp;
let running: RunningWorker;
let owner: SignedUp;
const DAY = 86_400_000;
const dayAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();

beforeAll(async () => {
  t = await startTestApp({ QUEUE_PREFIX: `b${randomBytes(4).toString('hex')}` });
  running = await startWorker(t.config, { scheduleSyncMs: 60_000 });
  owner = await signUp(t);
  const { locationId } = await centralStore(t, owner.headers);
  const item = await insertItem(t, owner.organizationId, { code: 'BT-1', ved: 'V' });
  // A real ledger: 10 a day issued; 280 received every 30 days, except one late delivery that
  // leaves the store empty for a week (a stockout the backtest must find).
  await withTenantDb(t.deps.database.db, owner, async (tx) => {
    let balance = 0;
    for (let d = 240; d >= 1; d--) {
      const late = d <= 120 && d > 90;
      if (d % 30 === 0 && !late) {
        await tx.execute(
          sql`insert into movements (type, item_id, location_id, quantity, occurred_at) values ('receipt', ${item}, ${locationId}, 280, ${dayAgo(d)})`,
        );
        balance += 280;
      }
      if (d === 84) {
        await tx.execute(
          sql`insert into movements (type, item_id, location_id, quantity, occurred_at) values ('receipt', ${item}, ${locationId}, 280, ${dayAgo(d)})`,
        );
        balance += 280;
      }
      const q = Math.min(10, balance);
      if (q > 0) {
        await tx.execute(
          sql`insert into movements (type, item_id, location_id, quantity, occurred_at) values ('issue', ${item}, ${locationId}, ${-q}, ${dayAgo(d)})`,
        );
        balance -= q;
      }
    }
  });
});
afterAll(async () => {
  await running?.close();
  await t?.close();
});

describe('backtest', () => {
  it('replays the engine over a past period and scores alerts and forecasts; rows download as JSON and CSV', async () => {
    const from = dayAgo(180).slice(0, 10);
    const to = dayAgo(40).slice(0, 10);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/backtests',
      headers: owner.headers,
      payload: { from: to, to: from },
    });
    expect(bad.statusCode).toBe(422);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/backtests',
      headers: owner.headers,
      payload: { from, to, step: 'daily' },
    });
    expect(res.statusCode).toBe(202);
    const id = res.json().id;
    let run: any;
    const end = Date.now() + 60_000;
    while (Date.now() < end) {
      run = (
        await t.app.inject({ method: 'GET', url: `/v1/backtests/${id}`, headers: owner.headers })
      ).json();
      if (run.status === 'succeeded' || run.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(run.status, run.error).toBe('succeeded');
    const s = run.summary;
    expect(s.rows).toBe(141);
    expect(s.itemLocations).toBe(1);
    // The late delivery: days on which the store still had stock but ran out within 30 days.
    expect(s.outcomes.new_stockout).toBeGreaterThan(0);
    expect(s.outcomes.already_out).toBeGreaterThan(0);
    expect(s.alerts.engine.newStockouts).toBe(s.outcomes.new_stockout);
    expect(s.alerts.monthsOfStock.rows).toBe(s.alerts.engine.rows);
    expect(s.alertRecall).toBeGreaterThan(0.5);
    // Forecasts are scored on days with stock (a stock-out day's issues understate demand): there the
    // demand is a steady 10 a day, which the engine forecasts almost exactly; the baselines are scored too.
    expect(typeof s.forecast.engine.rmsse).toBe('number');
    expect(s.forecast.engine.rmsse).toBeLessThan(0.1);
    expect(typeof s.forecast.naive.rmsse).toBe('number');
    expect(typeof s.forecast.mean3.rmsse).toBe('number');

    const page = (
      await t.app.inject({ method: 'GET', url: `/v1/backtests/${id}/rows?limit=500`, headers: owner.headers })
    ).json();
    expect(page.items).toHaveLength(141);
    expect(page.items[0]).toMatchObject({ asOf: from, itemCode: 'BT-1', alertRaised: expect.any(Boolean) });
    // The ledger starts with a receipt: every position is known, and matches the replayed balance.
    for (const r of page.items) expect(r.position).not.toBeNull();
    const csv = await t.app.inject({
      method: 'GET',
      url: `/v1/backtests/${id}/rows?format=csv`,
      headers: owner.headers,
    });
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toMatch(
      /^item_code,item_name_zh,item_name_en,site_code,site_name,location_code,location_name,as_of,position,/,
    );
    expect(lines).toHaveLength(142);
  });
});
