import type { AppConfig } from '@medstock/config';

export type PlanId = 'free' | 'clinic' | 'chain';
export type PaidPlanId = Exclude<PlanId, 'free'>;
export type LimitedResource = 'sites' | 'items';

export interface Plan {
  id: PlanId;
  name: { zh: string; en: string };
  description: { zh: string; en: string };
  /** flat: one price per month; per_site: the subscription quantity is the number of sites. */
  pricing: 'free' | 'flat' | 'per_site';
  /**
   * null: no limit. The Chain plan's site limit is the number of sites paid for (billed_sites),
   * so its entry here is null and the paid quantity is applied by `limitsOf`.
   */
  limits: Record<LimitedResource, number | null>;
}

/** The plan table. Prices live in Stripe (STRIPE_PRICE_*); only the limits are ours. */
export const PLANS: Record<PlanId, Plan> = {
  free: {
    id: 'free',
    name: { zh: '免费版', en: 'Free' },
    description: { zh: '1 个站点，最多 200 个品目', en: '1 site, up to 200 items' },
    pricing: 'free',
    limits: { sites: 1, items: 200 },
  },
  clinic: {
    id: 'clinic',
    name: { zh: '诊所版', en: 'Clinic' },
    description: { zh: '最多 3 个站点、5,000 个品目', en: 'Up to 3 sites and 5,000 items' },
    pricing: 'flat',
    limits: { sites: 3, items: 5000 },
  },
  chain: {
    id: 'chain',
    name: { zh: '连锁版', en: 'Chain' },
    description: { zh: '按站点计费，品目不限', en: 'Priced per site, unlimited items' },
    pricing: 'per_site',
    limits: { sites: null, items: null },
  },
};

export const PLAN_IDS = Object.keys(PLANS) as PlanId[];
export const PAID_PLAN_IDS: PaidPlanId[] = ['clinic', 'chain'];

export const isPlanId = (v: unknown): v is PlanId => typeof v === 'string' && v in PLANS;

/** The limits an organisation is held to; the Chain plan's site limit is its paid quantity. */
export function limitsOf(plan: PlanId, billedSites: number | null): Record<LimitedResource, number | null> {
  const limits = { ...PLANS[plan].limits };
  if (plan === 'chain') limits.sites = billedSites;
  return limits;
}

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
