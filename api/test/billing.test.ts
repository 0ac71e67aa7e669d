import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertWithinPlan } from '../src/billing/plan-limits.ts';
import { insertItem } from './support/fixtures.ts';
import { addMember } from './support/members.ts';
import {
  billingConfig,
  PRICE_CHAIN_PER_SITE,
  PRICE_CLINIC,
  STAND_IN_SECRET_KEY,
  type StripeStandIn,
  signedDelivery,
  startStripeStandIn,
  stripeEvent,
} from './support/stripe-stand-in.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let standIn: StripeStandIn;
let t: TestApp;
let off: TestApp;

beforeAll(async () => {
  standIn = await startStripeStandIn();
  [t, off] = await Promise.all([
    startTestApp(billingConfig(standIn)),
    startTestApp({ STRIPE_SECRET_KEY: '', STRIPE_API_BASE: '' }),
  ]);
});
afterAll(async () => {
  await Promise.allSettled([t?.close(), off?.close(), standIn?.close()]);
});

interface OrgBilling {
  plan: string;
  billing_status: string;
  billed_sites: number | null;
  stripe_customer_id: string | null;
  stripe_subscription_id: string | null;
}
async function orgBilling(app: TestApp, organizationId: string): Promise<OrgBilling> {
  const { rows } = await app.deps.database.pool.query<OrgBilling>(
    'select plan, billing_status, billed_sites, stripe_customer_id, stripe_subscription_id from control.organizations where id = $1',
    [organizationId],
  );
  return rows[0]!;
}

let siteSeq = 0;
const createSite = (app: TestApp, owner: SignedUp) =>
  app.app.inject({
    method: 'POST',
    url: '/v1/sites',
    headers: owner.headers,
    payload: { code: `S${++siteSeq}`, name: `Site ${siteSeq}` },
  });
const siteCount = async (app: TestApp, owner: SignedUp) =>
  (await app.app.inject({ method: 'GET', url: '/v1/sites', headers: owner.headers })).json().items
    .length as number;

function deliver(app: TestApp, event: unknown, secret?: string) {
  const { payload, headers } = signedDelivery(event, secret);
  return app.app.inject({ method: 'POST', url: '/v1/billing/stripe-webhook', payload, headers });
}

const checkoutCompleted = (
  org: SignedUp,
  o: { plan: string; sites?: number; customer: string; subscription: string },
) =>
  stripeEvent('checkout.session.completed', {
    id: `cs_test_${o.subscription}`,
    object: 'checkout.session',
    mode: 'subscription',
    status: 'complete',
    payment_status: 'paid',
    client_reference_id: org.organizationId,
    customer: o.customer,
    subscription: o.subscription,
    metadata: { organizationId: org.organizationId, plan: o.plan, sites: String(o.sites ?? 1) },
  });

const subscriptionObject = (
  org: SignedUp | null,
  o: { id: string; customer: string; price: string; quantity?: number; status: string },
) => ({
  id: o.id,
  object: 'subscription',
  customer: o.customer,
  status: o.status,
  metadata: org ? { organizationId: org.organizationId } : {},
  items: {
    object: 'list',
    data: [
      {
        id: `si_${o.id}`,
        object: 'subscription_item',
        quantity: o.quantity ?? 1,
        price: { id: o.price, object: 'price' },
      },
    ],
  },
});

/** A signed-up organisation already on a paid plan through a signed checkout.session.completed. */
async function paidOrg(plan: 'clinic' | 'chain', sites?: number) {
  const owner = await signUp(t);
  const tag = owner.organizationId.slice(0, 8);
  const ids = { customer: `cus_${tag}`, subscription: `sub_${tag}` };
  await t.deps.database.pool.query('update control.organizations set stripe_customer_id = $2 where id = $1', [
    owner.organizationId,
    ids.customer,
  ]);
  const res = await deliver(t, checkoutCompleted(owner, { plan, sites, ...ids }));
  expect(res.statusCode).toBe(200);
  return { owner, ...ids };
}

async function member(app: TestApp, owner: SignedUp, role: string) {
  return (await addMember(app, owner.headers, role)).headers;
}

