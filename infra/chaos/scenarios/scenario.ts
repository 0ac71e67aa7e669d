import { randomBytes } from 'node:crypto';
import { request } from '../http-client.ts';
import type { LedgerAudit } from '../ledger-audit.ts';
import type { ScenarioResult } from '../report.ts';
import type { Stack } from '../stack.ts';
import { type ChaosTenant, setUpTenant } from '../tenant-setup.ts';
import { pollUntil, seconds, sleep } from '../timing.ts';
import { startWorkload, type WorkloadOptions, type WorkloadResult } from '../workload.ts';

export interface ScenarioContext {
  stack: Stack;
  audit: LedgerAudit;
  log: (line: string) => void;
  /** How long clients keep retrying an unanswered request after the dependency is back. */
  giveUpMs: number;
  /** How long to wait for the engine to catch up after the dependency is back. */
  alertsTimeoutMs: number;
  seed: number;
}

/** When the fault began and when the dependency was back (answering again). */
export interface FaultWindow {
  faultAt: number;
  backAt: number;
}

export interface ScenarioDefinition {
  name: string;
  title: string;
  /** Needs the chaos tool's own stack (it stops or kills processes). */
  needsControl: boolean;
  workload?: Partial<WorkloadOptions>;
  /** Queue a full recalculation just before the fault, so the fault also meets one mid-run. */
  fullRecalculationBeforeFault?: boolean;
  prepare?(ctx: ScenarioContext, tenant: ChaosTenant): Promise<void>;
  /** Runs while the clients post; resolves once the dependency is back. */
  fault(ctx: ScenarioContext, tenant: ChaosTenant): Promise<FaultWindow>;
  /** Scenario-specific figures, after the run settled. */
  extra?(
    ctx: ScenarioContext,
    tenant: ChaosTenant,
    run: WorkloadResult,
    window: FaultWindow,
  ): Promise<Record<string, unknown>>;
  cleanup?(ctx: ScenarioContext, tenant: ChaosTenant): Promise<void>;
}

const DEFAULT_WORKLOAD: Omit<WorkloadOptions, 'seed'> = { clients: 6, pauseMs: 50, reader: true };
const WARM_UP_MS = 3_000;

/**
 * Waits from the dependency's return until every touched item-location is current and the
 * clients have settled, and returns when it last became current (a late retry that lands may
 * make it stale again; that counts).
 */
async function watchAlerts(
  ctx: ScenarioContext,
  tenant: ChaosTenant,
  runTag: string,
  backAt: number,
  finishing: Promise<WorkloadResult>,
): Promise<{ currentAt: number | null; stale: string[] }> {
  let settled = false;
  void finishing.then(() => (settled = true));
  let currentAt: number | null = null;
  let stale: string[] = [];
  const deadline = backAt + ctx.alertsTimeoutMs;
  while (true) {
    const at = Date.now();
    stale = await ctx.audit
      .staleItemLocations(tenant.organizationId, `${runTag}-%`)
      .catch((e: Error) => [`query failed: ${e.message}`]);
    if (stale.length === 0) currentAt ??= at;
    else currentAt = null;
    if (settled && (currentAt !== null || Date.now() > deadline)) return { currentAt, stale };
    await sleep(250);
  }
}

export async function runScenario(ctx: ScenarioContext, def: ScenarioDefinition): Promise<ScenarioResult> {
  const { stack, audit, log } = ctx;
  const runTag = `chaos-${def.name}-${randomBytes(3).toString('hex')}`;
  const notes: string[] = [];
  log(`${def.name}: setting up an organisation`);
  const tenant = await setUpTenant(stack.apiUrl, def.name, stack.mailDir);
  const baseline = await pollUntil(
    async () => (await audit.staleItemLocations(tenant.organizationId, '%')).length === 0,
    30_000,
    300,
  );
  if (baseline === null) notes.push('the set-up movements were not all recalculated within 30 s');
  try {
    await def.prepare?.(ctx, tenant);
    return await measure(ctx, def, tenant, runTag, notes);
  } finally {
    await def.cleanup?.(ctx, tenant).catch(() => {});
  }
}

