import { isUuid } from '@medstock/db';
import type pg from 'pg';
import type Stripe from 'stripe';
import { isPlanId, type PaidPlanId, planOfPrice } from '../../billing/plans.ts';
import type { AppDeps } from '../../deps.ts';
import { ProblemError } from '../../lib/problem.ts';
import {
  billingDisabled,
  billingNotConfigured,
  ORG_BILLING_COLUMNS,
  type OrgBillingRow,
} from './billing.service.ts';

export interface WebhookResult {
  duplicate: boolean;
  outcome: string;
  organizationId: string | null;
}

type Org = OrgBillingRow & { stripe_event_at: Date | null };

interface BillingChange {
  plan?: 'free' | PaidPlanId;
  billingStatus?: string;
  billedSites?: number | null;
  subscriptionId?: string | null;
  customerId?: string;
}

const idOf = (v: string | { id: string } | null | undefined): string | null =>
  typeof v === 'string' ? v : (v?.id ?? null);

/**
 * Verifies a Stripe webhook delivery and applies it once. The event id is recorded in
 * control.stripe_events in the same transaction as the change it causes, so a redelivered or
 * replayed event (same id) changes nothing, and a failure rolls both back for Stripe to retry.
 */
export async function handleStripeWebhook(
  deps: AppDeps,
  raw: Buffer,
  signature: string,
): Promise<WebhookResult> {
  if (!deps.stripe) throw billingDisabled();
  const secret = deps.config.STRIPE_WEBHOOK_SECRET;
  if (!secret) throw billingNotConfigured('The Stripe webhook signing secret (STRIPE_WEBHOOK_SECRET)');
  let event: Stripe.Event;
  try {
    event = deps.stripe.webhooks.constructEvent(raw, signature, secret);
  } catch {
    throw new ProblemError(
      400,
      'invalid_signature',
      'Bad request',
      'The Stripe-Signature header does not match the payload, or its timestamp is too old.',
    );
  }

  const client = await deps.database.pool.connect();
  try {
    await client.query('begin');
    const claimed = await client.query(
      `insert into control.stripe_events (id, type, outcome, created_at) values ($1, $2, 'processing', to_timestamp($3))
       on conflict (id) do nothing`,
      [event.id, event.type, event.created],
    );
    if (claimed.rowCount === 0) {
      await client.query('commit');
      const { rows } = await deps.database.pool.query<{ organization_id: string | null }>(
        'select organization_id from control.stripe_events where id = $1',
        [event.id],
      );
      return { duplicate: true, outcome: 'duplicate', organizationId: rows[0]?.organization_id ?? null };
    }
    const { outcome, organizationId } = await applyEvent(deps, client, event);
    await client.query('update control.stripe_events set outcome = $2, organization_id = $3 where id = $1', [
      event.id,
      outcome,
      organizationId,
    ]);
    await client.query('commit');
    return { duplicate: false, outcome, organizationId };
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Finds and row-locks the organisation an event is about: by our metadata, else by customer. */
async function lockOrg(
  client: pg.PoolClient,
  ref: { organizationId?: string | null; customerId?: string | null },
): Promise<Org | null> {
  const columns = `${ORG_BILLING_COLUMNS}, stripe_event_at`;
  if (ref.organizationId && isUuid(ref.organizationId)) {
    const { rows } = await client.query<Org>(
      `select ${columns} from control.organizations where id = $1 for update`,
      [ref.organizationId],
    );
    if (rows[0]) return rows[0];
  }
  if (ref.customerId) {
    const { rows } = await client.query<Org>(
      `select ${columns} from control.organizations where stripe_customer_id = $1 for update`,
      [ref.customerId],
    );
    if (rows[0]) return rows[0];
  }
  return null;
}

async function applyChange(
  client: pg.PoolClient,
  org: Org,
  event: Stripe.Event,
  change: BillingChange,
): Promise<void> {
  const has = (k: keyof BillingChange) => k in change;
  await client.query(
    `update control.organizations set
       plan = case when $2 then $3 else plan end,
       billing_status = case when $4 then $5 else billing_status end,
       billed_sites = case when $6 then $7::int else billed_sites end,
       stripe_subscription_id = case when $8 then $9 else stripe_subscription_id end,
       stripe_customer_id = coalesce(stripe_customer_id, $10),
       stripe_event_at = greatest(stripe_event_at, to_timestamp($11))
     where id = $1`,
    [
      org.id,
      has('plan'),
      change.plan ?? null,
      has('billingStatus'),
      change.billingStatus ?? null,
      has('billedSites'),
      change.billedSites ?? null,
      has('subscriptionId'),
      change.subscriptionId ?? null,
      change.customerId ?? null,
      event.created,
    ],
  );
}

const positive = (n: unknown): number | null => {
  const v = typeof n === 'string' ? Number.parseInt(n, 10) : n;
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : null;
};

/**
 * What each event means for the organisation:
 * - checkout.session.completed: the plan bought (our metadata) starts now; an unpaid session
 *   (delayed payment method) records the subscription as incomplete and keeps the current plan.
 * - customer.subscription.created/updated: plan from the price id (metadata as fallback), sites
 *   from the quantity; active/trialing/past_due keep the paid plan (past_due is Stripe's dunning
 *   grace period), unpaid/paused/canceled/incomplete_expired fall back to Free (no data is lost;
 *   only adding beyond Free's limits is refused), incomplete changes nothing yet.
 * - customer.subscription.deleted: back to Free.
 * - invoice.payment_failed: the plan is kept but billing_status becomes past_due, which the
 *   web app shows as a banner; Stripe retries the payment and the outcome arrives as a
 *   subscription update (active again, or unpaid/canceled → Free).
 * Events about another subscription than the organisation's current one, and events older than
 * the newest one applied (Stripe does not guarantee order), are recorded and change nothing.
 */
async function applyEvent(
  deps: AppDeps,
  client: pg.PoolClient,
  event: Stripe.Event,
): Promise<{ outcome: string; organizationId: string | null }> {
  const stale = (org: Org) =>
    org.stripe_event_at !== null && event.created * 1000 < org.stripe_event_at.getTime();
  const done = async (org: Org, change: BillingChange, outcome: string) => {
    if (stale(org)) return { outcome: 'stale', organizationId: org.id };
    await applyChange(client, org, event, change);
    return { outcome, organizationId: org.id };
  };

  switch (event.type) {
    case 'checkout.session.completed': {
      const session = event.data.object;
      if (session.mode !== 'subscription') return { outcome: 'ignored', organizationId: null };
      const org = await lockOrg(client, {
        organizationId: session.metadata?.organizationId ?? session.client_reference_id,
        customerId: idOf(session.customer),
      });
      if (!org) return { outcome: 'unmatched', organizationId: null };
      const plan = session.metadata?.plan;
      if (!isPlanId(plan) || plan === 'free') return { outcome: 'unknown_plan', organizationId: org.id };
      const customerId = idOf(session.customer) ?? undefined;
      const subscriptionId = idOf(session.subscription);
      if (session.payment_status === 'unpaid') {
        return done(
          org,
          { billingStatus: 'incomplete', subscriptionId, customerId },
          'subscription_incomplete',
        );
      }
      const billedSites = plan === 'chain' ? (positive(session.metadata?.sites) ?? 1) : null;
      return done(
        org,
        { plan, billingStatus: 'active', billedSites, subscriptionId, customerId },
        `plan_${plan}`,
      );
    }

    case 'customer.subscription.created':
    case 'customer.subscription.updated': {
      const sub = event.data.object;
      const org = await lockOrg(client, {
        organizationId: sub.metadata?.organizationId,
        customerId: idOf(sub.customer),
      });
      if (!org) return { outcome: 'unmatched', organizationId: null };
      const current = org.stripe_subscription_id;
      const live = sub.status === 'active' || sub.status === 'trialing';
      // A live new subscription replaces the recorded one; news about an old one is ignored.
      if (current && current !== sub.id && !live)
        return { outcome: 'other_subscription', organizationId: org.id };
      const item = sub.items?.data?.[0];
      const metaPlan = sub.metadata?.plan;
      const plan =
        planOfPrice(deps.config, item?.price?.id) ??
        (isPlanId(metaPlan) && metaPlan !== 'free' ? metaPlan : null);
      if (!plan) return { outcome: 'unknown_price', organizationId: org.id };
      const billedSites = plan === 'chain' ? (positive(item?.quantity) ?? 1) : null;
      const customerId = idOf(sub.customer) ?? undefined;
      switch (sub.status) {
        case 'active':
        case 'trialing':
        case 'past_due':
          return done(
            org,
            { plan, billingStatus: sub.status, billedSites, subscriptionId: sub.id, customerId },
            `plan_${plan}`,
          );
        case 'incomplete':
          return done(
            org,
            { billingStatus: 'incomplete', subscriptionId: sub.id, customerId },
            'subscription_incomplete',
          );
        case 'unpaid':
        case 'paused':
          return done(
            org,
            {
              plan: 'free',
              billingStatus: sub.status,
              billedSites: null,
              subscriptionId: sub.id,
              customerId,
            },
            'plan_free',
          );
        case 'canceled':
        case 'incomplete_expired':
          return done(
            org,
            { plan: 'free', billingStatus: sub.status, billedSites: null, subscriptionId: null, customerId },
            'plan_free',
          );
        default:
          return { outcome: 'ignored', organizationId: org.id };
      }
    }

    case 'customer.subscription.deleted': {
      const sub = event.data.object;
      const org = await lockOrg(client, {
        organizationId: sub.metadata?.organizationId,
        customerId: idOf(sub.customer),
      });
      if (!org) return { outcome: 'unmatched', organizationId: null };
      if (org.stripe_subscription_id && org.stripe_subscription_id !== sub.id) {
        return { outcome: 'other_subscription', organizationId: org.id };
      }
      return done(
        org,
        { plan: 'free', billingStatus: 'canceled', billedSites: null, subscriptionId: null },
        'plan_free',
      );
    }

    case 'invoice.payment_failed': {
      const invoice = event.data.object;
      const org = await lockOrg(client, { customerId: idOf(invoice.customer) });
      if (!org) return { outcome: 'unmatched', organizationId: null };
      if (org.plan === 'free') return { outcome: 'ignored', organizationId: org.id };
      return done(org, { billingStatus: 'past_due' }, 'past_due');
    }

    default:
      return { outcome: 'ignored', organizationId: null };
  }
}