describe('plans and the billing overview', () => {
  it('lists the three plans publicly, with zh/en names, limits and whether they can be bought', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/billing/plans' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.billingEnabled).toBe(true);
    const byId = Object.fromEntries(body.plans.map((p: { id: string }) => [p.id, p]));
    expect(Object.keys(byId)).toEqual(['free', 'clinic', 'chain']);
    expect(byId.free).toMatchObject({
      name: { zh: '免费版', en: 'Free' },
      limits: { sites: 1, items: 200 },
      purchasable: false,
    });
    expect(byId.clinic).toMatchObject({
      pricing: 'flat',
      limits: { sites: 3, items: 5000 },
      purchasable: true,
    });
    expect(byId.chain).toMatchObject({
      pricing: 'per_site',
      limits: { sites: null, items: null },
      purchasable: true,
    });
  });

  it('shows the plan, limits and usage counted in the tenant schema; needs a credential', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/billing' })).statusCode).toBe(401);
    const owner = await signUp(t);
    await insertItem(t, owner.organizationId, { code: 'U-1' });
    await insertItem(t, owner.organizationId, { code: 'U-2' });
    const viewer = await member(t, owner, 'viewer');
    const res = await t.app.inject({ method: 'GET', url: '/v1/billing', headers: viewer });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      billingEnabled: true,
      plan: 'free',
      planName: { zh: '免费版', en: 'Free' },
      status: 'none',
      billedSites: null,
      limits: { sites: 1, items: 200 },
      usage: { sites: 1, items: 2 },
      hasSubscription: false,
      portalAvailable: false,
    });
  });
});

describe('plan limits', () => {
  it('the Free plan refuses a second site with plan_limit_reached and says how to upgrade', async () => {
    const owner = await signUp(t);
    const res = await createSite(t, owner);
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const p = res.json();
    expect(p).toMatchObject({
      code: 'plan_limit_reached',
      resource: 'sites',
      plan: 'free',
      limit: 1,
      used: 1,
    });
    expect(p.detail).toContain('limited to 1');
    expect(p.detail).toContain('POST /v1/billing/checkout');
    expect(p.detail).toContain('Clinic (诊所版)');
    expect(p.detail).toContain('Chain (连锁版)');
    expect(p.upgrade).toEqual({
      checkout: '/v1/billing/checkout',
      portal: '/v1/billing/portal',
      plans: ['clinic', 'chain'],
    });
    expect(await siteCount(t, owner)).toBe(1);
  });

  it('counts items up to the limit exactly: 200 on Free', async () => {
    const owner = await signUp(t);
    await insertItem(t, owner.organizationId, { code: 'I-1' });
    await insertItem(t, owner.organizationId, { code: 'I-2' });
    await expect(assertWithinPlan(t.deps, owner, 'items', 198)).resolves.toBeUndefined();
    await expect(assertWithinPlan(t.deps, owner, 'items', 199)).rejects.toMatchObject({
      status: 403,
      code: 'plan_limit_reached',
      extra: expect.objectContaining({ limit: 200, used: 2, resource: 'items' }),
    });
  });

  it('concurrent site creations cannot overshoot the limit (Clinic: 3 sites)', async () => {
    const { owner } = await paidOrg('clinic');
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => createSite(t, owner)));
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([201, 201, 403, 403, 403]);
    expect(await siteCount(t, owner)).toBe(3);
    const refused = results.find((r) => r.statusCode === 403)!.json();
    expect(refused).toMatchObject({ code: 'plan_limit_reached', plan: 'clinic', limit: 3 });
    expect(refused.detail).toContain('"plan": "chain"');
  });

  it("the Chain plan's site limit is the number of sites paid for; the hint points to the portal", async () => {
    const { owner } = await paidOrg('chain', 2);
    expect((await createSite(t, owner)).statusCode).toBe(201);
    const res = await createSite(t, owner);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'plan_limit_reached', plan: 'chain', limit: 2 });
    expect(res.json().detail).toContain('POST /v1/billing/portal');
    await expect(assertWithinPlan(t.deps, owner, 'items', 1_000_000)).resolves.toBeUndefined();
  });
});

