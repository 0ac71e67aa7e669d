import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import {
  BODY_ID_PROBES,
  NOT_TENANT_PATHS,
  PARAM_RESOURCE,
  PARAM_VALUES,
  PATH_RESOURCE,
  type ResourceKind,
  SAMPLE_BODIES,
} from './support/isolation.ts';
import { addMember } from './support/members.ts';
import {
  bearer,
  type SignedUp,
  signUp,
  startTestApp,
  type TestApp,
  uniqueEmail,
} from './support/test-app.ts';

let t: TestApp;
let a: SignedUp;
let b: SignedUp;
let aKey: string;
const bIds = {} as Record<ResourceKind, string>;
let bSnapshot: string;
const EXPLANATION = {
  rule: 'stocked_out',
  ruleVersion: 1,
  threshold: {},
  inputs: {},
  formula: 'on-hand = 0',
  substituted: 'on-hand = 0',
  text: { zh: '缺货', en: 'out' },
};

// The request's own URL (problem `instance`, audit `path`) echoes what A asked for; not B's data.
const withoutEcho = (body: string) => body.replace(/"(instance|path)":"[^"]*"/g, '');

type Operation = { method: string; path: string; hasParams: boolean };
function operations(): Operation[] {
  const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => ({
      method: method.toUpperCase(),
      path,
      hasParams: path.includes('{') && !NOT_TENANT_PATHS.has(path),
    })),
  );
}

/** Everything tenant B can see about itself, to prove A changed none of it. */
async function snapshotB(): Promise<string> {
  const parts = await Promise.all(
    [
      '/v1/sites',
      `/v1/sites/${bIds.site}/locations`,
      '/v1/users',
      '/v1/invitations',
      '/v1/api-keys',
      '/v1/organization',
      '/v1/stock?groupBy=lot',
      '/v1/movements',
      '/v1/alerts?status=open',
      '/v1/items',
      `/v1/items/${bIds.item}`,
      '/v1/suppliers',
      `/v1/locations/${bIds.location}/par-levels`,
      '/v1/anomalies',
      '/v1/purchase-orders',
      `/v1/purchase-orders/${bIds.purchaseOrder}`,
      '/v1/procedure-types',
      '/v1/scheduled-procedures',
      '/v1/lead-times',
      '/v1/stock-reports',
      '/v1/stocktakes',
      `/v1/stocktakes/${bIds.stocktake}`,
      '/v1/departments',
      '/v1/requisitions',
      `/v1/requisitions/${bIds.requisition}`,
      '/v1/recalls',
      '/v1/inspections',
      '/v1/consignment/stock',
    ].map(async (url) => {
      const r = await t.app.inject({ method: 'GET', url, headers: b.headers });
      return r.body.replace(/"lastUsedAt":"[^"]*"/g, '');
    }),
  );
  return parts.join('\n');
}

