import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { buildApp } from '@medstock/api/app.ts';
import { createDeps } from '@medstock/api/create-deps.ts';
import { type Database, organizationTimeZone, postMovement, tenantSchema, withTenantDb } from '@medstock/db';
import * as engine from '@medstock/worker/engine/recalculate.ts';
import { startWorker } from '@medstock/worker/worker.ts';
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { type Cost, measure, postmasterPid, retainedHeapProbe } from './cost-meter.ts';
import { benchServices, percentile, table } from './harness.ts';
import { createChain, seedEngineLedger } from './seed-engine-ledger.ts';

/**
 * Issue 10 speed figures, each beside a one-pass COPY scan of the same ledger measured in the
 * same run. For each tenant size (item-locations; BENCH_ENGINE_SIZES, default 1000,3000,10000,30000;
 * each its own organisation of size/3 items × 3 sites with three years of daily history): wall,
 * Node CPU and PostgreSQL CPU of a first full run, a refit (second full run), an incremental cycle
 * with nothing changed and one after 1% of item-locations changed; then event → alert latency with
 * the worker running, on the largest tenant and on the one whose ledger is nearest 3M rows.
 */

// pg-copy-streams is the worker's dependency (its importer uses COPY FROM); the bench borrows it.
const { to: copyTo } = createRequire(new URL('../../worker/package.json', import.meta.url))(
  'pg-copy-streams',
) as { to: (text: string) => Readable & pg.Submittable };

const TARGETS = { first: 3, refit: 1.5, incremental: 0.1, fullAt30kS: 120, alertP95Ms: 250 };

/** The one-pass baseline: daily sums of the whole ledger in series order, streamed to the client. */
async function copyScan(pool: pg.Pool, organizationId: string, zone: string) {
  const client = await pool.connect();
  try {
    const stream = client.query(
      copyTo(`copy (select item_id, location_id, (occurred_at at time zone '${zone.replaceAll("'", "''")}')::date as d, sum(quantity)
                      from "${tenantSchema(organizationId)}".movements group by 1, 2, 3 order by 1, 2, 3) to stdout`),
    );
    let rows = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
    }
    return rows;
  } finally {
    client.release();
  }
}

interface SizeResult {
  itemLocations: number;
  items: number;
  movements: number;
  seedS: number;
  scanRows: number;
  scan: Cost;
  first: Cost;
  refit: Cost;
  quiet: Cost;
  quietItemLocations: number;
  incremental: Cost;
  changed: number;
  incrementalItemLocations: number;
  /** Heap kept after a full collection at the end of each batch of a third, unmeasured full run. */
  retainedHeapMb: number;
  /** The process's maxRSS so far (cumulative over the sizes run before). */
  maxRssMb: number;
  opened: number;
  organizationId: string;
  headers: Record<string, string>;
  locationIds: string[];
}

const r1 = (x: number, d = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : 'n/a');
const met = (ok: boolean) => (ok ? 'met' : 'missed');

