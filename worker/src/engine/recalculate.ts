import {
  assignPriors,
  completeRuleSet,
  DEFAULT_ENGINE_SETTINGS,
  DEFAULT_RULE_SET,
  type Outlooker,
  type RuleSet,
} from '@medstock/core';
import {
  type Database,
  type HeldLock,
  type OutboxEntry,
  organizationToday,
  settleRecalculations,
  type Tx,
  withSessionLock,
  withTenantDb,
} from '@medstock/db';
import { sql } from 'drizzle-orm';
import { applyResults, type InputsStamp } from './apply-results.ts';
import { type BatchComputation, computeBatch, type ItemLocationResult } from './compute/compute-batch.ts';
import { computeOnThreads, fittingThreads } from './compute/compute-pool.ts';
import { flagConsumptionAnomalies } from './detect-anomalies.ts';
import { currentCalibration } from './load-calibration.ts';
import { loadEngineInputs } from './load-inputs.ts';
import { allItemLocations, changedItemLocations, type ItemLocationKey } from './watched-item-locations.ts';

/** The rules in force, completed with the defaults (a set saved before a rule existed still runs). */
export async function currentRuleSet(tx: Tx): Promise<RuleSet> {
  const r = await tx.execute<{ version: number; rules: unknown }>(
    sql`select version, rules from rule_sets order by version desc limit 1`,
  );
  const row = r.rows[0];
  return row ? completeRuleSet(row.rules, row.version) : completeRuleSet(DEFAULT_RULE_SET);
}

/** A batch's inputs as read, with what they were read from. */
export interface LoadedBatch extends BatchComputation {
  stamp: InputsStamp;
  /** The batch's outbox rows as they were before its inputs were read: settled with its results. */
  outbox: OutboxEntry[];
}

/**
 * Reads one batch's inputs (and flags its consumption anomalies).
 * - `contiguous`: the keys are every watched item-location between the first and the last, so the
 *   ledger is read as one index range.
 * - `writtenLater`: the results are written in another transaction (a run's pipeline), so the
 *   batch also needs the outbox versions to settle then and the time its inputs were read. The
 *   event path loads and writes in one transaction: its stamp is that transaction's own now(),
 *   and the drain settles what it took itself — two round trips saved on the way to an alert.
 */
export async function loadBatch(
  tx: Tx,
  keys: ItemLocationKey[],
  today: string,
  { contiguous = false, writtenLater = false }: { contiguous?: boolean; writtenLater?: boolean } = {},
): Promise<LoadedBatch> {
  // The outbox first: a change committing after this read bumps its row's version, so settling
  // these versions can never drop a change the inputs below did not see.
  const outbox = writtenLater ? await outboxEntriesOf(tx, keys) : [];
  const inputsAt = writtenLater
    ? (await tx.execute<{ at: string }>(sql`select now()::text as at`)).rows[0]!.at
    : null;
  const rules = await currentRuleSet(tx);
  const inputs = await loadEngineInputs(tx, keys, today, DEFAULT_ENGINE_SETTINGS.horizonDays, {
    range: contiguous && keys.length ? { first: keys[0]!, last: keys[keys.length - 1]! } : undefined,
  });
  await flagConsumptionAnomalies(tx, inputs, rules);
  // Priors pool an item's other sites: batches are item-aligned, so they are all in this batch.
  assignPriors(inputs);
  return {
    inputs,
    rules,
    calibration: await currentCalibration(tx),
    stamp: { inputsAt, inputsDay: today, ruleVersion: rules.version },
    outbox,
  };
}

async function outboxEntriesOf(tx: Tx, keys: ItemLocationKey[]): Promise<OutboxEntry[]> {
  const r = await tx.execute<{ item_id: string; location_id: string; version: string; attempts: number }>(sql`
    select o.item_id, o.location_id, o.version::text as version, o.attempts from recalculation_outbox o
      join unnest(${sql.param(keys.map((k) => k.itemId))}::uuid[], ${sql.param(keys.map((k) => k.locationId))}::uuid[]) u(item_id, location_id)
           using (item_id, location_id)`);
  return r.rows.map((x) => ({
    itemId: x.item_id,
    locationId: x.location_id,
    version: Number(x.version),
    attempts: x.attempts,
  }));
}

/** Loads, computes (on this thread) and applies one batch inside the caller's transaction: the event path. */
export async function recalculateBatch(
  tx: Tx,
  keys: ItemLocationKey[],
  runId: string | null,
  today: string,
  outlooker?: Outlooker,
) {
  const loaded = await loadBatch(tx, keys, today);
  return applyResults(tx, runId, computeBatch(loaded, outlooker), loaded.stamp);
}