beforeAll(async () => {
  t = await startTestApp();
  a = await signUp(t, { organizationName: 'Tenant A' });
  b = await signUp(t, { organizationName: 'Tenant B' });
  aKey = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: a.headers,
      payload: { name: 'a', scopes: ['read', 'stock:write', 'purchasing', 'admin'] },
    })
  ).json().key;
  bIds.site = (
    await t.app.inject({ method: 'GET', url: '/v1/sites', headers: b.headers })
  ).json().items[0].id;
  bIds.apiKey = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: b.headers,
      payload: { name: 'b', scopes: ['read'] },
    })
  ).json().id;
  bIds.member = (await addMember(t, b.headers, 'viewer')).id;
  bIds.invitation = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/invitations',
      headers: b.headers,
      payload: { email: uniqueEmail('b-invitee'), role: 'viewer' },
    })
  ).json().id;
  bIds.session = (
    await t.app.inject({ method: 'GET', url: '/v1/auth/sessions', headers: b.headers })
  ).json().items[0].id;
  bIds.location = (await centralStore(t, b.headers, bIds.site)).locationId;
  bIds.item = await insertItem(t, b.organizationId, { code: 'B-ITEM' });
  bIds.supplier = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/suppliers',
      headers: b.headers,
      payload: { code: 'B-SUP', name: 'B' },
    })
  ).json().id;
  await t.app.inject({
    method: 'PUT',
    url: `/v1/items/${bIds.item}/suppliers/${bIds.supplier}`,
    headers: b.headers,
    payload: { packPrice: 2 },
  });
  await t.app.inject({
    method: 'PUT',
    url: `/v1/locations/${bIds.location}/par-levels/${bIds.item}`,
    headers: b.headers,
    payload: { minQty: 3 },
  });
  bIds.movementGroup = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: b.headers,
      payload: { type: 'receipt', itemId: bIds.item, locationId: bIds.location, quantity: 7 },
    })
  ).json().groupId;
  bIds.alert = await withTenantDb(t.deps.database.db, b, async (tx) => {
    const r = await tx.execute<{ id: string }>(sql`
      insert into alerts (type, item_id, location_id, site_id, severity, rule_version, explanation)
      values ('stocked_out', ${bIds.item}, ${bIds.location}, ${bIds.site}, 'critical', 1, ${JSON.stringify(EXPLANATION)}::jsonb) returning id`);
    return r.rows[0]!.id;
  });
  bIds.backtest = await withTenantDb(
    t.deps.database.db,
    b,
    async (tx) =>
      (
        await tx.execute<{ id: string }>(
          sql`insert into backtest_runs (from_date, to_date, step) values ('2026-01-01', '2026-02-01', 'weekly') returning id`,
        )
      ).rows[0]!.id,
  );
  bIds.anomaly = await withTenantDb(
    t.deps.database.db,
    b,
    async (tx) =>
      (
        await tx.execute<{ id: string }>(
          sql`insert into consumption_anomalies (item_id, location_id, day, quantity, expected) values (${bIds.item}, ${bIds.location}, '2026-01-05', 90, 10) returning id`,
        )
      ).rows[0]!.id,
  );
  const bPo = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/purchase-orders',
      headers: b.headers,
      payload: {
        supplierId: bIds.supplier,
        locationId: bIds.location,
        lines: [{ itemId: bIds.item, quantity: 5 }],
      },
    })
  ).json();
  await t.app.inject({ method: 'POST', url: `/v1/purchase-orders/${bPo.id}/approve`, headers: b.headers });
  bIds.purchaseOrder = bPo.id;
  const monthAgo = new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10);
  const report = await t.app.inject({
    method: 'POST',
    url: '/v1/stock-reports',
    headers: b.headers,
    payload: {
      itemId: bIds.item,
      locationId: bIds.location,
      periodStart: `${monthAgo.slice(0, 8)}01`,
      periodEnd: monthAgo,
      received: 10,
      issued: 4,
      closingCount: 6,
    },
  });
  expect(report.statusCode, report.body).toBe(201);
  bIds.stockReport = report.json().report.id;
  const stocktake = await t.app.inject({
    method: 'POST',
    url: '/v1/stocktakes',
    headers: b.headers,
    payload: { locationId: bIds.location },
  });
  expect(stocktake.statusCode, stocktake.body).toBe(201);
  bIds.stocktake = stocktake.json().id;
  bIds.procedureType = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/procedure-types',
      headers: b.headers,
      payload: { code: 'B-PT', nameZh: '乙', nameEn: 'B', kit: [{ itemId: bIds.item, quantity: 1 }] },
    })
  ).json().id;
  bIds.scheduledProcedure = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/scheduled-procedures',
      headers: b.headers,
      payload: {
        procedureTypeId: bIds.procedureType,
        locationId: bIds.location,
        scheduledFor: '2031-01-01',
        externalRef: 'B-HIS-1',
      },
    })
  ).json().id;
  bIds.importJob = await withTenantDb(
    t.deps.database.db,
    b,
    async (tx) =>
      (
        await tx.execute<{ id: string }>(
          sql`insert into import_jobs (kind, format, status, file_name) values ('movements', 'csv', 'failed', 'b.csv') returning id`,
        )
      ).rows[0]!.id,
  );
  bIds.webhook = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: b.headers,
      payload: { url: 'https://erp.example.org/hooks/b', events: ['movement.created'] },
    })
  ).json().id;
  bIds.webhookDelivery = (
    await t.app.inject({ method: 'POST', url: `/v1/webhooks/${bIds.webhook}/test`, headers: b.headers })
  ).json().id;
  bIds.department = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/departments',
      headers: b.headers,
      payload: { siteId: bIds.site, code: 'B-WARD', name: 'B ward', costCentre: 'B-CC' },
    })
  ).json().id;
  bIds.requisition = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/requisitions',
      headers: b.headers,
      payload: {
        departmentId: bIds.department,
        sourceLocationId: bIds.location,
        lines: [{ itemId: bIds.item, quantity: 1 }],
      },
    })
  ).json().id;
  const bLot = await t.app.inject({
    method: 'POST',
    url: '/v1/movements',
    headers: b.headers,
    payload: {
      type: 'receipt',
      itemId: bIds.item,
      locationId: bIds.location,
      quantity: 2,
      lotNumber: 'B-LOT',
      expiryDate: '2030-01-31',
    },
  });
  expect(bLot.statusCode, bLot.body).toBe(201);
  // Goods of B waiting for inspection (待验收).
  bIds.inspection = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: b.headers,
      payload: {
        type: 'receipt',
        itemId: bIds.item,
        locationId: bIds.location,
        quantity: 1,
        lotNumber: 'B-QC',
        expiryDate: '2030-01-31',
        inspection: true,
      },
    })
  ).json().inspectionIds[0];
  bIds.recall = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/recalls',
      headers: b.headers,
      payload: { itemId: bIds.item, lotNumber: 'B-LOT', reason: 'supplier recall' },
    })
  ).json().id;
  bIds.fixedPack = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/fixed-packs',
      headers: b.headers,
      payload: {
        code: 'B-PACK',
        itemId: bIds.item,
        quantity: 5,
        departmentId: bIds.department,
        sourceLocationId: bIds.location,
      },
    })
  ).json().id;
  // A robot channel of B's (sealed URL as stored; never delivered to in this test).
  bIds.robotChannel = await withTenantDb(t.deps.database.db, b, async (tx) => {
    const r = await tx.execute<{ id: string }>(sql`
      insert into robot_channels (kind, name, url_sealed, url_hint)
      values ('wecom', 'B 的群机器人', 'sealed', '…b000') returning id`);
    return r.rows[0]!.id;
  });
  bSnapshot = await snapshotB();
});
afterAll(async () => t?.close());

