import type { AppConfig } from '@medstock/config';
import {
  JOB_OPTIONS,
  JOB_QUEUES,
  type JobProducer,
  NOTIFY_EVERY_MS,
  QUEUE_NAMES,
  schedulerIds,
} from '@medstock/contracts';
import type { Database } from '@medstock/db';
import { syncWebhookSweeps } from '../webhooks/delivery-queue.ts';

/** The next start of a tenant's slot in the period, never in the past (no burst at worker start). */
export function nextSlot(tenantId: string, periodMs: number, now = Date.now()): number {
  const slot = Math.floor(now / periodMs) * periodMs + staggerOffset(tenantId, periodMs);
  return slot > now ? slot : slot + periodMs;
}

/** Spreads tenants' schedules over the period so a thousand clinics do not all run at :00. */
export function staggerOffset(tenantId: string, periodMs: number): number {
  let h = 0;
  for (const ch of tenantId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % periodMs;
}

/**
 * Upserts the recalculation, housekeeping and notification schedulers of every active
 * organisation and removes those of organisations that are gone. Upsert by a deterministic id
 * makes this safe to run repeatedly; the worker runs it on the replica holding the schedule
 * lease only (worker.ts), since one run serves every replica.
 */
export async function syncTenantSchedules(config: AppConfig, database: Database, producer: JobProducer) {
  // Fail now rather than wait for Redis: the next sync (or Redis coming back) does it.
  if (!producer.available) throw new Error('Redis is unavailable; schedules not synced');
  const { rows } = await database.pool.query<{ id: string; recalc_every_minutes: number }>(
    `select id, recalc_every_minutes from control.organizations where status = 'active' order by id`,
  );
  const every = config.HOUSEKEEPING_EVERY_MS;
  const recalcQueue = producer.queue(JOB_QUEUES.recalculate);
  const housekeepingQueue = producer.queue(JOB_QUEUES.housekeeping);
  const notifyQueue = producer.queue(JOB_QUEUES.notify);
  const wanted = new Set<string>();
  for (const { id, recalc_every_minutes } of rows) {
    // The recalculation cycle runs on the organisation's own schedule, staggered like housekeeping;
    // it recalculates what changed (the first cycle of a local day: everything).
    const recalcEvery = recalc_every_minutes * 60_000;
    const recalcId = schedulerIds.fullRecalculation(id);
    wanted.add(recalcId);
    await recalcQueue.upsertJobScheduler(
      recalcId,
      { every: recalcEvery, startDate: nextSlot(id, recalcEvery) },
      {
        name: 'recalculate',
        data: { tenantId: id, scope: 'changed' },
        opts: { ...JOB_OPTIONS.recalculate, removeOnComplete: 100 },
      },
    );
    const housekeepingId = schedulerIds.housekeeping(id);
    wanted.add(housekeepingId);
    await housekeepingQueue.upsertJobScheduler(
      housekeepingId,
      { every, startDate: nextSlot(id, every) },
      { name: 'housekeeping', data: { tenantId: id }, opts: JOB_OPTIONS.housekeeping },
    );
    // Notifications (robot messages for critical alerts, due digests) every minute, staggered.
    const notifyId = schedulerIds.notify(id);
    wanted.add(notifyId);
    await notifyQueue.upsertJobScheduler(
      notifyId,
      { every: NOTIFY_EVERY_MS, startDate: nextSlot(id, NOTIFY_EVERY_MS) },
      { name: 'notify', data: { tenantId: id }, opts: JOB_OPTIONS.notify },
    );
  }
  // Schedulers of organisations that are gone, and any left on a queue their job no longer runs
  // on (notifications ran on the webhook queue before they had their own).
  const ownQueue = new Map([
    ['recalculate:', recalcQueue],
    ['housekeeping:', housekeepingQueue],
    ['notify:', notifyQueue],
  ]);
  for (const name of QUEUE_NAMES) {
    const queue = producer.queue(name);
    for (const s of await queue.getJobSchedulers()) {
      const prefix = [...ownQueue.keys()].find((p) => s.key.startsWith(p));
      if (prefix && (!wanted.has(s.key) || ownQueue.get(prefix) !== queue))
        await queue.removeJobScheduler(s.key);
    }
  }
  // Webhook sweepers come back too if Redis lost them.
  await syncWebhookSweeps(config, database, producer);
  return { tenants: rows.length };
}
