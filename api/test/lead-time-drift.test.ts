import { randomBytes } from 'node:crypto';
import { leadTimeDrift } from '@medstock/core/policy/index.ts';
import { organizationToday, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWorker, startWorker } from '../../worker/src/index.ts';
import { insertSupplierTerms } from './support/engine-fixtures.ts';
import { centralStore, insertItem } from './support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';
import { waitFor } from './support/wait-for.ts';

/**
 * Issue 12 point 7: the lead_time_drift alert (computed by the worker's engine), the KPI page, the
 * supplier-performance page and core's lead-time estimate report the same drift for the same history.
 */
let t: TestApp;
let running: RunningWorker;
let owner: SignedUp;

beforeAll(async () => {
  t = await startTestApp({ QUEUE_PREFIX: `d${randomBytes(4).toString('hex')}` });
  running = await startWorker(t.config, { scheduleSyncMs: 60_000 });
  owner = await signUp(t);
});
afterAll(async () => {
  await running?.close();
  await t?.close();
});

describe('lead-time drift: one definition', () => {
  it('the alert explanation and the KPI endpoint agree about one supplier', async () => {
    const { locationId } = await centralStore(t, owner.headers);
    const item = await insertItem(t, owner.organizationId, { code: 'DRIFT-1', unitCost: 1 });
    const supplierId = await insertSupplierTerms(t, owner.organizationId, item, { leadDays: 5 });
    // Four earlier deliveries (mean 5.5), then three slow ones (mean 10): drift +4.5 days.
    // (The old KPI formula, last three − mean of all, would have said 10 − 7.43 = 2.57.)
    const history = [5, 5, 6, 6, 9, 9, 12];
    const today = await withTenantDb(t.deps.database.db, owner, async (tx) => {
      for (const [i, days] of history.entries()) {
        const received = new Date(Date.now() - (history.length - i) * 86_400_000);
        await tx.execute(sql`
          insert into lead_time_observations (supplier_id, item_id, ordered_at, received_at, lead_time_days)
          values (${supplierId}, ${item}, ${new Date(received.getTime() - days * 86_400_000).toISOString()}::timestamptz,
                  ${received.toISOString()}::timestamptz, ${days})`);
      }
      return organizationToday(tx);
    });
    // A receipt queues the item-location's recalculation.
    const receipt = await t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: owner.headers,
      payload: { type: 'receipt', itemId: item, locationId, quantity: 40 },
    });
    expect(receipt.statusCode, receipt.body).toBe(201);

    const [alert] = await waitFor(async () => {
      const r = await t.app.inject({
        method: 'GET',
        url: `/v1/alerts?itemId=${item}&type=lead_time_drift&status=open`,
        headers: owner.headers,
      });
      const items = r.json().items as Array<{ explanation: { inputs: Record<string, number> } }>;
      return items.length ? items : null;
    });

    const kpis = await t.app.inject({
      method: 'GET',
      url: `/v1/kpis?from=${today}&to=${today}`,
      headers: owner.headers,
    });
    expect(kpis.statusCode, kpis.body).toBe(200);
    const supplier = kpis
      .json()
      .total.suppliers.find((s: { supplierId: string }) => s.supplierId === supplierId);

    const expected = leadTimeDrift(history);
    expect(expected).toMatchObject({ recentMeanDays: 10, historyMeanDays: 5.5, driftDays: 4.5 });
    expect(supplier.leadTime).toEqual({
      observations: 7,
      overallMeanDays: 7.43,
      recentMeanDays: 10,
      historyMeanDays: 5.5,
      driftDays: 4.5,
    });
    // The supplier-performance page over the last 180 days holds the same seven observations.
    const perf = await t.app.inject({
      method: 'GET',
      url: '/v1/supplier-performance',
      headers: owner.headers,
    });
    expect(perf.statusCode, perf.body).toBe(200);
    const row = perf.json().items.find((s: { supplierId: string }) => s.supplierId === supplierId);
    expect(row.leadTime).toMatchObject({ observations: 7, driftDays: 4.5 });

    expect(alert!.explanation.inputs).toMatchObject({
      recentMeanDays: supplier.leadTime.recentMeanDays,
      historyMeanDays: supplier.leadTime.historyMeanDays,
      driftDays: supplier.leadTime.driftDays,
      recentN: 3,
    });
  });
});
