import { summariseBacktest } from '@medstock/core';
import { emitEvent, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { addMember } from './support/members.ts';
import { insertSupplier, tenantQuery } from './support/purchasing-fixtures.ts';
import { bearer, type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Site-limited users and API keys read only their sites' backtest rows, lead-time observations,
 * audit entries and webhook deliveries; callers with every site read all of them.
 */
type Headers = Record<string, string>;

let t: TestApp;
let owner: SignedUp;
let approver: { headers: Headers };
let siteA: string;
let siteB: string;
let locA: string;
let locB: string;
let supplierId: string;
let item: string;
/** Site-limited callers (to site A): a user and a key for `read`, a user and a key for `admin`. */
let readers: [string, Headers][];
let admins: [string, Headers][];

const get = (url: string, headers: Headers) => t.app.inject({ method: 'GET', url, headers });

async function key(scopes: string[], siteIds: string[]) {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/api-keys',
    headers: owner.headers,
    payload: { name: `limited ${scopes.join('+')}`, scopes, siteIds },
  });
  expect(r.statusCode, r.body).toBe(201);
  return bearer(r.json().key);
}

async function receivedPo(locationId: string) {
  const created = await t.app.inject({
    method: 'POST',
    url: '/v1/purchase-orders',
    headers: owner.headers,
    payload: { supplierId, locationId, lines: [{ itemId: item, quantity: 5 }] },
  });
  expect(created.statusCode, created.body).toBe(201);
  const po = created.json();
  const approved = await t.app.inject({
    method: 'POST',
    url: `/v1/purchase-orders/${po.id}/approve`,
    headers: approver.headers,
    payload: {},
  });
  expect(approved.statusCode, approved.body).toBe(200);
  const received = await t.app.inject({
    method: 'POST',
    url: `/v1/purchase-orders/${po.id}/receipts`,
    headers: owner.headers,
    payload: { lines: [{ lineId: po.lines[0].id, quantity: 5, lotNumber: 'L1', expiryDate: '2031-01-31' }] },
  });
  expect(received.statusCode, received.body).toBe(201);
  return po as { id: string };
}

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
  owner = await signUp(t);
  ({ siteId: siteA, locationId: locA } = await centralStore(t, owner.headers));
  const b = await t.app.inject({
    method: 'POST',
    url: '/v1/sites',
    headers: owner.headers,
    payload: { code: 'SB', name: 'Site B' },
  });
  expect(b.statusCode, b.body).toBe(201);
  siteB = b.json().id;
  ({ locationId: locB } = await centralStore(t, owner.headers, siteB));
  item = await insertItem(t, owner.organizationId, { code: 'SL-1' });
  supplierId = await insertSupplier(t, owner.organizationId, { code: 'SL-S' });
  approver = await addMember(t, owner.headers, 'admin');
  readers = [
    ['viewer limited to A', (await addMember(t, owner.headers, 'viewer', [siteA])).headers],
    ['read key limited to A', await key(['read'], [siteA])],
  ];
  admins = [
    ['admin limited to A', (await addMember(t, owner.headers, 'admin', [siteA])).headers],
    ['admin key limited to A', await key(['read', 'admin'], [siteA])],
  ];
});
afterAll(async () => t?.close());