export async function run(opts: { sizes?: number[]; events?: number; batchSize?: number } = {}) {
  const sizes =
    opts.sizes ??
    (process.env.BENCH_ENGINE_SIZES ?? '1000,3000,10000,30000')
      .split(',')
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0)
      .sort((a, b) => a - b);
  const events = opts.events ?? Number(process.env.BENCH_ENGINE_EVENTS ?? 100);
  const batchSize = opts.batchSize ?? Number(process.env.BENCH_ENGINE_BATCH ?? 500);
  // Fitting threads (the engine's default, absent: one per core).
  const threads = process.env.BENCH_ENGINE_THREADS ? Number(process.env.BENCH_ENGINE_THREADS) : undefined;
  const runOpts = { batchSize, threads };
  const svc = await benchServices('engine');
  // Access tokens outlive the run: the latency stage uses tenants signed up many minutes before.
  const deps = await createDeps({ ...svc.config, PG_POOL_MAX: 20, ACCESS_TOKEN_TTL_SECONDS: 6 * 3600 });
  const app = await buildApp(deps, { logger: false });
  await app.ready();
  const database = deps.database;
  try {
    const pgPid = await postmasterPid(database.pool);
    // Warm-up (not reported): JIT and caches, so the smallest size is not charged for them.
    const warm = await createChain(app, deps, 'warm-up');
    await seedEngineLedger(database, svc.postgresUrl, warm.organizationId, warm.locationIds, 20);
    for (let i = 0; i < 2; i++) await engine.recalculateAll(database, warm.organizationId, runOpts);
    await engine.recalculateChanged(database, warm.organizationId, runOpts);

    const results: SizeResult[] = [];
    for (const size of sizes) {
      const items = Math.ceil(size / 3);
      const chain = await createChain(app, deps, `s${size}`);
      const { organizationId } = chain;
      const org = { organizationId };
      const seeded = await seedEngineLedger(
        database,
        svc.postgresUrl,
        organizationId,
        chain.locationIds,
        items,
      );
      console.error(
        `[engine bench] ${seeded.itemLocations} item-locations, ${seeded.movements} rows seeded in ${r1(seeded.seconds, 1)} s`,
      );
      const zone = await withTenantDb(database.db, org, (tx) => organizationTimeZone(tx));
      // Once to warm the cache (the engine's runs read a warm ledger too), then the better of two:
      // on a shared machine a single scan can be slowed by others, which would flatter every ratio.
      await copyScan(database.pool, organizationId, zone);
      const scans = [];
      for (let i = 0; i < 2; i++)
        scans.push(await measure(pgPid, () => copyScan(database.pool, organizationId, zone)));
      const scan = scans.reduce((a, b) => (b.cost.wallS < a.cost.wallS ? b : a));
      const first = await measure(pgPid, () => engine.recalculateAll(database, organizationId, runOpts));
      console.error(`[engine bench] first run ${r1(first.cost.wallS, 1)} s`);
      const refit = await measure(pgPid, () => engine.recalculateAll(database, organizationId, runOpts));
      console.error(`[engine bench] refit ${r1(refit.cost.wallS, 1)} s`);

      // Incremental: nothing changed, then 1% of item-locations changed through the ledger's own
      // function (so they are marked in the recalculation outbox as in production). No worker runs.
      const quiet = await measure(pgPid, () => engine.recalculateChanged(database, organizationId, runOpts));
      const changed = await changeOnePercent(database, organizationId, seeded.itemLocations);
      const incremental = await measure(pgPid, () =>
        engine.recalculateChanged(database, organizationId, runOpts),
      );
      results.push({
        itemLocations: seeded.itemLocations,
        items,
        movements: seeded.movements,
        seedS: seeded.seconds,
        scanRows: scan.result,
        scan: scan.cost,
        first: first.cost,
        refit: refit.cost,
        quiet: quiet.cost,
        quietItemLocations: quiet.result.itemLocations,
        incremental: incremental.cost,
        changed,
        incrementalItemLocations: incremental.result.itemLocations,
        retainedHeapMb: await retainedHeapOfFullRun(database, organizationId, runOpts),
        maxRssMb: process.resourceUsage().maxRSS / 1024,
        opened: first.result.opened,
        organizationId,
        headers: chain.headers,
        locationIds: chain.locationIds,
      });
    }

    // On the largest tenant, and on the one whose ledger is nearest the issue's 3M rows.
    const largest = results[results.length - 1]!;
    const near3M = results.reduce((a, b) =>
      Math.abs(Math.log(b.movements / 3e6)) < Math.abs(Math.log(a.movements / 3e6)) ? b : a,
    );
    const latencies = [];
    for (const tenant of new Set([near3M, largest]))
      latencies.push(await eventToAlert(svc.config, app, database, tenant, events));
    const out = report(results, latencies, batchSize, threads);
    console.log(out.markdown);
    return out.summary;
  } finally {
    await app.close();
    await deps.close();
    // Ephemeral: the bench's PostgreSQL and its data directory go with it.
    await svc.stop();
  }
}

