import type { FastifyBaseLogger } from 'fastify';
import Stripe from 'stripe';
import { billingEnabled, usageOf } from '../../billing/plan-limits.ts';
import {
  isPlanId,
  limitsOf,
  type PaidPlanId,
  PLAN_IDS,
  PLANS,
  type PlanId,
  priceOf,
} from '../../billing/plans.ts';
import type { AppDeps } from '../../deps.ts';
import { conflict, notFound, ProblemError, unprocessable } from '../../lib/problem.ts';
import type { AuthContext } from '../../plugins/access.ts';

export interface OrgBillingRow {
  id: string;
  name: string;
  locale: string;
  plan: string;
  billing_status: string;
  billed_sites: number | null;
  stripe_customer_id: string | null;
  stripe_subscription_id: string | null;
}
export const ORG_BILLING_COLUMNS =
  'id, name, locale, plan, billing_status, billed_sites, stripe_customer_id, stripe_subscription_id';

export const billingDisabled = () =>
  new ProblemError(
    409,
    'billing_disabled',
    'Billing is disabled',
    'Billing is off on this deployment (no Stripe key is configured): no plan limits apply and there is nothing to buy.',
  );
export const billingNotConfigured = (what: string) =>
  new ProblemError(
    503,
    'billing_not_configured',
    'Billing is not fully configured',
    `${what} is not configured on this deployment.`,
    undefined,
    { params: { setting: what } },
  );
const stripeUnavailable = () =>
  new ProblemError(
    502,
    'stripe_unavailable',
    'Bad gateway',
    'Stripe could not be reached or refused the request; try again shortly.',
  );

/** Subscription states in which the organisation already pays: a second checkout would double-bill. */
const SUBSCRIBED = new Set(['active', 'trialing', 'past_due', 'unpaid', 'incomplete', 'paused']);

function stripeOf(deps: AppDeps): Stripe {
  if (!deps.stripe) throw billingDisabled();
  return deps.stripe;
}

/** Stripe's own errors become a 502 for the client; the operator finds the cause in the log. */
async function callStripe<T>(log: FastifyBaseLogger, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof Stripe.errors.StripeError) {
      log.error(
        { stripeError: { type: err.type, code: err.code, message: err.message, requestId: err.requestId } },
        'Stripe call failed',
      );
      throw stripeUnavailable();
    }
    throw err;
  }
}

async function loadOrg(deps: AppDeps, organizationId: string): Promise<OrgBillingRow> {
  const { rows } = await deps.database.pool.query<OrgBillingRow>(
    `select ${ORG_BILLING_COLUMNS} from control.organizations where id = $1`,
    [organizationId],
  );
  if (!rows[0]) throw notFound('The organisation');
  return rows[0];
}

const planOf = (row: OrgBillingRow): PlanId => (isPlanId(row.plan) ? row.plan : 'free');

/** Where Checkout and the portal send the user back (the web app's billing page by default). */
function returnUrl(deps: AppDeps): string {
  return deps.config.BILLING_RETURN_URL || `${deps.config.PUBLIC_URL.replace(/\/+$/, '')}/settings/billing`;
}
const withQuery = (url: string, query: string) => `${url}${url.includes('?') ? '&' : '?'}${query}`;
const stripeLocale = (locale: string) => (locale === 'en' ? 'en' : 'zh');

export async function billingOverview(deps: AppDeps, auth: AuthContext) {
  const org = await loadOrg(deps, auth.organizationId);
  const plan = planOf(org);
  const enabled = billingEnabled(deps);
  return {
    billingEnabled: enabled,
    plan,
    planName: PLANS[plan].name,
    status: org.billing_status,
    billedSites: org.billed_sites,
    // With billing off nothing is limited, whatever plan is recorded.
    limits: enabled ? limitsOf(plan, org.billed_sites) : { sites: null, items: null },
    usage: await usageOf(deps, auth),
    hasSubscription: org.stripe_subscription_id !== null,
    portalAvailable: enabled && org.stripe_customer_id !== null,
  };
}

export function planCatalogue(deps: AppDeps) {
  const enabled = billingEnabled(deps);
  return {
    billingEnabled: enabled,
    plans: PLAN_IDS.map((id) => {
      const p = PLANS[id];
      return {
        id,
        name: p.name,
        description: p.description,
        pricing: p.pricing,
        limits: p.limits,
        purchasable: id !== 'free' && enabled && priceOf(deps.config, id) !== null,
      };
    }),
  };
}

