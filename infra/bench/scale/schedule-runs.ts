import { JOB_QUEUES, JobProducer, schedulerIds } from '@medstock/contracts';
import type pg from 'pg';

/**
 * Counts scheduled housekeeping runs in the database, not in logs: every run ends by stamping
 * `control.organizations.last_housekeeping_at`, and a trigger the benchmark adds to its own
 * throw-away control database notes each of those updates with the time it ran. Runs are then
 * matched to the ticks of each organisation's scheduler (its period and next run, as BullMQ holds
 * them), so a tick that ran twice (two workers both scheduling it) or never shows as such.
 */
export async function recordHousekeepingRuns(control: pg.Pool): Promise<void> {
  await control.query(`
    create schema if not exists bench_scale;
    create table if not exists bench_scale.housekeeping_runs (
      organization_id uuid not null, at timestamptz not null default clock_timestamp());
    create or replace function bench_scale.note_housekeeping() returns trigger language plpgsql as $$
    begin
      insert into bench_scale.housekeeping_runs (organization_id) values (new.id);
      return null;
    end $$;
    drop trigger if exists bench_scale_housekeeping on control.organizations;
    create trigger bench_scale_housekeeping after update of last_housekeeping_at on control.organizations
      for each row execute function bench_scale.note_housekeeping();`);
}

/** The housekeeping schedulers BullMQ holds, by key, with their period and next run. */
async function housekeepingSchedulers(redis: { url: string; prefix: string }) {
  const producer = new JobProducer({
    REDIS_URL: redis.url,
    QUEUE_PREFIX: redis.prefix,
    RECALC_DRAIN_WINDOW_MS: 0,
  });
  const schedulers = new Map<string, { every: number; next: number }>();
  try {
    for (const s of await producer.queue(JOB_QUEUES.housekeeping).getJobSchedulers(0, -1))
      if (s.every && s.next) schedulers.set(s.key, { every: Number(s.every), next: Number(s.next) });
  } finally {
    await producer.close();
  }
  return schedulers;
}

/** How many of these organisations have a housekeeping scheduler. */
export async function scheduledOrganizations(
  redis: { url: string; prefix: string },
  organizationIds: readonly string[],
): Promise<number> {
  const schedulers = await housekeepingSchedulers(redis);
  return organizationIds.filter((id) => schedulers.has(schedulerIds.housekeeping(id))).length;
}

export interface TickCount {
  /** Organisations × ticks that fell in the window. */
  expected: number;
  /** Ticks that ran at least once. */
  ran: number;
  /** Runs beyond the first of a tick (the same tick run again, e.g. by a second worker). */
  duplicates: number;
  /** Ticks in the window that never ran. */
  missed: number;
  /** Organisations without a scheduler at the end of the window. */
  unscheduled: number;
  periodMs: number;
  /** From a tick to its first run: median and largest (queueing behind other jobs). */
  delayMs: { median: number; max: number };
}

/**
 * Ticks of each organisation's housekeeping scheduler that fell in [from, to], and the runs
 * recorded in [from, to + grace] (a run follows its tick once a worker slot is free). A run
 * belongs to the last tick at or before it. BullMQ adds a scheduler's next job only when the
 * previous one is taken, so a tick whose predecessor still waited in the queue never runs: it
 * counts as missed.
 */
export async function countHousekeepingTicks(
  control: pg.Pool,
  redis: { url: string; prefix: string },
  organizationIds: readonly string[],
  window: { from: number; to: number; graceMs: number },
): Promise<TickCount> {
  const schedulers = await housekeepingSchedulers(redis);
  const { rows } = await control.query<{ organization_id: string; at: Date }>(
    `select organization_id, at from bench_scale.housekeeping_runs
      where at >= to_timestamp($1 / 1000.0) and at <= to_timestamp($2 / 1000.0)`,
    [window.from, window.to + window.graceMs],
  );
  const runsByOrg = new Map<string, number[]>();
  for (const r of rows) {
    const list = runsByOrg.get(r.organization_id) ?? [];
    list.push(r.at.getTime());
    runsByOrg.set(r.organization_id, list);
  }
  const count: TickCount = {
    expected: 0,
    ran: 0,
    duplicates: 0,
    missed: 0,
    unscheduled: 0,
    periodMs: 0,
    delayMs: { median: 0, max: 0 },
  };
  const delays: number[] = [];
  for (const id of organizationIds) {
    const s = schedulers.get(schedulerIds.housekeeping(id));
    if (!s) {
      count.unscheduled++;
      continue;
    }
    count.periodMs = s.every;
    // The last tick at or before `at`: ticks are `next` minus whole periods.
    const tickOf = (at: number) => s.next - Math.ceil((s.next - at) / s.every) * s.every;
    const runsPerTick = new Map<number, number>();
    const firstRun = new Map<number, number>();
    for (const at of runsByOrg.get(id) ?? []) {
      const tick = tickOf(at);
      runsPerTick.set(tick, (runsPerTick.get(tick) ?? 0) + 1);
      firstRun.set(tick, Math.min(firstRun.get(tick) ?? at, at));
    }
    for (let tick = tickOf(window.from); tick <= window.to; tick += s.every) {
      if (tick < window.from) continue;
      count.expected++;
      const n = runsPerTick.get(tick) ?? 0;
      if (n === 0) count.missed++;
      else {
        count.ran++;
        count.duplicates += n - 1;
        delays.push(firstRun.get(tick)! - tick);
      }
    }
  }
  delays.sort((a, b) => a - b);
  count.delayMs = { median: delays[Math.floor(delays.length / 2)] ?? 0, max: delays.at(-1) ?? 0 };
  return count;
}
