import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedStockedItems } from '../../api/test/support/bulk-fixtures.ts';
import { centralStore } from '../../api/test/support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from '../../api/test/support/test-app.ts';
import {
  type RestartableService,
  startOwnPostgres,
  startOwnRedis,
} from '../../infra/test/restartable-services.ts';
import type { JobDefinition } from '../src/jobs/job-context.ts';
import { JOB_REGISTRY } from '../src/jobs/job-registry.ts';
import { startWorker } from '../src/worker.ts';
import {
  configEnv,
  itemWithDemand,
  liveAlerts,
  move,
  outboxRows,
  sleep,
  waitFor,
} from './support/fault-fixtures.ts';

// PostgreSQL and Redis of this file's own: both are stopped and restarted here.
let pg: RestartableService;
let redis: RestartableService;
let t: TestApp;
let org: SignedUp;
let loc: string;
let uploadDir: string;
const children: ChildProcess[] = [];
const ITEMS = 600;

beforeAll(async () => {
  [pg, redis] = await Promise.all([startOwnPostgres('restart-pg'), startOwnRedis('restart-redis')]);
  uploadDir = mkdtempSync(join(tmpdir(), 'medstock-restart-'));
  t = await startTestApp({
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    UPLOAD_DIR: uploadDir,
    IMPORT_PROGRESS_EVERY_ROWS: '2000',
  });
  org = await signUp(t);
  ({ locationId: loc } = await centralStore(t, org.headers));
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await t?.close();
  await Promise.allSettled([pg?.stop(), redis?.stop()]);
  rmSync(uploadDir, { recursive: true, force: true });
});

/** A 3-second database outage: every connection is terminated (57P01), then it comes back. */
async function databaseBlip() {
  await pg.stop();
  await sleep(3000);
  await pg.start();
}

describe('a recalculation job during a database outage', () => {
  it('is recalculated once PostgreSQL is back (the outbox row survives the failed attempt)', async () => {
    const item = await itemWithDemand(t, org, loc, 'PG-BLIP');
    // The drain job starts, then waits until the database has gone away before it works.
    let entered!: () => void;
    const started = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const gated: JobDefinition = {
      description: 'the real drain, held at its start once',
      async handle(ctx, job, token) {
        entered();
        await gate;
        return JOB_REGISTRY['recalculate-drain'].handle(ctx, job as never, token);
      },
    };
    const worker = await startWorker(t.config, {
      registry: { ...JOB_REGISTRY, 'recalculate-drain': gated },
      scheduleSyncMs: 3_600_000,
    });
    try {
      await move(t, org, { type: 'receipt', itemId: item, locationId: loc, quantity: 10 });
      await move(t, org, { type: 'issue', itemId: item, locationId: loc, quantity: 10 });
      await started;
      await pg.stop();
      release(); // the job now runs against a database that is down, and fails
      await sleep(3000);
      await pg.start();
      await waitFor(
        async () => (await liveAlerts(t, org, item, loc)).includes('stocked_out'),
        'the stocked-out alert after the outage',
      );
      await waitFor(async () => (await outboxRows(t, org)).length === 0, 'the outbox to be drained');
    } finally {
      release();
      await worker.close();
    }
  });
});

