import { randomBytes } from 'node:crypto';
import type { AppConfig } from '@medstock/config';
import { producerConnection, schedulerIds } from '@medstock/contracts';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignedUp, signUp, startTestApp, type TestApp } from '../../api/test/support/test-app.ts';
import { type RunningWorker, startWorker } from '../src/index.ts';
import { LeaderLease } from '../src/schedules/leader-lease.ts';

let t: TestApp;
let config: AppConfig;
let redis: Redis;
let org: SignedUp;
let housekeeping: Queue;
const running: RunningWorker[] = [];

beforeAll(async () => {
  t = await startTestApp();
  config = { ...t.config, QUEUE_PREFIX: `lead${randomBytes(4).toString('hex')}` };
  redis = producerConnection(config.REDIS_URL);
  org = await signUp(t);
  housekeeping = new Queue('housekeeping', { connection: redis, prefix: config.QUEUE_PREFIX });
});
afterAll(async () => {
  await Promise.allSettled(running.map((w) => w.close()));
  await housekeeping?.close();
  await redis?.quit();
  await t?.close();
});

const hasHousekeepingScheduler = async () =>
  (await housekeeping.getJobSchedulers()).some(
    (s) => s.key === schedulerIds.housekeeping(org.organizationId),
  );

describe('the schedule lease', () => {
  it('one holder at a time; the holder renews it; a release hands it over; a dead holder’s lease runs out', async () => {
    const key = `${config.QUEUE_PREFIX}:lease-test`;
    const a = new LeaderLease(redis, key, 60_000);
    const b = new LeaderLease(redis, key, 60_000);
    expect(await a.hold()).toBe(true);
    expect(await b.hold()).toBe(false);
    expect(await a.hold()).toBe(true);
    // b's release does not free a's lease.
    await b.release();
    expect(await b.hold()).toBe(false);
    await a.release();
    expect(await b.hold()).toBe(true);
    expect(await a.hold()).toBe(false);
    // A holder that stops renewing (a crash: no release) loses it once the TTL runs out.
    const shortKey = `${key}:short`;
    const crashed = new LeaderLease(redis, shortKey, 300);
    const next = new LeaderLease(redis, shortKey, 300);
    expect(await crashed.hold()).toBe(true);
    expect(await next.hold()).toBe(false);
    let tookOver = false;
    for (let i = 0; i < 100 && !tookOver; i++) {
      await new Promise((r) => setTimeout(r, 50));
      tookOver = await next.hold();
    }
    expect(tookOver).toBe(true);
    expect(await crashed.hold()).toBe(false);
  });
});

describe('two worker replicas', () => {
  it('sync the schedules on one replica per tick; when it stops, the other takes over', async () => {
    // A notification scheduler left on the queue notifications used to share with webhooks.
    const webhookQueue = new Queue('webhook-delivery', { connection: redis, prefix: config.QUEUE_PREFIX });
    const notifyId = schedulerIds.notify(org.organizationId);
    await webhookQueue.upsertJobScheduler(
      notifyId,
      { every: 60_000 },
      { name: 'notify', data: { tenantId: org.organizationId } },
    );
    // No timer ticks during the test (an hour): the ticks are driven by hand.
    const first = await startWorker(config, { scheduleSyncMs: 3_600_000 });
    running.push(first);
    const second = await startWorker(config, { scheduleSyncMs: 3_600_000 });
    running.push(second);
    // The first started first and synced at start: its schedulers are there.
    expect(await hasHousekeepingScheduler()).toBe(true);
    // ... and the notification scheduler moved to the notifications' own queue.
    expect((await webhookQueue.getJobSchedulers()).map((x) => x.key)).not.toContain(notifyId);
    const notifyQueue = new Queue('notify', { connection: redis, prefix: config.QUEUE_PREFIX });
    expect((await notifyQueue.getJobSchedulers()).map((x) => x.key)).toContain(notifyId);
    await Promise.all([webhookQueue.close(), notifyQueue.close()]);

    for (let tick = 0; tick < 3; tick++) {
      const ticks = await Promise.all([first.syncSchedulesNow(), second.syncSchedulesNow()]);
      expect(ticks.filter((x) => x.leader)).toHaveLength(1);
      expect(ticks[0]!.leader).toBe(true);
      expect(ticks[0]!.tenants).toBeGreaterThanOrEqual(1);
    }

    // The follower's tick really does nothing: a scheduler Redis lost stays lost until the leader's.
    await housekeeping.removeJobScheduler(schedulerIds.housekeeping(org.organizationId));
    expect((await second.syncSchedulesNow()).leader).toBe(false);
    expect(await hasHousekeepingScheduler()).toBe(false);
    expect((await first.syncSchedulesNow()).leader).toBe(true);
    expect(await hasHousekeepingScheduler()).toBe(true);

    // The leader stops: the other replica leads from its next tick, and restores what was lost.
    await first.close();
    running.splice(running.indexOf(first), 1);
    await housekeeping.removeJobScheduler(schedulerIds.housekeeping(org.organizationId));
    const taken = await second.syncSchedulesNow();
    expect(taken.leader).toBe(true);
    expect(await hasHousekeepingScheduler()).toBe(true);
    expect((await second.syncSchedulesNow()).leader).toBe(true);
  });
});
