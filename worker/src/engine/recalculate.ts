import {
  assignPriors,
  completeRuleSet,
  computeItemLocation,
  DEFAULT_ENGINE_SETTINGS,
  DEFAULT_RULE_SET,
  evaluateAlerts,
  forecastOutlook,
  type Outlooker,
  type RuleSet,
  riskClassOf,
} from '@medstock/core';
import {
  type Database,
  type HeldLock,
  organizationToday,
  type Tx,
  withSessionLock,
  withTenantDb,
} from '@medstock/db';
import { sql } from 'drizzle-orm';
import { applyResults } from './apply-results.ts';
import { flagConsumptionAnomalies } from './detect-anomalies.ts';
import { currentCalibration, recalibrationFor } from './load-calibration.ts';
import { allItemLocations, type ItemLocationKey, loadEngineInputs } from './load-inputs.ts';

/** The rules in force, completed with the defaults (a set saved before a rule existed still runs). */
export async function currentRuleSet(tx: Tx): Promise<RuleSet> {
  const r = await tx.execute<{ version: number; rules: unknown }>(
    sql`select version, rules from rule_sets order by version desc limit 1`,
  );
  const row = r.rows[0];
  return row ? completeRuleSet(row.rules, row.version) : completeRuleSet(DEFAULT_RULE_SET);
}

/** Loads, computes and applies one batch of item-locations inside the caller's transaction. */
export async function recalculateBatch(
  tx: Tx,
  keys: ItemLocationKey[],
  runId: string | null,
  today: string,
  outlooker: Outlooker = forecastOutlook,
) {
  const rules = await currentRuleSet(tx);
  const inputs = await loadEngineInputs(tx, keys, today, DEFAULT_ENGINE_SETTINGS.horizonDays);
  await flagConsumptionAnomalies(tx, inputs, rules);
  assignPriors(inputs);
  const riskHorizonDays = rules.stockoutRisk.horizonDays;
  const recalibration = recalibrationFor(await currentCalibration(tx), riskHorizonDays);
  const results = inputs.map((input) => {
    const serviceLevel =
      rules.serviceLevels[riskClassOf(input.item.abc, input.item.ved)] ??
      DEFAULT_ENGINE_SETTINGS.serviceLevel;
    const computed = computeItemLocation(
      input,
      { ...DEFAULT_ENGINE_SETTINGS, serviceLevel, riskHorizonDays },
      outlooker,
      recalibration,
    );
    return { computed, alerts: evaluateAlerts(computed.state, rules) };
  });
  return applyResults(tx, runId, results);
}

export interface FullRunOptions {
  batchSize?: number;
  onBatch?: (done: number, total: number) => Promise<void> | void;
  /**
   * Called after each batch has committed, with the webhook deliveries it wrote: they go out at
   * once rather than when the whole run ends (or, after a crash, when the sweeper finds them).
   */
  onBatchCommitted?: (deliveryIds: string[]) => Promise<void> | void;
  outlooker?: Outlooker;
}

/**
 * A full recalculation of one organisation, in batches. Each batch commits together with the
 * run's cursor, so a worker killed mid-run (even with SIGKILL) or a database restart mid-run
 * resumes after the last committed batch when the job is retried: nothing is lost, nothing is
 * done twice. One full run per organisation at a time: a session advisory lock, which PostgreSQL
 * releases if this worker dies; if its session is lost (database restart) the run stops at the
 * next batch and the job's retry takes over.
 */
export async function recalculateAll(database: Database, tenantId: string, opts: FullRunOptions = {}) {
  const tenant = { organizationId: tenantId };
  const today = await withTenantDb(database.db, tenant, (tx) => organizationToday(tx));
  const locked = await withSessionLock(database.pool, `recalc:${tenantId}`, (lock) =>
    runFull(database, tenant, today, opts, lock),
  );
  if (locked.acquired) return locked.result;
  return {
    runId: null,
    resumed: false,
    skipped: true,
    itemLocations: 0,
    opened: 0,
    updated: 0,
    resolved: 0,
    deliveryIds: [] as string[],
  };
}

async function runFull(
  database: Database,
  tenant: { organizationId: string },
  today: string,
  opts: FullRunOptions,
  lock: HeldLock,
) {
  const run = await withTenantDb(database.db, tenant, async (tx) => {
    const existing = await tx.execute<{
      id: string;
      cursor_item: string | null;
      cursor_location: string | null;
      done: number;
    }>(
      sql`select id, cursor_item, cursor_location, done from recalc_runs where kind = 'full' and status = 'running' order by started_at limit 1 for update`,
    );
    if (existing.rows[0]) return { ...existing.rows[0], resumed: true };
    const total = (await allItemLocations(tx)).length;
    const created = await tx.execute<{ id: string }>(
      sql`insert into recalc_runs (kind, total) values ('full', ${total}) returning id`,
    );
    return { id: created.rows[0]!.id, cursor_item: null, cursor_location: null, done: 0, resumed: false };
  });
  let after: ItemLocationKey | undefined =
    run.cursor_item && run.cursor_location
      ? { itemId: run.cursor_item, locationId: run.cursor_location }
      : undefined;
  const keys = await withTenantDb(database.db, tenant, (tx) => allItemLocations(tx, after));
  let done = Number(run.done);
  const totals = { opened: 0, updated: 0, resolved: 0, deliveryIds: [] as string[] };
  const size = opts.batchSize ?? 500;
  for (let i = 0; i < keys.length; i += size) {
    lock.assertHeld();
    const batch = keys.slice(i, i + size);
    const last = batch[batch.length - 1]!;
    const r = await withTenantDb(database.db, tenant, async (tx) => {
      const applied = await recalculateBatch(tx, batch, run.id, today, opts.outlooker);
      await tx.execute(
        sql`update recalc_runs set cursor_item = ${last.itemId}, cursor_location = ${last.locationId}, done = done + ${batch.length} where id = ${run.id}`,
      );
      return applied;
    });
    after = last;
    done += batch.length;
    totals.opened += r.opened;
    totals.updated += r.updated;
    totals.resolved += r.resolved;
    totals.deliveryIds.push(...r.deliveryIds);
    if (r.deliveryIds.length) await opts.onBatchCommitted?.(r.deliveryIds);
    await opts.onBatch?.(done, done + keys.length - i - batch.length);
  }
  await withTenantDb(database.db, tenant, (tx) =>
    tx.execute(sql`update recalc_runs set status = 'done', finished_at = now() where id = ${run.id}`),
  );
  return {
    runId: run.id as string | null,
    resumed: run.resumed,
    skipped: false,
    itemLocations: done,
    ...totals,
  };
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
