// The plans and their limits: pure data and wording, shared by the API (creating one site or
// item) and the worker (an items import), so both hold an organisation to the same numbers.

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

const NOUN: Record<LimitedResource, [string, string]> = {
  sites: ['site', 'sites'],
  items: ['item', 'items'],
};
const count = (n: number, r: LimitedResource) => `${n.toLocaleString('en')} ${NOUN[r][n === 1 ? 0 : 1]}`;
const planName = (p: PlanId) => `${PLANS[p].name.en} (${PLANS[p].name.zh})`;

/** The plans that lift a limit reached on `plan`, cheapest first (none: buy more sites on Chain). */
export function upgradesFrom(plan: PlanId): PlanId[] {
  if (plan === 'chain') return [];
  return plan === 'free' ? ['clinic', 'chain'] : ['chain'];
}

/** What a caller reads at a plan limit: the limit, the usage and how to upgrade. */
export function planLimitDetail(
  plan: PlanId,
  resource: LimitedResource,
  limit: number,
  used: number,
): string {
  let how: string;
  const upgradeTo = upgradesFrom(plan);
  if (plan === 'chain') {
    // Chain is priced per site: its site limit is the number of sites paid for.
    how = 'Add sites to the subscription in the customer portal (POST /v1/billing/portal), then retry.';
  } else {
    const options = upgradeTo.map((p) => `${planName(p)}: ${PLANS[p].description.en}`).join('; ');
    const example = upgradeTo[0] === 'chain' ? '{"plan": "chain", "sites": 5}' : '{"plan": "clinic"}';
    how = `Upgrade with POST /v1/billing/checkout ${example} (plans: GET /v1/billing/plans) — ${options}.`;
  }
  return (
    `The ${planName(plan)} plan allows ${count(limit, resource)}` +
    `${plan === 'chain' && resource === 'sites' ? ' (the sites paid for)' : ''}; this organisation has ${count(used, resource)}. ${how}`
  );
}