export interface RunOptions {
  batchSize?: number;
  /** Fitting threads; 0 or absent = one per core. A custom `outlooker` always runs on this thread. */
  threads?: number;
  onBatch?: (done: number, total: number) => Promise<void> | void;
  /**
   * Called after each batch has committed, with the webhook deliveries it wrote: they go out at
   * once rather than when the whole run ends (or, after a crash, when the sweeper finds them).
   */
  onBatchCommitted?: (deliveryIds: string[]) => Promise<void> | void;
  outlooker?: Outlooker;
}

export interface RunResult {
  runId: string | null;
  resumed: boolean;
  skipped: boolean;
  itemLocations: number;
  opened: number;
  updated: number;
  resolved: number;
  deliveryIds: string[];
}

const skippedRun = (): RunResult => ({
  runId: null,
  resumed: false,
  skipped: true,
  itemLocations: 0,
  opened: 0,
  updated: 0,
  resolved: 0,
  deliveryIds: [],
});

/**
 * Splits keys (in key order) into batches of about `size`, never splitting an item: its sites
 * share a batch so the pooled prior sees all of them, as in the backtest.
 */
export function itemAlignedBatches(keys: ItemLocationKey[], size: number): ItemLocationKey[][] {
  const out: ItemLocationKey[][] = [];
  let cur: ItemLocationKey[] = [];
  for (const k of keys) {
    if (cur.length >= size && cur[cur.length - 1]!.itemId !== k.itemId) {
      out.push(cur);
      cur = [];
    }
    cur.push(k);
  }
  if (cur.length) out.push(cur);
  return out;
}

/**
 * Runs batches as a pipeline: while one batch is being fitted (on worker threads), the next is
 * read and the previous one written, so SQL and fitting overlap and every core is used. Writes
 * stay in batch order (a run's cursor only moves forward). At most three batches are in memory,
 * whatever the organisation's size.
 */
async function runPipeline(
  database: Database,
  tenant: { organizationId: string },
  batches: ItemLocationKey[][],
  opts: RunOptions & { today: string; contiguous: boolean; lock?: HeldLock },
  commit: (
    tx: Tx,
    batch: ItemLocationKey[],
    results: ItemLocationResult[],
    loaded: LoadedBatch,
  ) => Promise<Awaited<ReturnType<typeof applyResults>>>,
): Promise<Pick<RunResult, 'opened' | 'updated' | 'resolved' | 'deliveryIds'> & { done: number }> {
  const totals = { opened: 0, updated: 0, resolved: 0, deliveryIds: [] as string[], done: 0 };
  const threads = fittingThreads(opts.threads ?? 0);
  const total = batches.reduce((a, b) => a + b.length, 0);
  const load = (keys: ItemLocationKey[]) =>
    withTenantDb(database.db, tenant, (tx) =>
      loadBatch(tx, keys, opts.today, { contiguous: opts.contiguous, writtenLater: true }),
    );
  // One batch has nothing to overlap with, and starting threads (each loads the engine's modules)
  // would cost more than it saves: a small incremental cycle computes on this thread.
  const onThreads = !opts.outlooker && batches.length > 1;
  const compute = (loaded: LoadedBatch) =>
    onThreads ? computeOnThreads(loaded, threads) : computeBatch(loaded, opts.outlooker);
  const quiet = <T>(p: Promise<T>) => {
    // Awaited later; until then a failure must not count as unhandled.
    p.catch(() => undefined);
    return p;
  };
  let next: Promise<LoadedBatch> | null = batches.length ? quiet(load(batches[0]!)) : null;
  let writing: Promise<void> = Promise.resolve();
  for (let i = 0; i < batches.length; i++) {
    opts.lock?.assertHeld();
    const batch = batches[i]!;
    const loaded = await next!;
    next = i + 1 < batches.length ? quiet(load(batches[i + 1]!)) : null;
    const results = await compute(loaded);
    await writing;
    opts.lock?.assertHeld();
    writing = quiet(
      withTenantDb(database.db, tenant, (tx) => commit(tx, batch, results, loaded)).then(async (r) => {
        totals.opened += r.opened;
        totals.updated += r.updated;
        totals.resolved += r.resolved;
        totals.deliveryIds.push(...r.deliveryIds);
        totals.done += batch.length;
        if (r.deliveryIds.length) await opts.onBatchCommitted?.(r.deliveryIds);
        await opts.onBatch?.(totals.done, total);
      }),
    );
  }
  await writing;
  return totals;
}

/**
 * A full recalculation of one organisation, in batches. Each batch commits together with the
 * run's cursor, so a worker killed mid-run (even with SIGKILL) or a database restart mid-run
 * resumes after the last committed batch when the job is retried: nothing is lost, nothing is
 * done twice. Outbox rows of a batch are settled with it (version-guarded, as the drain does). One run per organisation at a time (full or incremental): a session advisory lock,
 * which PostgreSQL releases if this worker dies; if its session is lost (database restart) the run
 * stops at the next batch and the job's retry takes over.
 */
