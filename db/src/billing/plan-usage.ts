import type { AppConfig } from '@medstock/config';
import { isPlanId, type LimitedResource, limitsOf, type PlanId } from '@medstock/core';
import { sql } from 'drizzle-orm';
import type { Tx } from '../pool.ts';

/** Plan limits hold exactly when billing is on, i.e. when STRIPE_SECRET_KEY is set. */
export const planLimitsEnforced = (config: Pick<AppConfig, 'STRIPE_SECRET_KEY'>): boolean =>
  config.STRIPE_SECRET_KEY !== '';

// Every row counts, deactivated ones too: a site or item can be reactivated without passing
// through a create, so counting only active rows would let deactivate/create/reactivate bypass it.
const COUNT: Record<LimitedResource, ReturnType<typeof sql>> = {
  sites: sql`select count(*)::int as n from sites`,
  items: sql`select count(*)::int as n from items`,
};

/** Two-key advisory locks live apart from the single-key ones (migrations, engine runs). */
const PLAN_LIMIT_LOCK_CLASS = 4_242_002;

/** Sites or items the organisation holds, counted in its tenant schema (`tx` is bound to it). */
export async function countPlanResource(tx: Tx, resource: LimitedResource): Promise<number> {
  const r = await tx.execute<{ n: number }>(COUNT[resource]);
  return r.rows[0]?.n ?? 0;
}

export interface PlanUsage {
  plan: PlanId;
  limit: number;
  used: number;
}

/**
 * The organisation's limit and usage of `resource`, read under a transaction-scoped advisory
 * lock: until `tx` ends, every other addition of that resource in the organisation (one item,
 * a template, an import) waits, so two of them cannot both take the last free places. Null when
 * the plan sets no limit (no lock is needed then).
 */
export async function lockPlanUsage(
  tx: Tx,
  organizationId: string,
  resource: LimitedResource,
): Promise<PlanUsage | null> {
  const org = await tx.execute<{ plan: string; billed_sites: number | null }>(
    sql`select plan, billed_sites from control.organizations where id = ${organizationId}`,
  );
  const row = org.rows[0];
  const plan: PlanId = row && isPlanId(row.plan) ? row.plan : 'free';
  const limit = limitsOf(plan, row?.billed_sites ?? null)[resource];
  if (limit === null) return null;
  await tx.execute(
    sql`select pg_advisory_xact_lock(${PLAN_LIMIT_LOCK_CLASS}::int, hashtext(${`${organizationId}:${resource}`}))`,
  );
  return { plan, limit, used: await countPlanResource(tx, resource) };
}
