import { withTenantDb } from '@medstock/db';
import type { Job } from 'bullmq';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from '../../api/test/support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from '../../api/test/support/test-app.ts';
import { type RunningWorker, startWorker } from '../src/index.ts';
import { JOB_REGISTRY } from '../src/jobs/job-registry.ts';
import { move, outboxRows, waitFor } from './support/fault-fixtures.ts';

// A window long enough that a burst posted one after another surely falls inside it on a busy
// machine; no periodic drain, so every recalculation here is the work of a drain job.
const WINDOW_MS = 6000;
let t: TestApp;
let worker: RunningWorker | undefined;
/** Drain jobs the worker completed, per organisation. */
const runs = new Map<string, Job[]>();

beforeAll(async () => {
  t = await startTestApp({ RECALC_DRAIN_WINDOW_MS: String(WINDOW_MS), RECALC_OUTBOX_POLL_MS: '3600000' });
});
afterAll(async () => {
  await worker?.close();
  await t?.close();
});

/**
 * A leading drain of this organisation, once it has drained, stays active until `release`: a
 * change can then be made while a drain is running, without guessing at timing.
 */
let hold: { tenantId: string; drained: () => void; release: Promise<void> } | undefined;

const drainJob = JOB_REGISTRY['recalculate-drain'];
const registry = {
  ...JOB_REGISTRY,
  'recalculate-drain': {
    ...drainJob,
    async handle(...args: Parameters<typeof drainJob.handle>) {
      const result = await drainJob.handle(...args);
      const h = hold;
      if (h && args[1].data.tenantId === h.tenantId && args[1].id?.includes('_leading_')) {
        h.drained();
        await h.release;
      }
      return result;
    },
  },
};

async function startCountingWorker() {
  worker = await startWorker(t.config, { scheduleSyncMs: 3_600_000, registry });
  worker.workers['recalculate-drain'].on('completed', (job) => {
    runs.set(job.data.tenantId, [...(runs.get(job.data.tenantId) ?? []), job]);
  });
}

const pendingDrains = async (org: SignedUp) =>
  (
    await t.deps.jobs.queue('recalculate-drain').getJobs(['waiting', 'delayed', 'active', 'prioritized'])
  ).filter((j) => j.data.tenantId === org.organizationId);

async function recalculated(org: SignedUp, items: string[]) {
  const r = await withTenantDb(t.deps.database.db, org, (tx) =>
    tx.execute<{ n: number }>(
      sql`select count(*)::int as n from item_location_policies where item_id = any(${sql.param(items)}::uuid[])`,
    ),
  );
  return r.rows[0]!.n;
}

