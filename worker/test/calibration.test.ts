import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDailyHistory, insertSupplierTerms } from '../../api/test/support/engine-fixtures.ts';
import { centralStore, insertItem } from '../../api/test/support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from '../../api/test/support/test-app.ts';
import { recalculateItems } from '../src/engine/recalculate.ts';

let t: TestApp;
let owner: SignedUp;
let loc: string;
let item: string;

/** A logistic map with a = 0, b = 0: every computed probability becomes 50%, easy to see. */
const flat = {
  version: 1,
  method: 'logistic',
  a: 0,
  b: 0,
  rows: 400,
  positives: 80,
  brierBefore: 0.2,
  brierAfter: 0.15,
};

const policy = async () =>
  (
    await withTenantDb(t.deps.database.db, owner, (tx) =>
      tx.execute<{ p: string | null; calibrated: boolean; horizon_days: number; state: any }>(sql`
        select stockout_probability_horizon::text as p, probability_calibrated as calibrated, horizon_days, state
          from item_location_policies where item_id = ${item}`),
    )
  ).rows[0]!;

beforeAll(async () => {
  t = await startTestApp({});
  owner = await signUp(t);
  ({ locationId: loc } = await centralStore(t, owner.headers));
  item = await insertItem(t, owner.organizationId, { code: 'CAL', unitCost: 1, ved: 'E' });
  await insertSupplierTerms(t, owner.organizationId, item, { packSize: 1, leadDays: 7 });
  await insertDailyHistory(t, owner.organizationId, item, loc, 120, () => 5);
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/movements',
    headers: owner.headers,
    payload: { type: 'receipt', itemId: item, locationId: loc, quantity: 120 },
  });
  expect(r.statusCode).toBe(201);
});
afterAll(async () => {
  await t?.close();
});

describe('recalibration from the organisation’s own backtest', () => {
  it('raw probabilities stand while no calibration exists', async () => {
    await recalculateItems(t.deps.database, owner.organizationId, [{ itemId: item, locationId: loc }]);
    const p = await policy();
    expect(p.calibrated).toBe(false);
    expect(p.horizon_days).toBe(30);
    expect(Number(p.p)).not.toBe(0.5);
  });

  it('a calibration for another horizon is not applied', async () => {
    await withTenantDb(t.deps.database.db, owner, (tx) =>
      tx.execute(sql`insert into stockout_calibrations (horizon_days, method, calibration, scored_rows, positives)
                     values (60, 'logistic', ${JSON.stringify(flat)}::jsonb, 400, 80)`),
    );
    await recalculateItems(t.deps.database, owner.organizationId, [{ itemId: item, locationId: loc }]);
    expect((await policy()).calibrated).toBe(false);
  });

  it('the newest calibration for the organisation’s horizon maps P(within 30 days) and the explanation says so', async () => {
    await withTenantDb(t.deps.database.db, owner, (tx) =>
      tx.execute(sql`insert into stockout_calibrations (horizon_days, method, calibration, scored_rows, positives)
                     values (30, 'logistic', ${JSON.stringify(flat)}::jsonb, 400, 80)`),
    );
    await recalculateItems(t.deps.database, owner.organizationId, [{ itemId: item, locationId: loc }]);
    const p = await policy();
    expect(p.calibrated).toBe(true);
    expect(Number(p.p)).toBeCloseTo(0.5, 3);
    expect(p.state.stockoutWithinHorizon.substituted).toContain('recalibrated');
    expect(p.state.stockoutWithinHorizon.substituted).toContain('400 backtest rows');
  });
});