async function measure(
  ctx: ScenarioContext,
  def: ScenarioDefinition,
  tenant: ChaosTenant,
  runTag: string,
  notes: string[],
): Promise<ScenarioResult> {
  const { stack, audit, log } = ctx;
  log(`${def.name}: ${def.title}`);
  const workload = startWorkload(stack.apiUrl, tenant, runTag, {
    ...DEFAULT_WORKLOAD,
    seed: ctx.seed,
    ...def.workload,
  });
  let window: FaultWindow;
  try {
    await sleep(WARM_UP_MS);
    if (def.fullRecalculationBeforeFault) {
      const r = await request(stack.apiUrl, 'POST', '/v1/engine/recalculate', {
        token: tenant.ownerToken,
        body: {},
      });
      if (r.status !== 202) notes.push(`full recalculation not queued (${r.status || r.error})`);
      await sleep(300);
    }
    window = await def.fault(ctx, tenant);
  } catch (err) {
    await workload.finish(Date.now()); // no clients left posting into the next scenario
    throw err;
  }
  log(`${def.name}: dependency back after ${seconds(window.backAt - window.faultAt)} s; settling`);
  const finishing = workload.finish(window.backAt + ctx.giveUpMs);
  const alerts = await watchAlerts(ctx, tenant, runTag, window.backAt, finishing);
  const run = await finishing;

  const ledger = await audit.ledgerFigures(tenant.organizationId, runTag, run.operations);
  const stuck = await audit.stuckKeys(runTag);
  const stockedOut = await audit.stockedOut(tenant.organizationId, runTag);
  const extra = (await def.extra?.(ctx, tenant, run, window)) ?? {};
  const exits = await stack.takeUnexpectedExits();
  for (const e of exits)
    notes.push(
      `${e.name} exited by itself ${seconds(e.at - window.faultAt)} s after the fault (code ${e.code}, signal ${e.signal}); restarted for the next scenario`,
    );

  const outcomes = run.operations.map((o) => o.outcome?.kind);
  const lastFailureAt = Math.max(run.writes.lastFailureAt, run.reads.lastFailureAt);
  const stuckKeys = Array.isArray(stuck) ? stuck : null;
  if (!Array.isArray(stuck)) notes.push(`stuck keys not measured: ${stuck.error}`);
  return {
    name: def.name,
    title: def.title,
    requests: run.operations.length,
    attempts: run.writes.attempts,
    accepted: outcomes.filter((k) => k === 'accepted' || k === 'confirmed').length,
    confirmedWithoutResponse: outcomes.filter((k) => k === 'confirmed').length,
    refused: outcomes.filter((k) => k === 'refused').length,
    gaveUp: outcomes.filter((k) => k === 'gave_up').length,
    applied: ledger.applied,
    appliedUnconfirmed: ledger.appliedUnconfirmed,
    lost: ledger.lost,
    doubled: ledger.doubled,
    serverErrors: run.writes.serverErrors + run.reads.serverErrors,
    unavailable: run.writes.unavailable + run.reads.unavailable,
    timeouts: run.writes.timeouts + run.reads.timeouts,
    inProgress: run.writes.inProgress,
    slow: run.writes.slow + run.reads.slow,
    reads: run.reads.attempts,
    stuckKeys: stuckKeys?.length ?? null,
    stuckCommitted: stuckKeys?.filter((k) => ledger.postings.has(k)).length ?? null,
    alertsCurrentSeconds:
      alerts.currentAt === null ? null : seconds(Math.max(0, alerts.currentAt - window.backAt)),
    alertsTimeoutSeconds: seconds(ctx.alertsTimeoutMs),
    lastWriteSeconds: seconds(Math.max(0, run.settledAt - window.backAt)),
    lastFailureSeconds: lastFailureAt ? seconds(lastFailureAt - window.backAt) : null,
    outageSeconds: seconds(window.backAt - window.faultAt),
    stockedOut,
    statuses: { writes: run.writes.byStatus, reads: run.reads.byStatus },
    samples: {
      serverErrors: [...run.writes.serverErrorSamples, ...run.reads.serverErrorSamples].slice(0, 5),
      slow: [...run.writes.slowSamples, ...run.reads.slowSamples].slice(0, 5),
      stale: alerts.stale.slice(0, 5),
      ...ledger.samples,
      refusals: refusalCodes(run),
    },
    extra,
    notes,
  };
}

/** The 4xx codes the workload met, counted (insufficient stock is expected: issues drain stock). */
function refusalCodes(run: WorkloadResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of run.operations) {
    if (o.outcome?.kind !== 'refused') continue;
    const code = `${o.outcome.answer.status} ${o.outcome.answer.body?.code ?? ''}`.trim();
    out[code] = (out[code] ?? 0) + 1;
  }
  return out;
}