describe('waking the outbox drain: leading run at once, one trailing run per window', () => {
  it('the first wake of a window runs at once; every later one joins one delayed trailing job', async () => {
    const org = await signUp(t);
    const wakes = [];
    for (let i = 0; i < 5; i++) wakes.push(await t.deps.jobs.wakeRecalculationDrain(org.organizationId));
    const [first, ...later] = wakes.map((w) => w!);
    expect(first).toMatchObject({ edge: 'leading', delayMs: 0, enqueue: true });
    // Only the first of the later wakes enqueues the trailing run; the rest add nothing.
    expect(later.map((w) => w.enqueue)).toEqual([true, false, false, false]);
    for (const w of later) {
      expect(w).toMatchObject({ edge: 'trailing', window: first!.window });
      expect(w.delayMs).toBeGreaterThan(0);
      expect(w.delayMs).toBeLessThanOrEqual(WINDOW_MS);
      expect(w.jobId).toBe(later[0]!.jobId);
    }
    const jobs = await pendingDrains(org);
    expect(jobs.map((j) => j.id).sort()).toEqual([first!.jobId, later[0]!.jobId].sort());
    const leading = jobs.find((j) => j.id === first!.jobId)!;
    expect(leading.opts.delay ?? 0).toBe(0);
    expect(await leading.getState()).toBe('waiting');
    expect(await jobs.find((j) => j.id !== first!.jobId)!.getState()).toBe('delayed');
  });

  it('a lone movement is drained by an undelayed leading job, and no trailing run follows', async () => {
    await startCountingWorker();
    const org = await signUp(t);
    const { locationId } = await centralStore(t, org.headers);
    const item = await insertItem(t, org.organizationId, { code: 'LONE' });
    await move(t, org, { type: 'receipt', itemId: item, locationId, quantity: 10 });
    await waitFor(
      async () => (await recalculated(org, [item])) === 1 && runs.get(org.organizationId)?.length,
      'the lone receipt to be recalculated by a completed drain job',
    );
    const done = runs.get(org.organizationId) ?? [];
    expect(done).toHaveLength(1);
    expect(done[0]!.id).toContain('_leading_');
    expect(done[0]!.opts.delay ?? 0).toBe(0);
    expect(await outboxRows(t, org)).toEqual([]);
    // Nothing is left waiting for the end of its window.
    expect(await pendingDrains(org)).toEqual([]);
  });

  it('a burst of movements within one window costs at most two drain runs and recalculates every item-location', async () => {
    const org = await signUp(t);
    const { locationId } = await centralStore(t, org.headers);
    const items: string[] = [];
    for (let i = 0; i < 8; i++) items.push(await insertItem(t, org.organizationId, { code: `BURST-${i}` }));
    for (const item of items) await move(t, org, { type: 'receipt', itemId: item, locationId, quantity: 10 });
    await waitFor(
      async () =>
        (await recalculated(org, items)) === items.length &&
        (await outboxRows(t, org)).length === 0 &&
        (await pendingDrains(org)).length === 0 &&
        (runs.get(org.organizationId)?.length ?? 0) > 0,
      'every item-location of the burst to be recalculated and no drain left pending',
    );
    const done = runs.get(org.organizationId) ?? [];
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(done.length).toBeLessThanOrEqual(2);
    const leading = done.filter((j) => j.id!.includes('_leading_'));
    const trailing = done.filter((j) => j.id!.includes('_trailing_'));
    expect(leading).toHaveLength(1);
    expect(leading[0]!.opts.delay ?? 0).toBe(0);
    // The later changes of the burst joined the window's single trailing run.
    expect(trailing).toHaveLength(1);
    expect(trailing[0]!.opts.delay).toBeGreaterThan(0);
    expect(trailing[0]!.id!.split('_').pop()).toBe(leading[0]!.id!.split('_').pop());
  });

  it('a change made while the leading drain is still running is recalculated by the trailing run', async () => {
    const org = await signUp(t);
    const { locationId } = await centralStore(t, org.headers);
    const first = await insertItem(t, org.organizationId, { code: 'DURING-1' });
    const second = await insertItem(t, org.organizationId, { code: 'DURING-2' });
    let drained!: () => void;
    let release!: () => void;
    const leadingDrained = new Promise<void>((r) => {
      drained = r;
    });
    hold = { tenantId: org.organizationId, drained, release: new Promise<void>((r) => (release = r)) };
    try {
      await move(t, org, { type: 'receipt', itemId: first, locationId, quantity: 10 });
      await leadingDrained; // the leading run has taken and recalculated what was due, and is still active
      await move(t, org, { type: 'receipt', itemId: second, locationId, quantity: 10 });
      expect(await recalculated(org, [second])).toBe(0);
    } finally {
      release();
      hold = undefined;
    }
    await waitFor(
      async () =>
        (await recalculated(org, [first, second])) === 2 &&
        (await pendingDrains(org)).length === 0 &&
        (runs.get(org.organizationId)?.length ?? 0) >= 2,
      'the change made during the leading drain to be recalculated',
    );
    const done = runs.get(org.organizationId)!;
    expect(done.map((j) => j.id!.split('_')[2]).sort()).toEqual(['leading', 'trailing']);
    expect(await outboxRows(t, org)).toEqual([]);
  });
});