describe('checkout and the customer portal through the Stripe stand-in', () => {
  it('only the owner may start a checkout', async () => {
    const owner = await signUp(t);
    for (const role of ['admin', 'viewer']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/billing/checkout',
        headers: await member(t, owner, role),
        payload: { plan: 'clinic' },
      });
      expect(res.statusCode, role).toBe(403);
      expect(res.json().code).toBe('forbidden');
    }
    expect((await orgBilling(t, owner.organizationId)).stripe_customer_id).toBeNull();
  });

  it('creates the customer once, stores it, and creates a subscription Checkout Session with the right parameters', async () => {
    const owner = await signUp(t, { locale: 'en' });
    const before = standIn.requests.length;
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/billing/checkout',
      headers: owner.headers,
      payload: { plan: 'clinic' },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ plan: 'clinic', sites: null });
    expect(body.url).toBe(`${standIn.url}/checkout/pay/${body.id}`);

    const sent = standIn.requests.slice(before);
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/customers',
      'POST /v1/checkout/sessions',
    ]);
    const [customerReq, sessionReq] = sent as [(typeof sent)[0], (typeof sent)[0]];
    expect(customerReq.headers.authorization).toBe(`Bearer ${STAND_IN_SECRET_KEY}`);
    expect(customerReq.params).toMatchObject({
      name: 'Test clinic',
      email: owner.email,
      'metadata[organizationId]': owner.organizationId,
    });
    expect(customerReq.headers['idempotency-key']).toBe(`medstock-customer-${owner.organizationId}`);
    const stored = await orgBilling(t, owner.organizationId);
    expect(stored.stripe_customer_id).toMatch(/^cus_standin_/);
    expect(sessionReq.params).toMatchObject({
      mode: 'subscription',
      customer: stored.stripe_customer_id,
      client_reference_id: owner.organizationId,
      'line_items[0][price]': PRICE_CLINIC,
      'line_items[0][quantity]': '1',
      'metadata[organizationId]': owner.organizationId,
      'metadata[plan]': 'clinic',
      'subscription_data[metadata][organizationId]': owner.organizationId,
      locale: 'en',
      cancel_url: 'http://127.0.0.1:3000/settings/billing?checkout=cancelled',
    });
    expect(sessionReq.params.success_url).toBe(
      'http://127.0.0.1:3000/settings/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}',
    );

    // A second checkout (here for Chain, per site) reuses the stored customer.
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/billing/checkout',
      headers: owner.headers,
      payload: { plan: 'chain', sites: 4 },
    });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toMatchObject({ plan: 'chain', sites: 4 });
    const second = standIn.requests.slice(before + 2);
    expect(second.map((r) => r.path)).toEqual(['/v1/checkout/sessions']);
    expect(second[0]!.params).toMatchObject({
      customer: stored.stripe_customer_id,
      'line_items[0][price]': PRICE_CHAIN_PER_SITE,
      'line_items[0][quantity]': '4',
    });
  });

  it('refuses checkouts that do not fit: sites for Clinic, fewer Chain sites than exist, a second subscription', async () => {
    const owner = await signUp(t);
    const clinicSites = await t.app.inject({
      method: 'POST',
      url: '/v1/billing/checkout',
      headers: owner.headers,
      payload: { plan: 'clinic', sites: 2 },
    });
    expect(clinicSites.statusCode).toBe(422);
    expect(clinicSites.json().code).toBe('sites_not_applicable');

    await withTenantDb(t.deps.database.db, owner, (tx) =>
      tx.execute(sql`insert into sites (code, name) values ('X1', 'x1'), ('X2', 'x2')`),
    );
    const tooFew = await t.app.inject({
      method: 'POST',
      url: '/v1/billing/checkout',
      headers: owner.headers,
      payload: { plan: 'chain', sites: 2 },
    });
    expect(tooFew.statusCode).toBe(422);
    expect(tooFew.json()).toMatchObject({ code: 'sites_below_usage', errors: [{ field: 'body:/sites' }] });
    const defaulted = await t.app.inject({
      method: 'POST',
      url: '/v1/billing/checkout',
      headers: owner.headers,
      payload: { plan: 'chain' },
    });
    expect(defaulted.json()).toMatchObject({ plan: 'chain', sites: 3 });

    const { owner: subscribed } = await paidOrg('clinic');
    const second = await t.app.inject({
      method: 'POST',
      url: '/v1/billing/checkout',
      headers: subscribed.headers,
      payload: { plan: 'chain' },
    });
    expect(second.statusCode).toBe(409);
    expect(second.json().code).toBe('already_subscribed');
    expect(second.json().detail).toContain('/v1/billing/portal');
  });

  it('a Stripe error becomes 502 stripe_unavailable', async () => {
    const owner = await signUp(t);
    standIn.failNext('/v1/checkout/sessions', 400, 'No such price');
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/billing/checkout',
      headers: owner.headers,
      payload: { plan: 'clinic' },
    });
    expect(res.statusCode).toBe(502);
    expect(res.json().code).toBe('stripe_unavailable');
  });

  it('opens the customer portal for an organisation with a Stripe customer, and refuses one without', async () => {
    const fresh = await signUp(t);
    const none = await t.app.inject({ method: 'POST', url: '/v1/billing/portal', headers: fresh.headers });
    expect(none.statusCode).toBe(409);
    expect(none.json().code).toBe('no_billing_account');

    const { owner, customer } = await paidOrg('clinic');
    const res = await t.app.inject({ method: 'POST', url: '/v1/billing/portal', headers: owner.headers });
    expect(res.statusCode).toBe(201);
    expect(res.json().url).toMatch(new RegExp(`^${standIn.url}/portal/bps_standin_`));
    const sent = standIn.to('/v1/billing_portal/sessions').at(-1)!;
    expect(sent.params).toMatchObject({ customer, return_url: 'http://127.0.0.1:3000/settings/billing' });
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/billing', headers: owner.headers })).json()
        .portalAvailable,
    ).toBe(true);
  });
});

