import { type TenantRef, type Tx, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../deps.ts';
import { ProblemError } from '../lib/problem.ts';
import { isPlanId, type LimitedResource, limitsOf, PLANS, type PlanId } from './plans.ts';

/** Billing is on exactly when a Stripe client exists (STRIPE_SECRET_KEY is set). */
export const billingEnabled = (deps: AppDeps): boolean => deps.stripe != null;

// Every row counts, deactivated ones too: a site or item can be reactivated without passing
// through a create, so counting only active rows would let deactivate/create/reactivate bypass it.
const COUNT: Record<LimitedResource, ReturnType<typeof sql>> = {
  sites: sql`select count(*)::int as n from sites`,
  items: sql`select count(*)::int as n from items`,
};

/** Two-key advisory locks live apart from the single-key ones (migrations, engine runs). */
const PLAN_LIMIT_LOCK_CLASS = 4_242_002;

async function countOf(tx: Tx, resource: LimitedResource): Promise<number> {
  const r = await tx.execute<{ n: number }>(COUNT[resource]);
  return r.rows[0]?.n ?? 0;
}

/** Sites and items the organisation holds, counted in its tenant schema. */
export async function usageOf(deps: AppDeps, tenant: TenantRef): Promise<Record<LimitedResource, number>> {
  return withTenantDb(deps.database.db, tenant, async (tx) => ({
    sites: await countOf(tx, 'sites'),
    items: await countOf(tx, 'items'),
  }));
}

const NOUN: Record<LimitedResource, [string, string]> = {
  sites: ['site', 'sites'],
  items: ['item', 'items'],
};
const count = (n: number, r: LimitedResource) => `${n.toLocaleString('en')} ${NOUN[r][n === 1 ? 0 : 1]}`;
const planName = (p: PlanId) => `${PLANS[p].name.en} (${PLANS[p].name.zh})`;

/** The problem a caller gets at a plan limit: the limit, the usage and how to upgrade. */
export function planLimitReached(
  plan: PlanId,
  resource: LimitedResource,
  limit: number,
  used: number,
): ProblemError {
  let how: string;
  let upgradeTo: PlanId[];
  if (plan === 'chain') {
    // Chain is priced per site: its site limit is the number of sites paid for.
    upgradeTo = [];
    how = 'Add sites to the subscription in the customer portal (POST /v1/billing/portal), then retry.';
  } else {
    upgradeTo = plan === 'free' ? ['clinic', 'chain'] : ['chain'];
    const options = upgradeTo.map((p) => `${planName(p)}: ${PLANS[p].description.en}`).join('; ');
    const example = upgradeTo[0] === 'chain' ? '{"plan": "chain", "sites": 5}' : '{"plan": "clinic"}';
    how = `Upgrade with POST /v1/billing/checkout ${example} (plans: GET /v1/billing/plans) — ${options}.`;
  }
  const detail =
    `The ${planName(plan)} plan allows ${count(limit, resource)}` +
    `${plan === 'chain' && resource === 'sites' ? ' (the sites paid for)' : ''}; this organisation has ${count(used, resource)}. ${how}`;
  return new ProblemError(403, 'plan_limit_reached', 'Plan limit reached', detail, undefined, {
    resource,
    plan,
    limit,
    used,
    upgrade: { checkout: '/v1/billing/checkout', portal: '/v1/billing/portal', plans: upgradeTo },
  });
}

/**
 * Refuses (403 plan_limit_reached) adding `adding` sites or items beyond the organisation's plan.
 * No-op when billing is off. Pass the caller's tenant transaction as `tx` to make the check and
 * the insert atomic: an advisory lock then serialises concurrent additions until it commits, so
 * two requests cannot both take the last free place.
 */
export async function assertWithinPlan(
  deps: AppDeps,
  auth: TenantRef,
  resource: LimitedResource,
  adding = 1,
  tx?: Tx,
): Promise<void> {
  if (!billingEnabled(deps) || adding <= 0) return;
  const check = async (t: Tx) => {
    const org = await t.execute<{ plan: string; billed_sites: number | null }>(
      sql`select plan, billed_sites from control.organizations where id = ${auth.organizationId}`,
    );
    const row = org.rows[0];
    const plan: PlanId = row && isPlanId(row.plan) ? row.plan : 'free';
    const limit = limitsOf(plan, row?.billed_sites ?? null)[resource];
    if (limit === null) return;
    await t.execute(
      sql`select pg_advisory_xact_lock(${PLAN_LIMIT_LOCK_CLASS}::int, hashtext(${`${auth.organizationId}:${resource}`}))`,
    );
    const used = await countOf(t, resource);
    if (used + adding > limit) throw planLimitReached(plan, resource, limit, used);
  };
  return tx ? check(tx) : withTenantDb(deps.database.db, auth, check);
}