describe('the worker process across database and Redis restarts', () => {
  function startWorkerProcess(): ChildProcess {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', resolve(import.meta.dirname, '../src/main.ts')],
      {
        env: configEnv(t.config, {
          ENGINE_BATCH_SIZE: '25',
          WORKER_LOCK_DURATION_MS: '2000',
          WORKER_STALLED_INTERVAL_MS: '1000',
          LOG_LEVEL: 'silent',
        }),
        stdio: 'ignore',
      },
    );
    children.push(child);
    return child;
  }

  const fullRun = () =>
    withTenantDb(t.deps.database.db, org, (tx) =>
      tx.execute<{ id: string; status: string; done: number; total: number }>(
        sql`select id, status, done, total from recalc_runs order by started_at desc limit 1`,
      ),
    ).then((r) => r.rows[0]);

  let child: ChildProcess;

  it('survives a PostgreSQL restart in the middle of a full recalculation and finishes the run', async () => {
    await seedStockedItems(t, org.organizationId, [loc], ITEMS, 90);
    child = startWorkerProcess();
    await t.deps.jobs.add('recalculate', { tenantId: org.organizationId }, { jobId: 'full_pg_restart' });
    const partway = await waitFor(async () => {
      const run = await fullRun();
      return run && run.done > 0 && run.status === 'running' && run;
    }, 'the full run to commit a batch');
    expect(partway.done).toBeLessThan(partway.total);
    await databaseBlip();
    await sleep(1000);
    expect(child.exitCode).toBeNull(); // it used to die of 57P01 on its lock connection
    const done = await waitFor(
      async () => {
        const run = await fullRun();
        return run?.status === 'done' && run;
      },
      'the full run to finish after the restart',
      90_000,
    );
    expect(done.id).toBe(partway.id); // resumed from its cursor, not started over
    expect(done.done).toBe(done.total);
    expect(child.exitCode).toBeNull();
  }, 180_000);

  it('survives a Redis restart in the middle of a full recalculation', async () => {
    await t.deps.jobs.add('recalculate', { tenantId: org.organizationId }, { jobId: 'full_redis_restart' });
    const partway = await waitFor(async () => {
      const run = await fullRun();
      return run && run.status === 'running' && run.done > 0 && run;
    }, 'the second full run to commit a batch');
    await redis.restart();
    await waitFor(async () => (await fullRun())?.status === 'done', 'the run to finish', 90_000);
    expect((await fullRun())!.id).toBe(partway.id);
    expect(child.exitCode).toBeNull();
  }, 180_000);

  it('survives a PostgreSQL restart during an import, imports the file, and keeps processing jobs', async () => {
    const site = (await t.app.inject({ method: 'GET', url: '/v1/sites', headers: org.headers })).json()
      .items[0];
    const lines = ['date,site_code,location_code,item_code,type,quantity,unit,lot_number,expiry_date'];
    for (let d = 0; d < 60; d++) {
      const date = new Date(Date.UTC(2023, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
      for (let i = 1; i <= ITEMS; i++)
        lines.push(`${date},${site.code},CENTRAL,BULK-${i},issue,${1 + (i % 5)},,,`);
    }
    await waitFor(async () => t.deps.jobs.available, 'the producer to be connected');
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/imports?kind=movements',
      headers: { ...org.headers, 'content-type': 'text/csv' },
      payload: lines.join('\n'),
    });
    expect(res.statusCode, res.body).toBe(202);
    const importId = res.json().id as string;
    const status = async () =>
      (await t.app.inject({ method: 'GET', url: `/v1/imports/${importId}`, headers: org.headers })).json();
    await waitFor(async () => {
      const s = await status();
      return (s.status === 'validating' && s.processedRows > 0) || s.status === 'applying';
    }, 'the import to be under way');
    await databaseBlip();
    await sleep(1000);
    expect(child.exitCode).toBeNull();
    const finished = await waitFor(
      async () => {
        const s = await status();
        return (s.status === 'succeeded' || s.status === 'failed') && s;
      },
      'the import to finish after the restart',
      120_000,
    );
    expect(finished.status).toBe('succeeded');
    expect(finished.appliedRows).toBe(60 * ITEMS);

    // And it goes on with new work: a movement's recalculation after both restarts.
    const item = await itemWithDemand(t, org, loc, 'AFTER-RESTARTS');
    await move(t, org, { type: 'receipt', itemId: item, locationId: loc, quantity: 10 });
    await move(t, org, { type: 'issue', itemId: item, locationId: loc, quantity: 10 });
    await waitFor(
      async () => (await liveAlerts(t, org, item, loc)).includes('stocked_out'),
      'the alert from the worker process',
    );
    expect(child.exitCode).toBeNull();
    // No connection of the API's pool was lost to a transaction that broke at BEGIN.
    const { totalCount, idleCount } = t.deps.database.pool;
    expect(totalCount - idleCount).toBe(0);
  }, 240_000);
});