describe('the Stripe webhook', () => {
  it('refuses a tampered payload, a wrong secret and a missing signature with 400 and changes nothing', async () => {
    const owner = await signUp(t);
    const event = checkoutCompleted(owner, {
      plan: 'chain',
      sites: 50,
      customer: 'cus_tamper',
      subscription: 'sub_tamper',
    });
    const { payload, headers } = signedDelivery(event);
    const tampered = payload.replace('"sites":"50"', '"sites":"500"');
    expect(tampered).not.toBe(payload);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/billing/stripe-webhook',
      payload: tampered,
      headers,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().code).toBe('invalid_signature');

    const wrongSecret = await deliver(t, event, 'whsec_someone_else');
    expect(wrongSecret.statusCode).toBe(400);
    expect(wrongSecret.json().code).toBe('invalid_signature');

    const unsigned = await t.app.inject({
      method: 'POST',
      url: '/v1/billing/stripe-webhook',
      payload,
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.statusCode).toBe(400);

    expect(await orgBilling(t, owner.organizationId)).toMatchObject({
      plan: 'free',
      stripe_subscription_id: null,
    });
    const seen = await t.deps.database.pool.query('select 1 from control.stripe_events where id = $1', [
      event.id,
    ]);
    expect(seen.rowCount).toBe(0);
  });

  it('checkout.session.completed upgrades the plan, which lifts the site limit', async () => {
    const owner = await signUp(t);
    expect((await createSite(t, owner)).statusCode).toBe(403);
    const res = await deliver(
      t,
      checkoutCompleted(owner, { plan: 'clinic', customer: 'cus_up', subscription: 'sub_up' }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: true, duplicate: false, outcome: 'plan_clinic' });
    expect(await orgBilling(t, owner.organizationId)).toEqual({
      plan: 'clinic',
      billing_status: 'active',
      billed_sites: null,
      stripe_customer_id: 'cus_up',
      stripe_subscription_id: 'sub_up',
    });
    const overview = (
      await t.app.inject({ method: 'GET', url: '/v1/billing', headers: owner.headers })
    ).json();
    expect(overview).toMatchObject({
      plan: 'clinic',
      status: 'active',
      limits: { sites: 3, items: 5000 },
      hasSubscription: true,
    });
    expect((await createSite(t, owner)).statusCode).toBe(201);
  });

  it('a replayed event is acknowledged and changes nothing', async () => {
    const owner = await signUp(t);
    const upgrade = checkoutCompleted(owner, {
      plan: 'clinic',
      customer: 'cus_replay',
      subscription: 'sub_replay',
    });
    expect((await deliver(t, upgrade)).json().outcome).toBe('plan_clinic');
    const cancel = stripeEvent(
      'customer.subscription.deleted',
      subscriptionObject(owner, {
        id: 'sub_replay',
        customer: 'cus_replay',
        price: PRICE_CLINIC,
        status: 'canceled',
      }),
    );
    expect((await deliver(t, cancel)).json().outcome).toBe('plan_free');

    // The same upgrade event again (Stripe redelivery or an attacker replaying a captured one).
    const replay = await deliver(t, upgrade);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual({ received: true, duplicate: true, outcome: 'duplicate' });
    expect(await orgBilling(t, owner.organizationId)).toMatchObject({
      plan: 'free',
      billing_status: 'canceled',
      stripe_subscription_id: null,
    });
    const rows = await t.deps.database.pool.query<{ outcome: string }>(
      'select outcome from control.stripe_events where id = $1',
      [upgrade.id],
    );
    expect(rows.rows).toEqual([{ outcome: 'plan_clinic' }]);
  });

  it('customer.subscription.updated follows the price and quantity; past_due keeps the plan, unpaid falls back to Free', async () => {
    const { owner, customer, subscription } = await paidOrg('clinic');
    const update = (status: string, quantity = 5, price = PRICE_CHAIN_PER_SITE) =>
      deliver(
        t,
        stripeEvent(
          'customer.subscription.updated',
          subscriptionObject(null, { id: subscription, customer, price, quantity, status }),
        ),
      );

    expect((await update('active')).json().outcome).toBe('plan_chain');
    expect(await orgBilling(t, owner.organizationId)).toMatchObject({
      plan: 'chain',
      billing_status: 'active',
      billed_sites: 5,
    });
    const overview = (
      await t.app.inject({ method: 'GET', url: '/v1/billing', headers: owner.headers })
    ).json();
    expect(overview).toMatchObject({ plan: 'chain', billedSites: 5, limits: { sites: 5, items: null } });

    expect((await update('past_due')).json().outcome).toBe('plan_chain');
    expect(await orgBilling(t, owner.organizationId)).toMatchObject({
      plan: 'chain',
      billing_status: 'past_due',
    });

    expect((await update('unpaid')).json().outcome).toBe('plan_free');
    expect(await orgBilling(t, owner.organizationId)).toMatchObject({
      plan: 'free',
      billing_status: 'unpaid',
      billed_sites: null,
    });

    const unknown = await update('active', 1, 'price_not_ours');
    expect(unknown.json().outcome).toBe('unknown_price');
    expect((await orgBilling(t, owner.organizationId)).plan).toBe('free');
  });

  it('invoice.payment_failed keeps the plan and marks the organisation past_due', async () => {
    const { owner, customer } = await paidOrg('clinic');
    const res = await deliver(
      t,
      stripeEvent('invoice.payment_failed', {
        id: 'in_failed_1',
        object: 'invoice',
        customer,
        status: 'open',
      }),
    );
    expect(res.json().outcome).toBe('past_due');
    expect(await orgBilling(t, owner.organizationId)).toMatchObject({
      plan: 'clinic',
      billing_status: 'past_due',
    });
    const overview = (
      await t.app.inject({ method: 'GET', url: '/v1/billing', headers: owner.headers })
    ).json();
    expect(overview).toMatchObject({ plan: 'clinic', status: 'past_due', limits: { sites: 3 } });
  });

  it('customer.subscription.deleted downgrades to Free and the Free limits apply again', async () => {
    const { owner, customer, subscription } = await paidOrg('clinic');
    expect((await createSite(t, owner)).statusCode).toBe(201);
    const res = await deliver(
      t,
      stripeEvent(
        'customer.subscription.deleted',
        subscriptionObject(null, { id: subscription, customer, price: PRICE_CLINIC, status: 'canceled' }),
      ),
    );
    expect(res.json().outcome).toBe('plan_free');
    expect(await orgBilling(t, owner.organizationId)).toMatchObject({
      plan: 'free',
      billing_status: 'canceled',
      stripe_subscription_id: null,
      stripe_customer_id: customer,
    });
    const refused = await createSite(t, owner);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'plan_limit_reached', limit: 1, used: 2 });
    // Data is kept: both sites are still there.
    expect(await siteCount(t, owner)).toBe(2);
  });

  it('ignores news about another subscription, late (out-of-order) events and unknown organisations', async () => {
    const { owner, customer, subscription } = await paidOrg('clinic');
    const oldDeleted = await deliver(
      t,
      stripeEvent(
        'customer.subscription.deleted',
        subscriptionObject(owner, { id: 'sub_old', customer, price: PRICE_CLINIC, status: 'canceled' }),
      ),
    );
    expect(oldDeleted.json().outcome).toBe('other_subscription');
    expect((await orgBilling(t, owner.organizationId)).plan).toBe('clinic');

    const late = await deliver(
      t,
      stripeEvent(
        'customer.subscription.updated',
        subscriptionObject(owner, { id: subscription, customer, price: PRICE_CLINIC, status: 'unpaid' }),
        {
          created: Math.floor(Date.now() / 1000) - 3600,
        },
      ),
    );
    expect(late.json().outcome).toBe('stale');
    expect(await orgBilling(t, owner.organizationId)).toMatchObject({
      plan: 'clinic',
      billing_status: 'active',
    });

    const stranger = await deliver(
      t,
      stripeEvent('invoice.payment_failed', { id: 'in_x', object: 'invoice', customer: 'cus_nobody' }),
    );
    expect(stranger.statusCode).toBe(200);
    expect(stranger.json().outcome).toBe('unmatched');
    const other = await deliver(t, stripeEvent('charge.refunded', { id: 'ch_1', object: 'charge' }));
    expect(other.json()).toMatchObject({ duplicate: false, outcome: 'ignored' });
  });
});