describe('backtest rows', () => {
  let runId: string;
  const parameters = {
    from: '2025-01-06',
    to: '2025-01-13',
    step: 'weekly',
    horizonDays: 30,
    leadTime: { mode: 'recorded' },
  } as const;
  const noErrors = { mase: null, rmsse: null, pinball: null };
  // At A: one new stock-out alerted. At B: an alert that stayed in stock, and a site already out.
  const rows = [
    { loc: () => locA, asOf: '2025-01-06', position: 4, p: 0.9, alert: true, outcome: 'new_stockout' },
    { loc: () => locB, asOf: '2025-01-06', position: 9, p: 0.8, alert: true, outcome: 'none' },
    { loc: () => locB, asOf: '2025-01-13', position: 0, p: 1, alert: true, outcome: 'already_out' },
  ] as const;
  beforeAll(async () => {
    const contractRows = rows.map((r) => ({
      asOf: r.asOf,
      position: r.position,
      leadTimeDays: 7,
      model: 'ses',
      family: 'poisson',
      grain: 'daily',
      forecast: [],
      pBeforeReceipt: r.p,
      pWithinHorizon: r.p,
      alertRaised: r.alert,
      outcome: r.outcome,
      monthsOfStock: r.position / 10,
      errors: { engine: noErrors, naive: noErrors, mean3: noErrors },
    }));
    const summary = { ...summariseBacktest(contractRows, parameters), itemLocations: 2 };
    runId = (
      await tenantQuery<{ id: string }>(
        t,
        owner.organizationId,
        sql`insert into backtest_runs (status, from_date, to_date, step, horizon_days, summary, finished_at)
            values ('succeeded', '2025-01-06', '2025-01-13', 'weekly', 30, ${JSON.stringify(summary)}::jsonb, now())
            returning id`,
      )
    )[0]!.id;
    for (const r of rows) {
      await tenantQuery(
        t,
        owner.organizationId,
        sql`insert into backtest_rows (run_id, item_id, location_id, as_of, model, position, lead_time_days, p_before_receipt, p_within_horizon, alert_raised, outcome, months_of_stock, errors)
            values (${runId}, ${item}, ${r.loc()}, ${r.asOf}, 'ses', ${r.position}, 7, ${r.p}, ${r.p}, ${r.alert}, ${r.outcome}, ${r.position / 10},
                    ${JSON.stringify({ engine: noErrors, naive: noErrors, mean3: noErrors })}::jsonb)`,
      );
    }
  });

  it('JSON and CSV hold only the caller’s sites; the summary is scored again from those rows', async () => {
    const all = (await get(`/v1/backtests/${runId}/rows`, owner.headers)).json();
    expect(all.items.map((r: { locationId: string }) => r.locationId).sort()).toEqual(
      [locA, locB, locB].sort(),
    );
    for (const [who, headers] of readers) {
      const got = await get(`/v1/backtests/${runId}/rows`, headers);
      expect(got.statusCode, who).toBe(200);
      expect(
        got.json().items.map((r: { locationId: string }) => r.locationId),
        who,
      ).toEqual([locA]);
      const csv = await get(`/v1/backtests/${runId}/rows?format=csv`, headers);
      expect(csv.statusCode, who).toBe(200);
      const lines = csv.body.trim().split('\n');
      expect(lines, who).toHaveLength(2);
      expect(lines[1], who).toContain('new_stockout');
      expect(csv.body, who).not.toContain('already_out');

      const run = (await get(`/v1/backtests/${runId}`, headers)).json();
      expect(run.scope, who).toBe('your sites');
      expect(run.summary, who).toMatchObject({
        rows: 1,
        itemLocations: 1,
        outcomes: { new_stockout: 1, none: 0, already_out: 0, unknown: 0 },
        alertPrecision: 1,
        alertRecall: 1,
      });
      const listed = (await get('/v1/backtests', headers)).json().items;
      expect(listed.find((r: { id: string }) => r.id === runId).summary.rows, who).toBe(1);
    }
    const ownerCsv = await get(`/v1/backtests/${runId}/rows?format=csv`, owner.headers);
    expect(ownerCsv.body.trim().split('\n')).toHaveLength(4);
    expect((await get(`/v1/backtests/${runId}`, owner.headers)).json()).toMatchObject({
      scope: 'organization',
      summary: { rows: 3, itemLocations: 2, alertPrecision: 0.5, outcomes: { already_out: 1 } },
    });
  });
});

describe('lead-time observations', () => {
  it('are at the site of their purchase order', async () => {
    const atA = await receivedPo(locA);
    const atB = await receivedPo(locB);
    const all = (await get(`/v1/lead-times?itemId=${item}`, owner.headers)).json();
    expect(all.items.map((o: { purchaseOrderId: string }) => o.purchaseOrderId).sort()).toEqual(
      [atA.id, atB.id].sort(),
    );
    expect(all.summary.n).toBe(2);
    for (const [who, headers] of readers) {
      const mine = await get(`/v1/lead-times?itemId=${item}`, headers);
      expect(mine.statusCode, who).toBe(200);
      expect(
        mine.json().items.map((o: { purchaseOrderId: string }) => o.purchaseOrderId),
        who,
      ).toEqual([atA.id]);
      expect(mine.json().summary.n, who).toBe(1);
    }
  });
});

