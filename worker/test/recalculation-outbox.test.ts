import { JOB_QUEUES } from '@medstock/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore } from '../../api/test/support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from '../../api/test/support/test-app.ts';
import { type RestartableService, startOwnRedis } from '../../infra/test/restartable-services.ts';
import { type RunningWorker, startWorker } from '../src/index.ts';
import { fullRuns, itemWithDemand, liveAlerts, move, outboxRows, waitFor } from './support/fault-fixtures.ts';

// A Redis of this file's own, stopped and restarted here (as a crash would: it keeps nothing);
// PostgreSQL is the shared test server. No scheduled full run can help: the schedule is hourly.
let redis: RestartableService;
let t: TestApp;
let org: SignedUp;
let loc: string;
let worker: RunningWorker | undefined;
/** The item whose drain job the Redis restart lost (recalculated in the next test). */
let lostJobItem: string;

beforeAll(async () => {
  redis = await startOwnRedis('outbox-redis');
  t = await startTestApp({ REDIS_URL: redis.url, RECALC_OUTBOX_POLL_MS: '500' });
  org = await signUp(t);
  ({ locationId: loc } = await centralStore(t, org.headers));
});
afterAll(async () => {
  await worker?.close();
  await t?.close();
  await redis?.stop();
});

/** The organisation's drain jobs still in Redis (no worker runs until the third test). */
const drainJobs = async () =>
  (
    await t.deps.jobs
      .queue(JOB_QUEUES['recalculate-drain'])
      .getJobs(['waiting', 'delayed', 'active', 'prioritized'])
  ).filter((j) => j.data.tenantId === org.organizationId);

describe('recalculation outbox', () => {
  it('records the item-locations a movement touched in its own transaction, coalesced per item-location', async () => {
    const item = await itemWithDemand(t, org, loc, 'OUTBOX-1');
    await move(t, org, { type: 'receipt', itemId: item, locationId: loc, quantity: 10 });
    await move(t, org, { type: 'issue', itemId: item, locationId: loc, quantity: 4 });
    const rows = (await outboxRows(t, org)).filter((r) => r.item_id === item);
    expect(rows).toEqual([{ item_id: item, location_id: loc, version: 2, attempts: 0 }]);
  });

  it('a lone change wakes the worker at once (no debounce delay); a Redis restart before it ran loses nothing', async () => {
    const item = await itemWithDemand(t, org, loc, 'REDIS-RESTART');
    lostJobItem = item;
    await move(t, org, { type: 'receipt', itemId: item, locationId: loc, quantity: 10 });
    await move(t, org, { type: 'issue', itemId: item, locationId: loc, quantity: 10 });
    const jobs = await drainJobs();
    // A window's first change is a leading run, waiting (not 'delayed'): nothing waits the window.
    expect(await Promise.all(jobs.map((j) => j.getState()))).toContain('waiting');
    await redis.restart(); // the jobs were only in Redis
    await waitFor(async () => t.deps.jobs.available, 'the producer to reconnect');
    expect(await drainJobs()).toEqual([]);
    expect((await outboxRows(t, org)).some((r) => r.item_id === item)).toBe(true);
  });

  it('a movement committed while Redis is down still raises its alert once Redis and the worker are back, with no full run', async () => {
    const item = await itemWithDemand(t, org, loc, 'REDIS-DOWN');
    await redis.stop();
    // The movement POSTs succeed with Redis down; the request to recalculate is in PostgreSQL.
    await move(t, org, { type: 'receipt', itemId: item, locationId: loc, quantity: 10 });
    await move(t, org, { type: 'issue', itemId: item, locationId: loc, quantity: 10 });
    expect((await outboxRows(t, org)).some((r) => r.item_id === item)).toBe(true);
    await redis.start();

    worker = await startWorker(t.config, { scheduleSyncMs: 3_600_000 });
    for (const id of [item, lostJobItem]) {
      await waitFor(
        async () => (await liveAlerts(t, org, id, loc)).includes('stocked_out'),
        'the stocked-out alert',
      );
    }
    await waitFor(async () => (await outboxRows(t, org)).length === 0, 'the outbox to be drained');
    expect(await fullRuns(t, org)).toBe(0);
  });

  it('with Redis down the worker still drains the outbox itself, and movements keep succeeding', async () => {
    const item = await itemWithDemand(t, org, loc, 'WORKER-NO-REDIS');
    await move(t, org, { type: 'receipt', itemId: item, locationId: loc, quantity: 10 });
    await waitFor(async () => (await outboxRows(t, org)).length === 0, 'the receipt to be recalculated');
    await redis.stop();
    try {
      await move(t, org, { type: 'issue', itemId: item, locationId: loc, quantity: 10 });
      await waitFor(
        async () => (await liveAlerts(t, org, item, loc)).includes('stocked_out'),
        'the stocked-out alert while Redis is down',
      );
      expect(await fullRuns(t, org)).toBe(0);
    } finally {
      await redis.start();
    }
  });
});