describe('tenant isolation on every route', () => {
  it('knows how to address every parameterised route in the OpenAPI document', () => {
    const unmapped = operations().filter((o) => o.hasParams && !PATH_RESOURCE[o.path]);
    expect(unmapped).toEqual([]);
    const needBody = operations().filter(
      (o) => o.hasParams && ['PATCH', 'PUT'].includes(o.method) && !SAMPLE_BODIES[`${o.method} ${o.path}`],
    );
    expect(needBody).toEqual([]);
  });

  for (const credential of ['user token', 'API key'] as const) {
    it(`tenant A's ${credential} gets 404 and no data for each of tenant B's ids`, async () => {
      const headers = credential === 'user token' ? a.headers : bearer(aKey);
      const checked: string[] = [];
      for (const op of operations().filter((o) => o.hasParams)) {
        const kind = PATH_RESOURCE[op.path]!;
        const url = op.path.replace(
          /\{(\w+)\}/g,
          (_, param: string) => PARAM_VALUES[param] ?? bIds[PARAM_RESOURCE[param] ?? kind],
        );
        const payload = SAMPLE_BODIES[`${op.method} ${op.path}`];
        const res = await t.app.inject({
          method: op.method as 'GET',
          url,
          headers,
          ...(payload ? { payload } : {}),
        });
        expect(res.statusCode, `${op.method} ${op.path}`).toBe(404);
        for (const id of Object.values(bIds))
          expect(withoutEcho(res.body), `${op.method} ${op.path} leaks`).not.toContain(id);
        checked.push(`${op.method} ${op.path}`);
      }
      expect(checked.length).toBeGreaterThanOrEqual(8);
      expect(await snapshotB()).toBe(bSnapshot);
    });
  }

  it("tenant A naming tenant B's ids in bodies and filters is refused or sees nothing", async () => {
    for (const probe of BODY_ID_PROBES) {
      const body = probe.body?.(bIds);
      const res = await t.app.inject({
        method: probe.method,
        url: probe.url(bIds),
        headers: a.headers,
        ...(body ? { payload: body } : {}),
      });
      if (probe.method === 'GET') {
        expect(
          res.statusCode === 404 || (res.statusCode === 200 && res.json().items.length === 0),
          probe.url(bIds),
        ).toBe(true);
      } else {
        expect([404, 422], probe.url(bIds)).toContain(res.statusCode);
      }
    }
    expect(await snapshotB()).toBe(bSnapshot);
  });

  it("tenant A's list routes never contain tenant B's records", async () => {
    for (const op of operations().filter((o) => o.method === 'GET' && !o.hasParams)) {
      const res = await t.app.inject({ method: 'GET', url: op.path, headers: a.headers });
      for (const id of [...Object.values(bIds), b.organizationId])
        expect(withoutEcho(res.body), op.path).not.toContain(id);
    }
  });
});