/** Issues one piece at 1% of the item-locations (those with stock), each in its own transaction. */
async function changeOnePercent(database: Database, organizationId: string, itemLocations: number) {
  const org = { organizationId };
  const n = Math.max(1, Math.ceil(itemLocations / 100));
  const picked = await withTenantDb(database.db, org, (tx) =>
    tx.execute<{ item_id: string; location_id: string }>(sql`
      select item_id, location_id from stock where on_hand > 0
       order by md5(item_id::text || location_id::text) limit ${n}`),
  );
  const queue = [...picked.rows];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        const { item_id: itemId, location_id: locationId } = p;
        await withTenantDb(database.db, org, (tx) =>
          postMovement(tx, { type: 'issue', itemId, locationId, quantity: 1, reason: 'bench: 1% changed' }),
        );
      }
    }),
  );
  const due = await withTenantDb(database.db, org, (tx) =>
    tx.execute<{ n: number }>(sql`select count(*)::int as n from recalculation_outbox`),
  );
  return due.rows[0]!.n;
}

/**
 * POST of an issue that takes an item-location's position from above its reorder point to 30% of
 * it → the alert it raises is readable through the API; the worker runs beside the API.
 */
/** A third full run, not timed: a full collection after each batch, the most heap kept then. */
async function retainedHeapOfFullRun(
  database: Database,
  organizationId: string,
  runOpts: Parameters<typeof engine.recalculateAll>[2],
): Promise<number> {
  const probe = retainedHeapProbe();
  await engine.recalculateAll(database, organizationId, { ...runOpts, onBatch: probe.step });
  return probe.maxMb();
}

