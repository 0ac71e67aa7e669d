import { type LimitedResource, type PlanId, planLimitDetail, upgradesFrom } from '@medstock/core';
import { countPlanResource, lockPlanUsage, type TenantRef, type Tx, withTenantDb } from '@medstock/db';
import type { AppDeps } from '../deps.ts';
import { ProblemError } from '../lib/problem.ts';

/**
 * Billing is on exactly when a Stripe client exists: createStripeClient makes one exactly when
 * STRIPE_SECRET_KEY is set, which is planLimitsEnforced, the worker's test for the same thing.
 */
export const billingEnabled = (deps: AppDeps): boolean => deps.stripe != null;

/** Sites and items the organisation holds, counted in its tenant schema. */
export async function usageOf(deps: AppDeps, tenant: TenantRef): Promise<Record<LimitedResource, number>> {
  return withTenantDb(deps.database.db, tenant, async (tx) => ({
    sites: await countPlanResource(tx, 'sites'),
    items: await countPlanResource(tx, 'items'),
  }));
}

/** The problem a caller gets at a plan limit: the limit, the usage and how to upgrade. */
export function planLimitReached(
  plan: PlanId,
  resource: LimitedResource,
  limit: number,
  used: number,
): ProblemError {
  return new ProblemError(
    403,
    'plan_limit_reached',
    'Plan limit reached',
    planLimitDetail(plan, resource, limit, used),
    undefined,
    {
      params: {
        resource,
        plan,
        limit,
        used,
        upgrades: upgradesFrom(plan),
        example: upgradesFrom(plan)[0] === 'chain' ? '{"plan": "chain", "sites": 5}' : '{"plan": "clinic"}',
      },
      // Chain is priced per site: more sites are bought in the portal, not by an upgrade.
      messageKey: plan === 'chain' ? 'plan_limit_reached.portal' : 'plan_limit_reached.upgrade',
      resource,
      plan,
      limit,
      used,
      upgrade: {
        checkout: '/v1/billing/checkout',
        portal: '/v1/billing/portal',
        plans: upgradesFrom(plan),
      },
    },
  );
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
    const usage = await lockPlanUsage(t, auth.organizationId, resource);
    if (usage && usage.used + adding > usage.limit)
      throw planLimitReached(usage.plan, resource, usage.limit, usage.used);
  };
  return tx ? check(tx) : withTenantDb(deps.database.db, auth, check);
}
