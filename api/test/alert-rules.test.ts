import { randomBytes } from 'node:crypto';
import { DEFAULT_RULE_SET } from '@medstock/core';
import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWorker, startWorker } from '../../worker/src/index.ts';
import { insertDailyHistory, insertSupplierTerms } from './support/engine-fixtures.ts';
import { centralStore, insertItem } from './support/fixtures.ts';
import { addMember } from './support/members.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';
import { waitFor } from './support/wait-for.ts';

let t: TestApp;
let running: RunningWorker;
let owner: SignedUp;
let loc: string;

const { version: _v, ...defaultBody } = DEFAULT_RULE_SET;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

async function member(role: string) {
  return (await addMember(t, owner.headers, role)).headers;
}

const put = (payload: unknown, headers = owner.headers) =>
  t.app.inject({ method: 'PUT', url: '/v1/alert-rules', headers, payload: payload as object });

beforeAll(async () => {
  t = await startTestApp({ QUEUE_PREFIX: `r${randomBytes(4).toString('hex')}` });
  running = await startWorker(t.config, { scheduleSyncMs: 60_000 });
  owner = await signUp(t);
  ({ locationId: loc } = await centralStore(t, owner.headers));
});
afterAll(async () => {
  await running?.close();
  await t?.close();
});

describe('alert rules: editable, versioned, and what fires follows them', () => {
  it('starts with the built-in rules, version 1, readable by every role', async () => {
    const viewer = await member('viewer');
    const r = await t.app.inject({ method: 'GET', url: '/v1/alert-rules', headers: viewer });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      version: 1,
      isDefault: true,
      createdAt: null,
      createdBy: null,
      rules: DEFAULT_RULE_SET,
    });
  });

  it('only the admin scope may change them; bodies are validated strictly', async () => {
    for (const role of ['purchaser', 'storekeeper', 'nurse', 'viewer']) {
      expect((await put(defaultBody, await member(role))).statusCode, role).toBe(403);
    }
    const bad: Array<[string, unknown]> = [
      [
        'service level above 0.9999',
        { ...clone(defaultBody), serviceLevels: { ...defaultBody.serviceLevels, AV: 1.5 } },
      ],
      ['unknown field', { ...clone(defaultBody), extra: true }],
      ['missing rule', (({ deadStock: _d, ...rest }) => rest)(clone(defaultBody))],
      [
        'probability as a string',
        {
          ...clone(defaultBody),
          stockoutRisk: { enabled: true, maxProbability: { V: '0.1', E: 0.05, D: 0.1 } },
        },
      ],
    ];
    for (const [why, body] of bad) {
      const r = await put(body);
      expect(r.statusCode, why).toBe(400);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/alert-rules', headers: owner.headers })).json().version,
    ).toBe(1);
  });

  it('each edit is a new version; an edit based on an old version is refused; the history lists them all', async () => {
    const v2 = await put({ ...clone(defaultBody), deadStock: { enabled: true, daysWithoutIssue: 200 } });
    expect(v2.statusCode, v2.body).toBe(200);
    expect(v2.json()).toMatchObject({
      version: 2,
      isDefault: false,
      createdBy: owner.userId,
      rules: { version: 2, deadStock: { daysWithoutIssue: 200 } },
    });
    expect(v2.json().recalculationJobId).toBe(`recalc-full_${owner.organizationId}_rules-v2`);
    const stale = await put({ ...clone(defaultBody), version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe('rule_set_changed');
    const v3 = await put({
      ...clone(defaultBody),
      version: 2,
      expiryRisk: { enabled: false, horizonDays: 60, minValue: 10 },
    });
    expect(v3.json().version).toBe(3);

    const current = (
      await t.app.inject({ method: 'GET', url: '/v1/alert-rules', headers: owner.headers })
    ).json();
    expect(current).toMatchObject({
      version: 3,
      rules: {
        version: 3,
        expiryRisk: { enabled: false, horizonDays: 60, minValue: 10 },
        deadStock: { daysWithoutIssue: 180 },
      },
    });
    const p1 = (
      await t.app.inject({ method: 'GET', url: '/v1/alert-rules/versions?limit=2', headers: owner.headers })
    ).json();
    expect(p1.items.map((v: { version: number }) => v.version)).toEqual([3, 2]);
    const p2 = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/alert-rules/versions?limit=2&cursor=${p1.nextCursor}`,
        headers: owner.headers,
      })
    ).json();
    expect(p2.items.map((v: { version: number; isDefault: boolean }) => [v.version, v.isDefault])).toEqual([
      [1, true],
    ]);
    expect(p2.nextCursor).toBeNull();
  });

  it('raising the vital-class limit resolves a stockout-risk alert on the recalculation the edit queues; service levels set the policy', async () => {
    const item = await insertItem(t, owner.organizationId, { code: 'GAUZE-V', unitCost: 1.2, ved: 'V' });
    await insertSupplierTerms(t, owner.organizationId, item, { packSize: 10, leadDays: 7 });
    await insertDailyHistory(t, owner.organizationId, item, loc, 120, (i) => 10 + (i % 3));
    await t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: owner.headers,
      payload: { type: 'receipt', itemId: item, locationId: loc, quantity: 60 },
    });
    const alertsOf = async (status: string) =>
      (
        await t.app.inject({
          method: 'GET',
          url: `/v1/alerts?itemId=${item}&type=stockout_risk&status=${status}`,
          headers: owner.headers,
        })
      ).json().items as Array<Record<string, any>>;
    const [open] = await waitFor(async () => {
      const a = await alertsOf('open');
      return a.length ? a : null;
    });
    expect(open!.ruleVersion).toBe(3);
    expect(open!.explanation.threshold.maxProbability).toBe(0.02);

    const rules = clone(defaultBody);
    rules.stockoutRisk.maxProbability.V = 1;
    rules.serviceLevels.BV = 0.9;
    const edit = await put(rules);
    expect(edit.json().version).toBe(4);
    const resolved = await waitFor(async () => {
      const d = (
        await t.app.inject({ method: 'GET', url: `/v1/alerts/${open!.id}`, headers: owner.headers })
      ).json();
      return d.alert.status === 'resolved' ? d : null;
    });
    expect(resolved.feed.map((f: { kind: string }) => f.kind)).toEqual(['opened', 'resolved']);
    const policy = await withTenantDb(t.deps.database.db, owner, (tx) =>
      tx.execute<{ service_level: string }>(
        sql`select service_level::text from item_location_policies where item_id = ${item} and location_id = ${loc}`,
      ),
    );
    // The item has no ABC class yet (B by default) and is vital: risk class BV.
    expect(Number(policy.rows[0]!.service_level)).toBe(0.9);

    // Back to a strict limit: the alert fires again, stamped with the version that fired it.
    rules.stockoutRisk.maxProbability.V = 0.02;
    expect((await put(rules)).json().version).toBe(5);
    const [again] = await waitFor(async () => {
      const a = await alertsOf('open');
      return a.length ? a : null;
    });
    expect(again!.ruleVersion).toBe(5);
    expect(again!.id).not.toBe(open!.id);
  });

  it('POST /v1/engine/recalculate queues a full run (202); runs are listed with their progress', async () => {
    const viewer = await member('viewer');
    expect(
      (await t.app.inject({ method: 'POST', url: '/v1/engine/recalculate', headers: viewer, payload: {} }))
        .statusCode,
    ).toBe(403);
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/engine/recalculate',
      headers: owner.headers,
      payload: {},
    });
    expect(r.statusCode).toBe(202);
    expect(r.json().jobId).toMatch(new RegExp(`^recalc-full_${owner.organizationId}_`));
    const runs = await waitFor(async () => {
      const list = (await t.app.inject({ method: 'GET', url: '/v1/engine/runs', headers: viewer })).json()
        .items as Array<Record<string, any>>;
      return list.length >= 2 && list[0]!.status === 'done' ? list : null;
    });
    expect(runs[0]).toMatchObject({ kind: 'full', status: 'done' });
    expect(runs[0]!.done).toBe(runs[0]!.total);
    const policies = (
      await t.app.inject({ method: 'GET', url: '/v1/policies?limit=1', headers: viewer })
    ).json();
    expect(policies.items[0].reorderPoint.formula).toContain('ROP');
    expect(policies.items[0].stockoutProbability.formula).toMatch(/P\(stockout before the next receipt\)/);
    expect(policies.items[0].stockoutWithinHorizon.horizonDays).toBe(30);
  });
});