describe('audit log', () => {
  it('shows a site-limited admin only entries at their sites', async () => {
    const draft = async (locationId: string) =>
      (
        await t.app.inject({
          method: 'POST',
          url: '/v1/purchase-orders',
          headers: owner.headers,
          payload: { supplierId, locationId, lines: [{ itemId: item, quantity: 1 }] },
        })
      ).json().id as string;
    const [poA, poB] = [await draft(locA), await draft(locB)];
    for (const id of [poA, poB]) {
      const r = await t.app.inject({
        method: 'PATCH',
        url: `/v1/purchase-orders/${id}`,
        headers: owner.headers,
        payload: { notes: 'audited' },
      });
      expect(r.statusCode).toBe(200);
    }
    // Changing the location from A to B touches both sites.
    const moved = await draft(locA);
    expect(
      (
        await t.app.inject({
          method: 'PATCH',
          url: `/v1/purchase-orders/${moved}`,
          headers: owner.headers,
          payload: { locationId: locB },
        })
      ).statusCode,
    ).toBe(200);
    // A catalogue change is at no site.
    const supplier = await t.app.inject({
      method: 'POST',
      url: '/v1/suppliers',
      headers: owner.headers,
      payload: { code: 'SL-AUDIT', name: 'Audited supplier' },
    });
    expect(supplier.statusCode, supplier.body).toBe(201);

    const paths = (items: { path: string }[]) => items.map((e) => e.path);
    const wanted = [
      `/v1/purchase-orders/${poA}`,
      `/v1/purchase-orders/${poB}`,
      `/v1/purchase-orders/${moved}`,
    ];
    // The audit entry is written once the response is sent: wait until the owner sees all of them.
    let ownerPaths: string[] = [];
    for (let i = 0; i < 100; i++) {
      ownerPaths = paths((await get('/v1/audit-log?limit=200', owner.headers)).json().items);
      if (wanted.every((p) => ownerPaths.includes(p)) && ownerPaths.includes('/v1/suppliers')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(ownerPaths).toEqual(expect.arrayContaining([...wanted, '/v1/suppliers']));

    for (const [who, headers] of admins) {
      const log = await get('/v1/audit-log?limit=200', headers);
      expect(log.statusCode, who).toBe(200);
      const seen = paths(log.json().items);
      expect(seen, who).toContain(`/v1/purchase-orders/${poA}`);
      expect(seen, who).not.toContain(`/v1/purchase-orders/${poB}`);
      expect(seen, who).not.toContain(`/v1/purchase-orders/${moved}`);
      expect(seen, who).not.toContain('/v1/suppliers');
      expect(seen, who).not.toContain('/v1/sites');
    }
  });
});

describe('webhook deliveries', () => {
  it('show a site-limited admin only deliveries whose event is at their sites', async () => {
    const ep = await t.app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: owner.headers,
      payload: {
        url: 'http://127.0.0.1:9/hook',
        events: ['movement.created', 'purchase_order.status_changed', 'alert.opened', 'import.finished'],
      },
    });
    expect(ep.statusCode, ep.body).toBe(201);
    const endpointId = ep.json().id as string;
    const move = async (payload: Record<string, unknown>) => {
      const r = await t.app.inject({ method: 'POST', url: '/v1/movements', headers: owner.headers, payload });
      expect(r.statusCode, r.body).toBe(201);
    };
    const lot = { lotNumber: 'W1', expiryDate: '2031-05-31' };
    await move({ type: 'receipt', itemId: item, locationId: locA, quantity: 10, ...lot });
    await move({ type: 'receipt', itemId: item, locationId: locB, quantity: 10, ...lot });
    await move({ type: 'transfer', itemId: item, locationId: locA, toLocationId: locB, quantity: 2, ...lot });
    await withTenantDb(t.deps.database.db, { organizationId: owner.organizationId }, async (tx) => {
      for (const locationId of [locA, locB])
        await emitEvent(tx, 'alert.opened', { alertId: crypto.randomUUID(), itemId: item, locationId });
      await emitEvent(tx, 'import.finished', {
        importId: crypto.randomUUID(),
        kind: 'items',
        status: 'succeeded',
      });
    });
    const ping = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/${endpointId}/test`,
      headers: owner.headers,
    });
    expect(ping.statusCode, ping.body).toBeLessThan(300);

    const bodyOf = async (deliveryId: string, headers: Headers) =>
      get(`/v1/webhooks/${endpointId}/deliveries/${deliveryId}`, headers);
    const all = (await get(`/v1/webhooks/${endpointId}/deliveries?limit=200`, owner.headers)).json()
      .items as {
      id: string;
      eventType: string;
    }[];
    const dataOf = new Map<string, { type: string; data: Record<string, unknown> }>();
    for (const d of all) {
      const body = (await bodyOf(d.id, owner.headers)).json().body;
      dataOf.set(d.id, { type: d.eventType, data: body.data });
    }
    // At A only: the receipt at A, the alert at A's location, and the ping (which names no data).
    // Not: the receipt at B, the transfer A → B, the alert at B, import.finished (no site).
    const onlyA = ({ type, data }: { type: string; data: Record<string, unknown> }) =>
      type === 'ping' ||
      (data.siteId === siteA && data.toSiteId === null) ||
      (data.siteId === undefined && data.locationId === locA);
    const expected = all
      .filter((d) => onlyA(dataOf.get(d.id)!))
      .map((d) => d.id)
      .sort();
    expect(all).toHaveLength(7);
    expect(expected).toHaveLength(3);

    for (const [who, headers] of admins) {
      // An endpoint receives every site's events, so a site-limited admin can neither add one
      // nor point an existing one elsewhere.
      const add = await t.app.inject({
        method: 'POST',
        url: '/v1/webhooks',
        headers,
        payload: { url: 'http://127.0.0.1:9/mine', events: ['movement.created'] },
      });
      expect(add.statusCode, who).toBe(403);
      expect(add.json().code, who).toBe('all_sites_required');
      const redirect = await t.app.inject({
        method: 'PATCH',
        url: `/v1/webhooks/${endpointId}`,
        headers,
        payload: { url: 'http://127.0.0.1:9/mine' },
      });
      expect(redirect.statusCode, who).toBe(403);
      expect(redirect.json().code, who).toBe('all_sites_required');

      const listed = await get(`/v1/webhooks/${endpointId}/deliveries?limit=200`, headers);
      expect(listed.statusCode, who).toBe(200);
      expect(
        listed
          .json()
          .items.map((d: { id: string }) => d.id)
          .sort(),
        who,
      ).toEqual(expected);
      for (const d of all) {
        const one = await bodyOf(d.id, headers);
        expect(one.statusCode, `${who} ${dataOf.get(d.id)!.type}`).toBe(expected.includes(d.id) ? 200 : 404);
      }
    }
  });
});
