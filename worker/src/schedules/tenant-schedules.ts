import type { AppConfig } from '@medstock/config';
import type { Database } from '@medstock/db';
import type { Queue } from 'bullmq';
import type { TenantJobData } from '../queues.ts';

/** Spreads tenants' schedules over the period so a thousand clinics do not all run at :00. */
export function staggerOffset(tenantId: string, periodMs: number): number {
  let h = 0;
  for (const ch of tenantId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % periodMs;
}

/**
 * Upserts one housekeeping scheduler per active organisation and removes schedulers of
 * organisations that are gone. Upsert by a deterministic id makes this safe to run repeatedly.
 */
export async function syncTenantSchedules(config: AppConfig, database: Database, queue: Queue<TenantJobData>) {
  const { rows } = await database.pool.query<{ id: string }>(
    `select id from control.organizations where status = 'active' order by id`,
  );
  const every = config.HOUSEKEEPING_EVERY_MS;
  const wanted = new Set<string>();
  for (const { id } of rows) {
    const schedulerId = `housekeeping:${id}`;
    wanted.add(schedulerId);
    const periodStart = Math.floor(Date.now() / every) * every;
    await queue.upsertJobScheduler(
      schedulerId,
      { every, startDate: periodStart + staggerOffset(id, every) },
      { name: 'housekeeping', data: { tenantId: id }, opts: { removeOnComplete: 100, removeOnFail: 500 } },
    );
  }
  for (const s of await queue.getJobSchedulers()) {
    if (s.key.startsWith('housekeeping:') && !wanted.has(s.key)) await queue.removeJobScheduler(s.key);
  }
  return { tenants: rows.length };
}