/** The organisation's Stripe customer, created on first use and stored. */
async function customerOf(
  deps: AppDeps,
  log: FastifyBaseLogger,
  stripe: Stripe,
  org: OrgBillingRow,
  auth: AuthContext,
): Promise<string> {
  if (org.stripe_customer_id) return org.stripe_customer_id;
  const owner = auth.userId
    ? (
        await deps.database.pool.query<{ email: string }>('select email from control.users where id = $1', [
          auth.userId,
        ])
      ).rows[0]
    : undefined;
  // The idempotency key makes two concurrent first checkouts get the same customer from Stripe.
  const customer = await callStripe(log, () =>
    stripe.customers.create(
      {
        name: org.name,
        ...(owner ? { email: owner.email } : {}),
        preferred_locales: [org.locale === 'en' ? 'en' : 'zh'],
        metadata: { organizationId: org.id },
      },
      { idempotencyKey: `medstock-customer-${org.id}` },
    ),
  );
  const { rows } = await deps.database.pool.query<{ stripe_customer_id: string }>(
    `update control.organizations set stripe_customer_id = coalesce(stripe_customer_id, $2) where id = $1 returning stripe_customer_id`,
    [org.id, customer.id],
  );
  return rows[0]?.stripe_customer_id ?? customer.id;
}

export async function createCheckout(
  deps: AppDeps,
  log: FastifyBaseLogger,
  auth: AuthContext,
  input: { plan: PaidPlanId; sites?: number },
) {
  const stripe = stripeOf(deps);
  const price = priceOf(deps.config, input.plan);
  if (!price) throw billingNotConfigured(`The Stripe price of the ${PLANS[input.plan].name.en} plan`);
  const org = await loadOrg(deps, auth.organizationId);
  if (org.stripe_subscription_id && SUBSCRIBED.has(org.billing_status)) {
    throw conflict(
      'already_subscribed',
      `This organisation already has a ${PLANS[planOf(org)].name.en} subscription (${org.billing_status}); change its plan or number of sites in the customer portal (POST /v1/billing/portal).`,
      { plan: planOf(org), status: org.billing_status },
    );
  }
  const usage = await usageOf(deps, auth);
  let quantity = 1;
  if (input.plan === 'chain') {
    quantity = input.sites ?? Math.max(usage.sites, 1);
    if (quantity < usage.sites) {
      throw unprocessable(
        'sites_below_usage',
        `The organisation already has ${usage.sites} sites; buy at least that many.`,
        [{ field: 'body:/sites', message: `must be at least ${usage.sites}` }],
        { sites: usage.sites },
      );
    }
  } else {
    if (input.sites !== undefined) {
      throw unprocessable(
        'sites_not_applicable',
        'Only the Chain plan is priced per site; omit `sites` for the Clinic plan.',
        [{ field: 'body:/sites', message: 'only for the chain plan' }],
      );
    }
    const limits = PLANS.clinic.limits;
    const over = (['sites', 'items'] as const).filter(
      (r) => limits[r] !== null && usage[r] > (limits[r] as number),
    );
    if (over.length) {
      throw unprocessable(
        'plan_too_small',
        `The Clinic plan allows ${limits.sites} sites and ${limits.items} items; this organisation has ${usage.sites} sites and ${usage.items} items. Choose the Chain plan.`,
        over.map((r) => ({
          field: 'body:/plan',
          message: `${r} exceed the Clinic plan`,
          params: { resource: r },
        })),
        { siteLimit: limits.sites, itemLimit: limits.items, sites: usage.sites, items: usage.items },
      );
    }
  }
  const customer = await customerOf(deps, log, stripe, org, auth);
  const ret = returnUrl(deps);
  const metadata = { organizationId: org.id, plan: input.plan, sites: String(quantity) };
  const session = await callStripe(log, () =>
    stripe.checkout.sessions.create({
      mode: 'subscription',
      customer,
      client_reference_id: org.id,
      line_items: [{ price, quantity }],
      metadata,
      subscription_data: { metadata: { organizationId: org.id, plan: input.plan } },
      success_url: withQuery(ret, 'checkout=success&session_id={CHECKOUT_SESSION_ID}'),
      cancel_url: withQuery(ret, 'checkout=cancelled'),
      locale: stripeLocale(org.locale),
    }),
  );
  if (!session.url) throw stripeUnavailable();
  return {
    id: session.id,
    url: session.url,
    plan: input.plan,
    sites: input.plan === 'chain' ? quantity : null,
  };
}

export async function createPortal(deps: AppDeps, log: FastifyBaseLogger, auth: AuthContext) {
  const stripe = stripeOf(deps);
  const org = await loadOrg(deps, auth.organizationId);
  if (!org.stripe_customer_id) {
    throw conflict(
      'no_billing_account',
      'This organisation has never subscribed; start with POST /v1/billing/checkout.',
    );
  }
  const customer = org.stripe_customer_id;
  const session = await callStripe(log, () =>
    stripe.billingPortal.sessions.create({
      customer,
      return_url: returnUrl(deps),
      locale: stripeLocale(org.locale),
    }),
  );
  return { url: session.url };
}