async function eventToAlert(
  config: Parameters<typeof startWorker>[0],
  app: Awaited<ReturnType<typeof buildApp>>,
  database: Database,
  tenant: SizeResult,
  events: number,
) {
  const org = { organizationId: tenant.organizationId };
  const headers = tenant.headers;
  const worker = await startWorker({ ...config, RECALC_DRAIN_CONCURRENCY: 4 });
  const latencies: number[] = [];
  let posted = 0;
  const refused = new Map<number, number>();
  let candidates = 0;
  try {
    // Let the worker drain what the incremental stage left (nothing, if that stage ran).
    for (let i = 0; i < 600; i++) {
      const left = await withTenantDb(database.db, org, (tx) =>
        tx.execute<{ n: number }>(sql`select count(*)::int as n from recalculation_outbox`),
      );
      if (left.rows[0]!.n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const policies = await withTenantDb(database.db, org, (tx) =>
      tx.execute<{ item_id: string; location_id: string; position: number; reorder_point: string }>(sql`
        select p.item_id, p.location_id, p.position, p.reorder_point::text from item_location_policies p
         where p.position > p.reorder_point + 2
           and not exists (select 1 from alerts a where a.item_id = p.item_id and a.location_id = p.location_id
                             and a.status in ('open', 'acknowledged', 'snoozed'))
         order by md5(p.item_id::text || p.location_id::text) limit ${events}`),
    );
    candidates = policies.rows.length;
    for (const p of policies.rows) {
      const qty = Math.max(1, Math.ceil(Number(p.position) - Number(p.reorder_point) * 0.3));
      const t0 = performance.now();
      const res = await app.inject({
        method: 'POST',
        url: '/v1/movements',
        headers,
        payload: {
          type: 'issue',
          itemId: p.item_id,
          locationId: p.location_id,
          quantity: Math.min(qty, Number(p.position)),
        },
      });
      if (res.statusCode !== 201) {
        refused.set(res.statusCode, (refused.get(res.statusCode) ?? 0) + 1);
        continue;
      }
      posted++;
      const end = Date.now() + 10_000;
      while (Date.now() < end) {
        const a = await app.inject({
          method: 'GET',
          url: `/v1/alerts?itemId=${p.item_id}&locationId=${p.location_id}`,
          headers,
        });
        if (a.json().items.length > 0) {
          latencies.push(performance.now() - t0);
          break;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  } finally {
    await worker.close();
  }
  const ledger = await withTenantDb(database.db, org, (tx) =>
    tx.execute<{ n: number }>(sql`select count(*)::int as n from movements`),
  );
  latencies.sort((a, b) => a - b);
  return {
    candidates,
    posted,
    refused: [...refused].map(([status, n]) => `${n}× ${status}`).join(', ') || 'none',
    alerted: latencies.length,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    ledgerRows: ledger.rows[0]!.n,
    itemLocations: tenant.itemLocations,
  };
}

function report(
  results: SizeResult[],
  latencies: Awaited<ReturnType<typeof eventToAlert>>[],
  batchSize: number,
  threads: number | undefined,
) {
  const big = results[results.length - 1]!;
  const ratio = (c: Cost | null) => (c ? c.wallS / big.scan.wallS : Number.NaN);
  const perSec = (c: Cost | null, n: number | null) => (c && n ? Math.round(n / c.wallS) : '–');
  // The machine is shared: CPU seconds (Node + PostgreSQL) are the steadier comparison.
  const cpu = (c: Cost) => c.nodeCpuS + c.pgCpuS;
  const na = 'not available';
  const stage = (
    name: string,
    c: Cost | null,
    n: number | null,
    target: number | null,
  ): Record<string, string | number> =>
    c
      ? {
          stage: name,
          'item-locations': n ?? 'n/a',
          'wall (s)': r1(c.wallS),
          'Node CPU (s)': r1(c.nodeCpuS),
          'PG CPU (s)': r1(c.pgCpuS),
          'item-locations/s': perSec(c, n),
          '× scan wall': r1(ratio(c)),
          '× scan CPU': r1(cpu(c) / cpu(big.scan)),
          target: target === null ? '' : `≤ ${target}×: ${met(ratio(c) <= target)}`,
        }
      : {
          stage: name,
          'item-locations': n ?? 'n/a',
          'wall (s)': na,
          'Node CPU (s)': na,
          'PG CPU (s)': na,
          'item-locations/s': na,
          '× scan wall': na,
          '× scan CPU': na,
          target: target === null ? '' : `≤ ${target}×: ${na}`,
        };
  const headline = [
    stage(`one-pass COPY scan (${big.scanRows} daily sums)`, big.scan, big.itemLocations, null),
    stage('first full run (models selected)', big.first, big.itemLocations, TARGETS.first),
    stage('refit (second full run)', big.refit, big.itemLocations, TARGETS.refit),
    stage('incremental cycle, nothing changed', big.quiet, big.quietItemLocations, null),
    stage(
      `incremental cycle after 1% changed (${big.changed} marked)`,
      big.incremental,
      big.incrementalItemLocations,
      TARGETS.incremental,
    ),
  ];
  // 10,000 × 3 within two minutes: measured when that size ran, else extrapolated linearly.
  const at30k = results.find((r) => r.itemLocations >= 30_000);
  const fullAt30k = at30k ? at30k.first.wallS : (big.first.wallS * 30_000) / big.itemLocations;
  const us = (s: number, n: number) => Math.round((s * 1e6) / n);
  const scaling = results.map((r) => ({
    'item-locations': r.itemLocations,
    'ledger rows': r.movements,
    'scan (s)': r1(r.scan.wallS),
    'scan CPU (s)': r1(r.scan.nodeCpuS + r.scan.pgCpuS),
    'first (s)': r1(r.first.wallS),
    'first × scan': r1(r.first.wallS / r.scan.wallS),
    'first × scan CPU': r1((r.first.nodeCpuS + r.first.pgCpuS) / (r.scan.nodeCpuS + r.scan.pgCpuS)),
    'first Node CPU µs/IL': us(r.first.nodeCpuS, r.itemLocations),
    'first PG CPU µs/IL': us(r.first.pgCpuS, r.itemLocations),
    'refit (s)': r1(r.refit.wallS),
    'refit × scan': r1(r.refit.wallS / r.scan.wallS),
    'refit CPU µs/IL': us(r.refit.nodeCpuS + r.refit.pgCpuS, r.itemLocations),
    'incr. (s)': r.incremental ? r1(r.incremental.wallS) : 'n/a',
    'incr. × scan': r.incremental ? r1(r.incremental.wallS / r.scan.wallS) : 'n/a',
    'peak RSS MB (first/refit)': `${Math.round(r.first.peakRssMb)}/${Math.round(r.refit.peakRssMb)}`,
    'peak heap MB (first/refit)': `${Math.round(r.first.peakHeapMb)}/${Math.round(r.refit.peakHeapMb)}`,
    'retained heap MB (after GC, per batch)': Math.round(r.retainedHeapMb),
    'maxRSS so far MB': Math.round(r.maxRssMb),
  }));
  const targets = [
    {
      target: `first run ≤ ${TARGETS.first}× scan`,
      measured: `${r1(ratio(big.first))}×`,
      result: met(ratio(big.first) <= TARGETS.first),
    },
    {
      target: `refit ≤ ${TARGETS.refit}× scan`,
      measured: `${r1(ratio(big.refit))}×`,
      result: met(ratio(big.refit) <= TARGETS.refit),
    },
    {
      target: `incremental cycle (1% changed) ≤ ${TARGETS.incremental}× scan`,
      measured: big.incremental ? `${r1(ratio(big.incremental), 3)}×` : na,
      result: big.incremental ? met(ratio(big.incremental) <= TARGETS.incremental) : na,
    },
    {
      target: `10,000 × 3 full recalculation ≤ ${TARGETS.fullAt30kS} s`,
      measured: `${r1(fullAt30k, 1)} s${at30k ? '' : ` (extrapolated from ${big.itemLocations})`}`,
      result: met(fullAt30k <= TARGETS.fullAt30kS),
    },
    {
      // Flat: the largest organisation keeps at most 1.5× the heap the smallest does.
      target: 'engine memory flat in tenant size (retained heap, largest ≤ 1.5× smallest)',
      measured: `${Math.round(results[0]!.retainedHeapMb)} → ${Math.round(big.retainedHeapMb)} MB (${results[0]!.itemLocations} → ${big.itemLocations} item-locations)`,
      result: results.length > 1 ? met(big.retainedHeapMb <= 1.5 * results[0]!.retainedHeapMb) : na,
    },
    ...latencies.map((l) => ({
      target: `event → alert p95 ≤ ${TARGETS.alertP95Ms} ms`,
      measured: `${r1(l.p95, 0)} ms at ${l.ledgerRows} ledger rows`,
      result: l.alerted ? met(l.p95 <= TARGETS.alertP95Ms) : na,
    })),
  ];
  const alertRows = latencies.map((l) => ({
    'item-locations': l.itemLocations,
    'ledger rows': l.ledgerRows,
    'candidates / posted / alerts seen': `${l.candidates} / ${l.posted} / ${l.alerted}`,
    'POSTs refused': l.refused,
    'p50 (ms)': r1(l.p50, 0),
    'p95 (ms)': r1(l.p95, 0),
  }));
  const markdown = [
    '',
    `## Engine speed (issue 10) — ${big.itemLocations} item-locations (${big.items} items × 3 sites), ${big.movements} ledger rows, 1096 days, batch ${batchSize}, ${threads ?? `one per core (${availableParallelism()})`} fitting threads`,
    '',
    table(headline),
    '',
    `Alerts opened by the first run: ${big.opened}. Seeding took ${r1(big.seedS, 1)} s.`,
    '',
    '### Scaling (each size its own organisation)',
    '',
    table(scaling),
    '',
    '### Event → alert readable through the API (worker running; largest tenant and the one nearest 3M rows)',
    '',
    table(alertRows),
    '',
    '### Targets',
    '',
    table(targets),
    '',
  ].join('\n');
  return { markdown, summary: { headline, scaling, targets, latencies } };
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
