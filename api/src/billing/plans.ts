import type { AppConfig } from '@medstock/config';
import type { PaidPlanId } from '@medstock/core';

// The plan table and its limits are pure domain, shared with the worker's items import.
export {
  isPlanId,
  type LimitedResource,
  limitsOf,
  PAID_PLAN_IDS,
  type PaidPlanId,
  PLAN_IDS,
  PLANS,
  type Plan,
  type PlanId,
} from '@medstock/core';

/** The Stripe price of a paid plan, or null when the deployment has not configured it. */
export function priceOf(config: AppConfig, plan: PaidPlanId): string | null {
  const price = plan === 'clinic' ? config.STRIPE_PRICE_CLINIC : config.STRIPE_PRICE_CHAIN_PER_SITE;
  return price || null;
}

/** The plan a Stripe price id stands for (subscription updates name prices, not plans). */
export function planOfPrice(config: AppConfig, priceId: string | null | undefined): PaidPlanId | null {
  if (!priceId) return null;
  if (priceId === config.STRIPE_PRICE_CLINIC) return 'clinic';
  if (priceId === config.STRIPE_PRICE_CHAIN_PER_SITE) return 'chain';
  return null;
}
