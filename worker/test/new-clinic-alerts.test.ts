import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from '../../api/test/support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from '../../api/test/support/test-app.ts';
import { type RunningWorker, startWorker } from '../src/index.ts';
import { liveAlerts, move, waitFor } from './support/fault-fixtures.ts';

// Issue 11: a new clinic has no usage history at all. Through the real event path (movement POST →
// outbox → worker drain → alert), on-hand reaching 0 must still raise an explained stock-out alert,
// and a par minimum set through the API must raise a below-par alert before any history exists.
let t: TestApp;
let org: SignedUp;
let loc: string;
let worker: RunningWorker;

beforeAll(async () => {
  t = await startTestApp({
    QUEUE_PREFIX: `nc${randomBytes(4).toString('hex')}`,
    RECALC_OUTBOX_POLL_MS: '500',
  });
  org = await signUp(t);
  ({ locationId: loc } = await centralStore(t, org.headers));
  worker = await startWorker(t.config, { scheduleSyncMs: 3_600_000 });
});
afterAll(async () => {
  await worker?.close();
  await t?.close();
});

describe('a new clinic without history', () => {
  it('an item received then issued to 0 raises an explained stock-out alert (usage unknown)', async () => {
    const item = await insertItem(t, org.organizationId, { code: 'NEW-0', ved: 'E' });
    await move(t, org, { type: 'receipt', itemId: item, locationId: loc, quantity: 5 });
    await move(t, org, { type: 'issue', itemId: item, locationId: loc, quantity: 5 });
    await waitFor(async () => (await liveAlerts(t, org, item, loc)).includes('stocked_out'), 'stocked-out');
    const r = await t.app.inject({
      method: 'GET',
      url: `/v1/alerts?itemId=${item}`,
      headers: org.headers,
    });
    expect(r.statusCode).toBe(200);
    const alert = r.json().items.find((a: { type: string }) => a.type === 'stocked_out');
    expect(alert).toBeTruthy();
    const detail = (
      await t.app.inject({ method: 'GET', url: `/v1/alerts/${alert.id}`, headers: org.headers })
    ).json().alert;
    expect(detail.explanation.formula).toBe('on-hand ≤ 0');
    expect(detail.explanation.text.zh).toContain('已缺货');
    expect(detail.explanation.text.zh).toContain('尚无用量记录');
  });

  it('a stocktake counting 0 raises the stock-out alert', async () => {
    const item = await insertItem(t, org.organizationId, { code: 'NEW-COUNT', ved: 'D' });
    await move(t, org, { type: 'receipt', itemId: item, locationId: loc, quantity: 4 });
    await t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: org.headers,
      payload: { type: 'stocktake', itemId: item, locationId: loc, quantity: 0 },
    });
    await waitFor(async () => (await liveAlerts(t, org, item, loc)).includes('stocked_out'), 'stocked-out');
  });

  it('a template clinic: a starter-catalogue item issued to 0 raises the alert', async () => {
    const clinic = await signUp(t, { catalogueTemplate: 'community-health-centre' });
    const { locationId } = await centralStore(t, clinic.headers);
    const items = (
      await t.app.inject({ method: 'GET', url: '/v1/items?limit=1', headers: clinic.headers })
    ).json();
    const item = items.items[0].id as string;
    // Starter-catalogue items are lot-tracked: the receipt names its lot and expiry.
    const receipt = await t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: clinic.headers,
      payload: {
        type: 'receipt',
        itemId: item,
        locationId,
        quantity: 2,
        lotNumber: 'L1',
        expiryDate: '2029-06-30',
      },
    });
    expect(receipt.statusCode, receipt.body).toBe(201);
    await move(t, clinic, { type: 'issue', itemId: item, locationId, quantity: 2 });
    await waitFor(
      async () => (await liveAlerts(t, clinic, item, locationId)).includes('stocked_out'),
      'stocked-out',
    );
  });

  it('a par minimum set through the API raises a below-par alert with no history', async () => {
    const item = await insertItem(t, org.organizationId, { code: 'NEW-PAR', ved: 'E' });
    await move(t, org, { type: 'receipt', itemId: item, locationId: loc, quantity: 3 });
    const put = await t.app.inject({
      method: 'PUT',
      url: `/v1/locations/${loc}/par-levels/${item}`,
      headers: org.headers,
      payload: { minQty: 10, maxQty: 30 },
    });
    expect(put.statusCode).toBe(201);
    await waitFor(
      async () => (await liveAlerts(t, org, item, loc)).includes('below_par_minimum'),
      'below-par',
    );
  });
});
