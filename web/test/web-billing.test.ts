import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  billingConfig,
  type StripeStandIn,
  signedDelivery,
  startStripeStandIn,
  stripeEvent,
} from '../../api/test/support/stripe-stand-in.ts';
import { signUp } from '../../api/test/support/test-app.ts';
import { freePort } from '../../infra/local/services.ts';
import {
  buildWeb,
  launchChromium,
  newPage,
  screenshot,
  startWebServer,
  type WebServer,
} from './support/harness.ts';

/**
 * Plan upgrade in the browser: Checkout through the local Stripe stand-in (Stripe itself cannot be
 * reached from here), then the signed checkout.session.completed webhook, then the new plan.
 */
let web: { dir: string; remove(): void };
let standIn: StripeStandIn;
let server: WebServer;
let browser: Browser;

beforeAll(async () => {
  web = await buildWeb();
  standIn = await startStripeStandIn();
  const port = await freePort();
  server = await startWebServer(
    web.dir,
    { ...billingConfig(standIn), BILLING_RETURN_URL: `http://127.0.0.1:${port}/settings/billing` },
    port,
  );
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await standIn?.close();
  web?.remove();
});

describe('billing in Chromium', () => {
  it('the owner upgrades Free → Clinic through Checkout; the signed webhook switches the plan', async () => {
    const email = `billing-${randomBytes(3).toString('hex')}@clinic.example.org`;
    const password = 'billing-password-2026';
    const { organizationId } = await signUp(server.t, { organizationName: '康宁诊所', email, password });
    const plans = (await (await fetch(`${server.base}/v1/billing/plans`)).json()) as {
      plans: { id: string; name: { zh: string } }[];
    };
    const clinic = plans.plans.find((p) => p.id === 'clinic')!;

    const { page, errors } = await newPage(browser, server.base);
    // The hosted Checkout page, as Stripe would show it.
    await page.route(`${standIn.url}/checkout/**`, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/html',
        body: '<!doctype html><title>Checkout</title><h1>Stripe Checkout (stand-in)</h1>',
      }),
    );
    await page.goto('/login');
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await page.click('form button[type=submit]');
    await page.waitForSelector('[data-page=dashboard]');
    await page.goto('/settings/billing');
    await page.waitForSelector('.plans form button[type=submit]');
    await screenshot(page, 'settings-billing-free');

    await page.click(`.plans form button[type=submit]:has-text("${clinic.name.zh}")`);
    await page.waitForURL(`${standIn.url}/checkout/**`);
    expect(standIn.to('/v1/checkout/sessions').at(-1)!.params).toMatchObject({
      'metadata[plan]': 'clinic',
      client_reference_id: organizationId,
    });

    // Stripe calls the webhook when the payment succeeds.
    const { rows } = await server.t.deps.database.pool.query<{ stripe_customer_id: string }>(
      'select stripe_customer_id from control.organizations where id = $1',
      [organizationId],
    );
    const event = stripeEvent('checkout.session.completed', {
      id: `cs_test_web_${randomBytes(3).toString('hex')}`,
      object: 'checkout.session',
      mode: 'subscription',
      status: 'complete',
      payment_status: 'paid',
      client_reference_id: organizationId,
      customer: rows[0]!.stripe_customer_id,
      subscription: `sub_web_${randomBytes(3).toString('hex')}`,
      metadata: { organizationId, plan: 'clinic', sites: '1' },
    });
    const { payload, headers } = signedDelivery(event);
    const hook = await fetch(`${server.base}/v1/billing/stripe-webhook`, {
      method: 'POST',
      headers,
      body: payload,
    });
    expect(hook.status).toBe(200);

    await page.goto(`${server.base}/settings/billing?checkout=success`);
    await page.waitForSelector('.success');
    await page.waitForSelector(`.tile:has-text("${clinic.name.zh}")`);
    await page.waitForSelector('.current-plan .badge');
    expect(await page.textContent('.current-plan')).toContain(clinic.name.zh);
    await screenshot(page, 'settings-billing-clinic');
    expect(errors).toEqual([]);
  });
});