describe('with billing off (no Stripe key)', () => {
  it('applies no limits: a Free organisation adds sites and items freely', async () => {
    const owner = await signUp(off);
    expect((await createSite(off, owner)).statusCode).toBe(201);
    expect((await createSite(off, owner)).statusCode).toBe(201);
    expect(await siteCount(off, owner)).toBe(3);
    await expect(assertWithinPlan(off.deps, owner, 'items', 100_000)).resolves.toBeUndefined();
    const overview = (
      await off.app.inject({ method: 'GET', url: '/v1/billing', headers: owner.headers })
    ).json();
    // Sign-up records on-premises organisations as Chain; with billing off the limits are null anyway.
    expect(overview).toMatchObject({
      billingEnabled: false,
      limits: { sites: null, items: null },
      usage: { sites: 3 },
    });
  });

  it('says billing is disabled on checkout, portal and webhook, and nothing is purchasable', async () => {
    const owner = await signUp(off);
    const before = await orgBilling(off, owner.organizationId);
    for (const url of ['/v1/billing/checkout', '/v1/billing/portal']) {
      const res = await off.app.inject({
        method: 'POST',
        url,
        headers: owner.headers,
        payload: url.endsWith('checkout') ? { plan: 'clinic' } : undefined,
      });
      expect(res.statusCode, url).toBe(409);
      expect(res.json().code, url).toBe('billing_disabled');
    }
    const hook = await deliver(
      off,
      checkoutCompleted(owner, { plan: 'clinic', customer: 'cus_off', subscription: 'sub_off' }),
    );
    expect(hook.statusCode).toBe(409);
    expect(hook.json().code).toBe('billing_disabled');
    expect(await orgBilling(off, owner.organizationId)).toEqual(before);
    const plans = (await off.app.inject({ method: 'GET', url: '/v1/billing/plans' })).json();
    expect(plans.billingEnabled).toBe(false);
    expect(plans.plans.map((p: { purchasable: boolean }) => p.purchasable)).toEqual([false, false, false]);
  });
});
