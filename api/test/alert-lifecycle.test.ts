import { tenantSchema } from '@medstock/db';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let owner: SignedUp;
let admin: pg.Pool;
let schema: string;
let loc: { siteId: string; locationId: string };
let endpointId: string;

beforeAll(async () => {
  // A loopback endpoint is allowed here: it only has to exist for deliveries to be made.
  t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
  owner = await signUp(t);
  admin = new pg.Pool({ connectionString: t.databaseUrl, max: 2 });
  schema = tenantSchema(owner.organizationId);
  loc = await centralStore(t, owner.headers);
  const ep = await t.app.inject({
    method: 'POST',
    url: '/v1/webhooks',
    headers: owner.headers,
    payload: { url: 'http://127.0.0.1:9/hooks', events: ['alert.updated'] },
  });
  expect(ep.statusCode, ep.body).toBe(201);
  endpointId = ep.json().id;
});
afterAll(async () => {
  await admin?.end();
  await t?.close();
});

const EXPLANATION = {
  rule: 'stockout_risk',
  ruleVersion: 1,
  threshold: { probability: 0.2 },
  inputs: { position: 3 },
  formula: 'P(demand > position)',
  substituted: 'P(demand > 3) = 0.4',
  text: { en: 'May run out', zh: '可能缺货' },
};

/** A live alert as the engine leaves it, on an item of its own (one live alert per item). */
async function openAlert(itemCode: string): Promise<{ alertId: string; itemId: string }> {
  const itemId = await insertItem(t, owner.organizationId, { code: itemCode });
  const r = await admin.query<{ id: string }>(
    `insert into ${schema}.alerts (type, item_id, location_id, site_id, severity, rule_version, explanation, action)
     values ('stockout_risk', $1, $2, $3, 'high', 1, $4, $5) returning id`,
    [
      itemId,
      loc.locationId,
      loc.siteId,
      JSON.stringify(EXPLANATION),
      JSON.stringify({ kind: 'order', text: { en: 'Order now', zh: '立即下单' } }),
    ],
  );
  return { alertId: r.rows[0]!.id, itemId };
}

/** The alert.updated events about one alert, with their deliveries to the endpoint. */
async function updatedEvents(alertId: string) {
  const r = await admin.query<{ payload: Record<string, unknown>; deliveries: number }>(
    `select e.payload, (select count(*) from ${schema}.webhook_deliveries d where d.event_id = e.id and d.endpoint_id = $2)::int as deliveries
       from ${schema}.events e where e.type = 'alert.updated' and e.payload->>'alertId' = $1 order by e.created_at`,
    [alertId, endpointId],
  );
  return r.rows;
}

const act = (alertId: string, action: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: `/v1/alerts/${alertId}/${action}`, headers: owner.headers, payload });

describe('alert lifecycle: a person’s action emits alert.updated (README, Webhooks)', () => {
  it.each([
    ['acknowledge', {}, 'acknowledged', {}],
    ['dismiss', { reason: 'counted wrong' }, 'dismissed', { dismissedReason: 'counted wrong' }],
    [
      'snooze',
      { until: '2099-01-01T00:00:00.000Z' },
      'snoozed',
      { snoozedUntil: '2099-01-01T00:00:00.000Z' },
    ],
  ])(
    '%s: exactly one alert.updated event, with one delivery, saying who did what',
    async (action, body, status, extra) => {
      const { alertId, itemId } = await openAlert(`LIFE-${action}`);
      expect(await updatedEvents(alertId)).toEqual([]);
      const res = await act(alertId, action, body);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().alert.status).toBe(status);
      const events = await updatedEvents(alertId);
      expect(events).toHaveLength(1);
      expect(events[0]!.deliveries).toBe(1);
      expect(events[0]!.payload).toMatchObject({
        alertId,
        itemId,
        itemCode: `LIFE-${action}`,
        locationId: loc.locationId,
        severity: 'high',
        status,
        change: status,
        actedBy: owner.userId,
        ...extra,
      });
    },
  );

  it('a refused action emits nothing', async () => {
    const { alertId } = await openAlert('LIFE-refused');
    expect((await act(alertId, 'snooze', { until: '2000-01-01T00:00:00.000Z' })).json().code).toBe(
      'snooze_in_past',
    );
    expect((await act(alertId, 'dismiss', { reason: 'not real' })).statusCode).toBe(200);
    const again = await act(alertId, 'acknowledge', {});
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('invalid_transition');
    // Only the dismissal's event.
    expect((await updatedEvents(alertId)).map((e) => e.payload.change)).toEqual(['dismissed']);
  });
});
