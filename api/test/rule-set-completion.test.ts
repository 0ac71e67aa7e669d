import { DEFAULT_RULE_SET } from '@medstock/core';
import { withTenantDb } from '@medstock/db';
import { currentRuleSet, recalculateItems } from '@medstock/worker/engine/recalculate.ts';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDailyHistory, insertSupplierTerms } from './support/engine-fixtures.ts';
import { centralStore, insertItem } from './support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let owner: SignedUp;
let loc: string;

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

/**
 * What an organisation that saved its rules with an earlier release has in rule_sets: no
 * dead-stock rule yet, no second stockout horizon, no par-minimum rule, and service levels for
 * only some risk classes. Written directly, as the old release wrote it.
 */
function oldRuleSet(): Record<string, unknown> {
  const old = clone(DEFAULT_RULE_SET) as unknown as Record<string, any>;
  delete old.deadStock;
  delete old.belowParMinimum;
  delete old.stockoutRisk.horizonDays;
  old.serviceLevels = { AV: 0.99, BV: 0.98 };
  old.stockoutRisk.maxProbability = { V: 0.02, E: 0.05 };
  old.version = 2;
  return old;
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
  ({ locationId: loc } = await centralStore(t, owner.headers));
});
afterAll(async () => {
  await t?.close();
});

describe('a rule set stored before a rule key existed still recalculates', () => {
  it('the engine completes it with the defaults and computes alerts stamped with its version', async () => {
    await withTenantDb(t.deps.database.db, owner, (tx) =>
      tx.execute(
        sql`insert into rule_sets (version, rules) values (2, ${JSON.stringify(oldRuleSet())}::jsonb)`,
      ),
    );
    const stored = await withTenantDb(t.deps.database.db, owner, (tx) =>
      tx.execute<{ rules: Record<string, unknown> }>(sql`select rules from rule_sets where version = 2`),
    );
    expect(stored.rows[0]!.rules.deadStock).toBeUndefined();

    // The engine's view: complete, with what was stored kept.
    const rules = await withTenantDb(t.deps.database.db, owner, currentRuleSet);
    expect(rules.version).toBe(2);
    expect(rules.deadStock).toEqual(DEFAULT_RULE_SET.deadStock);
    expect(rules.stockoutRisk).toEqual({
      ...DEFAULT_RULE_SET.stockoutRisk,
      maxProbability: { V: 0.02, E: 0.05, D: DEFAULT_RULE_SET.stockoutRisk.maxProbability.D },
    });
    expect(rules.serviceLevels).toEqual({ ...DEFAULT_RULE_SET.serviceLevels, AV: 0.99, BV: 0.98 });

    // A vital item, 10–12 a day for four months, 60 on hand, a week's lead time: at risk.
    const risky = await insertItem(t, owner.organizationId, { code: 'OLD-RULES-V', unitCost: 1, ved: 'V' });
    await insertSupplierTerms(t, owner.organizationId, risky, { packSize: 10, leadDays: 7 });
    await insertDailyHistory(t, owner.organizationId, risky, loc, 120, (i) => 10 + (i % 3));
    const receipt = await t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: owner.headers,
      payload: { type: 'receipt', itemId: risky, locationId: loc, quantity: 60 },
    });
    expect(receipt.statusCode, receipt.body).toBe(201);
    // A second item with history and nothing on hand: stocked out.
    const empty = await insertItem(t, owner.organizationId, { code: 'OLD-RULES-0', unitCost: 1, ved: 'E' });
    await insertDailyHistory(t, owner.organizationId, empty, loc, 60, () => 3);

    const applied = await recalculateItems(t.deps.database, owner.organizationId, [
      { itemId: risky, locationId: loc },
      { itemId: empty, locationId: loc },
    ]);
    expect(applied.opened).toBeGreaterThanOrEqual(2);

    const alerts = await withTenantDb(t.deps.database.db, owner, (tx) =>
      tx.execute<{ code: string; type: string; rule_version: number }>(sql`
        select i.code, a.type, a.rule_version from alerts a join items i on i.id = a.item_id
         where a.status = 'open' and i.code like 'OLD-RULES-%' order by 1, 2`),
    );
    const fired = alerts.rows.map((a) => `${a.code}:${a.type}`);
    expect(fired).toContain('OLD-RULES-V:stockout_risk');
    expect(fired).toContain('OLD-RULES-0:stocked_out');
    for (const a of alerts.rows) expect(a.rule_version, `${a.code}:${a.type}`).toBe(2);

    // The service level of the stored risk class (BV: no ABC class yet, vital) is the stored one.
    const policy = await withTenantDb(t.deps.database.db, owner, (tx) =>
      tx.execute<{ service_level: string }>(
        sql`select service_level::text from item_location_policies where item_id = ${risky} and location_id = ${loc}`,
      ),
    );
    expect(Number(policy.rows[0]!.service_level)).toBe(0.98);
  });

  it('the API shows the same completed rules, and saving them writes a complete set', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/v1/alert-rules', headers: owner.headers });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({ version: 2, isDefault: false });
    expect(body.rules.deadStock).toEqual(DEFAULT_RULE_SET.deadStock);
    expect(body.rules.serviceLevels.AV).toBe(0.99);
    expect(Object.keys(body.rules).sort()).toEqual(Object.keys(DEFAULT_RULE_SET).sort());

    const { version: _v, ...edit } = body.rules;
    edit.deadStock = { enabled: true, daysWithoutIssue: 90 };
    const put = await t.app.inject({
      method: 'PUT',
      url: '/v1/alert-rules',
      headers: owner.headers,
      payload: { ...edit, version: 2 },
    });
    expect(put.statusCode, put.body).toBe(200);
    const saved = await withTenantDb(t.deps.database.db, owner, (tx) =>
      tx.execute<{ rules: Record<string, any> }>(sql`select rules from rule_sets where version = 3`),
    );
    expect(Object.keys(saved.rows[0]!.rules).sort()).toEqual(Object.keys(DEFAULT_RULE_SET).sort());
    expect(saved.rows[0]!.rules.deadStock).toEqual({ enabled: true, daysWithoutIssue: 90 });
  });
});
