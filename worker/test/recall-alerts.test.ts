import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from '../../api/test/support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from '../../api/test/support/test-app.ts';
import { type RunningWorker, startWorker } from '../src/index.ts';
import { liveAlerts, waitFor } from './support/fault-fixtures.ts';

// Issue 11: units on hold are not usable stock. Recalling the only lot on the shelf leaves the
// item-location with nothing usable: through the real path (recall → outbox → worker → alert) it
// raises the stock-out alert; releasing the recall gives the stock back and resolves it.
let t: TestApp;
let org: SignedUp;
let loc: string;
let worker: RunningWorker;

beforeAll(async () => {
  t = await startTestApp({
    QUEUE_PREFIX: `ra${randomBytes(4).toString('hex')}`,
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

describe('a recalled lot is not usable stock', () => {
  it('recalling the only lot raises a stock-out alert; releasing it resolves the alert', async () => {
    const item = await insertItem(t, org.organizationId, { code: 'RECALLED-1', ved: 'V' });
    const received = await t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: org.headers,
      payload: {
        type: 'receipt',
        itemId: item,
        locationId: loc,
        quantity: 6,
        lotNumber: 'RC-1',
        expiryDate: '2030-01-31',
      },
    });
    expect(received.statusCode, received.body).toBe(201);
    const recall = await t.app.inject({
      method: 'POST',
      url: '/v1/recalls',
      headers: org.headers,
      payload: { itemId: item, lotNumber: 'RC-1', reason: 'supplier recall' },
    });
    expect(recall.statusCode, recall.body).toBe(201);
    await waitFor(async () => (await liveAlerts(t, org, item, loc)).includes('stocked_out'), 'stocked-out');
    const release = await t.app.inject({
      method: 'POST',
      url: `/v1/recalls/${recall.json().id}/release`,
      headers: org.headers,
      payload: { reason: 'lot not affected' },
    });
    expect(release.statusCode, release.body).toBe(200);
    await waitFor(async () => !(await liveAlerts(t, org, item, loc)).includes('stocked_out'), 'resolved');
  });
});
