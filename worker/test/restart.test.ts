import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedStockedItems } from '../../api/test/support/bulk-fixtures.ts';
import { centralStore } from '../../api/test/support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from '../../api/test/support/test-app.ts';
import { recalculateAll } from '../src/engine/recalculate.ts';

let t: TestApp;
let owner: SignedUp;
const children: ChildProcess[] = [];
const ITEMS = 600;

function startWorkerProcess(): ChildProcess {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(t.config)) env[k] = String(v);
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../src/main.ts')], {
    env: {
      ...process.env,
      ...env,
      ENGINE_BATCH_SIZE: '50',
      WORKER_LOCK_DURATION_MS: '1500',
      WORKER_STALLED_INTERVAL_MS: '1000',
      RECALC_CONCURRENCY: '1',
    },
    stdio: 'ignore',
  });
  children.push(child);
  return child;
}

const run = () =>
  withTenantDb(t.deps.database.db, owner, (tx) =>
    tx.execute<{ n: number; status: string; done: number; total: number }>(
      sql`select count(*) over ()::int as n, status, done, total from recalc_runs`,
    ),
  ).then((r) => r.rows);

beforeAll(async () => {
  t = await startTestApp({ QUEUE_PREFIX: `r${randomBytes(4).toString('hex')}` });
  owner = await signUp(t);
  const { locationId } = await centralStore(t, owner.headers);
  await seedStockedItems(t, owner.organizationId, [locationId], ITEMS, 120);
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await t?.close();
});

describe('restart safety', () => {
  it('a worker killed with SIGKILL mid-run finishes the run after restart, losing and duplicating nothing', async () => {
    const first = startWorkerProcess();
    await t.deps.jobs.add(
      'recalculate',
      { tenantId: owner.organizationId },
      { jobId: `full_${owner.organizationId}` },
    );
    // Kill it once some, but not all, batches have committed.
    const deadline = Date.now() + 60_000;
    let progress = 0;
    while (Date.now() < deadline) {
      const rows = await run();
      progress = rows[0]?.done ?? 0;
      if (progress > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    first.kill('SIGKILL');
    expect(progress).toBeGreaterThan(0);
    expect(progress).toBeLessThan(ITEMS);

    startWorkerProcess();
    const done = await (async () => {
      while (Date.now() < deadline + 60_000) {
        const rows = await run();
        if (rows[0]?.status === 'done') return rows;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('the run did not finish after restart');
    })();
    expect(done).toHaveLength(1); // resumed, not restarted as a second run
    expect(done[0]!.done).toBe(ITEMS);

    const counts = await withTenantDb(t.deps.database.db, owner, async (tx) => {
      const policies = await tx.execute<{ n: number }>(
        sql`select count(*)::int as n from item_location_policies`,
      );
      const dups = await tx.execute<{ n: number }>(sql`
        select count(*)::int as n from (select 1 from alerts where status in ('open','acknowledged','snoozed') group by type, item_id, location_id having count(*) > 1) d`);
      const live = await tx.execute<{ n: number }>(
        sql`select count(*)::int as n from alerts where status = 'open'`,
      );
      return { policies: policies.rows[0]!.n, dups: dups.rows[0]!.n, live: live.rows[0]!.n };
    });
    expect(counts.policies).toBe(ITEMS);
    expect(counts.dups).toBe(0);
    expect(counts.live).toBeGreaterThan(0);
    // Nothing lost: a clean second run finds every alert already in place.
    // The worker marks the run done just before it releases the organisation's lock.
    let again = await recalculateAll(t.deps.database, owner.organizationId, { batchSize: 200 });
    for (let i = 0; again.skipped && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      again = await recalculateAll(t.deps.database, owner.organizationId, { batchSize: 200 });
    }
    expect(again.itemLocations).toBe(ITEMS);
    expect(again.opened).toBe(0);
    expect(again.resolved).toBe(0);
  }, 150_000);
});