export async function recalculateAll(
  database: Database,
  tenantId: string,
  opts: RunOptions = {},
): Promise<RunResult> {
  const tenant = { organizationId: tenantId };
  const today = await withTenantDb(database.db, tenant, (tx) => organizationToday(tx));
  const locked = await withSessionLock(database.pool, `recalc:${tenantId}`, (lock) =>
    runFull(database, tenant, today, opts, lock),
  );
  return locked.acquired ? locked.result : skippedRun();
}

async function runFull(
  database: Database,
  tenant: { organizationId: string },
  today: string,
  opts: RunOptions,
  lock: HeldLock,
): Promise<RunResult> {
  // The run and its keys in one transaction, the watched set read once (it scans the ledger's
  // last two years): a new run counts it as its total, a resumed one continues after its cursor.
  const { run, keys } = await withTenantDb(database.db, tenant, async (tx) => {
    const existing = await tx.execute<{
      id: string;
      cursor_item: string | null;
      cursor_location: string | null;
      done: number;
    }>(
      sql`select id, cursor_item, cursor_location, done from recalc_runs where kind = 'full' and status = 'running' order by started_at limit 1 for update`,
    );
    const found = existing.rows[0];
    if (found) {
      const after =
        found.cursor_item && found.cursor_location
          ? { itemId: found.cursor_item, locationId: found.cursor_location }
          : undefined;
      return { run: { ...found, resumed: true }, keys: await allItemLocations(tx, after) };
    }
    const all = await allItemLocations(tx);
    const created = await tx.execute<{ id: string }>(
      sql`insert into recalc_runs (kind, total) values ('full', ${all.length}) returning id`,
    );
    return { run: { id: created.rows[0]!.id, done: 0, resumed: false }, keys: all };
  });
  const batches = itemAlignedBatches(keys, opts.batchSize ?? 500);
  const before = Number(run.done);
  const totals = await runPipeline(
    database,
    tenant,
    batches,
    {
      ...opts,
      today,
      contiguous: true,
      lock,
      onBatch: (done) => opts.onBatch?.(before + done, before + keys.length),
    },
    async (tx, batch, results, loaded) => {
      const applied = await applyResults(tx, run.id, results, loaded.stamp);
      await settleRecalculations(tx, loaded.outbox);
      const last = batch[batch.length - 1]!;
      await tx.execute(
        sql`update recalc_runs set cursor_item = ${last.itemId}, cursor_location = ${last.locationId}, done = done + ${batch.length} where id = ${run.id}`,
      );
      return applied;
    },
  );
  await withTenantDb(database.db, tenant, (tx) =>
    tx.execute(sql`update recalc_runs set status = 'done', finished_at = now() where id = ${run.id}`),
  );
  return {
    runId: run.id,
    resumed: run.resumed,
    skipped: false,
    itemLocations: before + totals.done,
    opened: totals.opened,
    updated: totals.updated,
    resolved: totals.resolved,
    deliveryIds: totals.deliveryIds,
  };
}

/**
 * The scheduled cycle: recalculates only the item-locations whose inputs changed since their last
 * computation (changedItemLocations: the outbox, a new local day, new rules or calibration, newly
 * watched), so a quiet organisation costs a couple of index probes. Resumable by construction: a
 * batch that committed stamped its policies with today's inputs, so a retry skips it.
 */
export async function recalculateChanged(
  database: Database,
  tenantId: string,
  opts: RunOptions = {},
): Promise<RunResult> {
  const tenant = { organizationId: tenantId };
  const locked = await withSessionLock(database.pool, `recalc:${tenantId}`, async (lock) => {
    const { today, changed } = await withTenantDb(database.db, tenant, async (tx) => {
      const t = await organizationToday(tx);
      return { today: t, changed: await changedItemLocations(tx, t, (await currentRuleSet(tx)).version) };
    });
    const totals = await runPipeline(
      database,
      tenant,
      itemAlignedBatches(changed, opts.batchSize ?? 500),
      { ...opts, today, contiguous: false, lock },
      async (tx, batch, results, loaded) => {
        const applied = await applyResults(tx, null, results, loaded.stamp);
        await settleRecalculations(tx, loaded.outbox);
        return applied;
      },
    );
    return {
      runId: null,
      resumed: false,
      skipped: false,
      itemLocations: totals.done,
      opened: totals.opened,
      updated: totals.updated,
      resolved: totals.resolved,
      deliveryIds: totals.deliveryIds,
    } satisfies RunResult;
  });
  return locked.acquired ? locked.result : skippedRun();
}

export async function recalculateItems(
  database: Database,
  tenantId: string,
  keys: ItemLocationKey[],
  outlooker?: Outlooker,
) {
  return withTenantDb(database.db, { organizationId: tenantId }, async (tx) =>
    recalculateBatch(tx, keys, null, await organizationToday(tx), outlooker),
  );
}
