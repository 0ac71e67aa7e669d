import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { PAID_PLAN_IDS, PLAN_IDS } from '../../billing/plans.ts';
import type { AppDeps } from '../../deps.ts';
import { StringEnum } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { billingOverview, createCheckout, createPortal, planCatalogue } from './billing.service.ts';
import { handleStripeWebhook } from './stripe-webhook.service.ts';

const PlanId = StringEnum(PLAN_IDS);
const Names = Type.Object({ zh: Type.String(), en: Type.String() });
const Limit = Type.Union([Type.Integer(), Type.Null()], { description: 'null: no limit' });
const Limits = Type.Object({ sites: Limit, items: Limit });
const BillingStatus = StringEnum(
  [
    'none',
    'active',
    'trialing',
    'past_due',
    'unpaid',
    'incomplete',
    'incomplete_expired',
    'canceled',
    'paused',
  ],
  {
    description:
      "The Stripe subscription's state ('none': never subscribed). past_due keeps the paid plan while Stripe retries the payment; unpaid, paused and canceled mean the Free plan.",
  },
);

const Billing = Type.Object({
  billingEnabled: Type.Boolean({ description: 'false when no Stripe key is configured: no limits apply' }),
  plan: PlanId,
  planName: Names,
  status: BillingStatus,
  billedSites: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Chain plan: the number of sites paid for',
  }),
  limits: Limits,
  usage: Type.Object({ sites: Type.Integer(), items: Type.Integer() }),
  hasSubscription: Type.Boolean(),
  portalAvailable: Type.Boolean({
    description: 'POST /v1/billing/portal works (the organisation has a Stripe customer)',
  }),
});

const PlanList = Type.Object({
  billingEnabled: Type.Boolean(),
  plans: Type.Array(
    Type.Object({
      id: PlanId,
      name: Names,
      description: Names,
      pricing: StringEnum(['free', 'flat', 'per_site']),
      limits: Limits,
      purchasable: Type.Boolean({
        description: 'Can be bought with POST /v1/billing/checkout on this deployment',
      }),
    }),
  ),
});

const billingProblems = {
  ...problemResponses,
  502: Type.Ref('Problem'),
  503: Type.Ref('Problem'),
};

export async function billingRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/billing/plans',
    {
      config: { access: 'public' },
      schema: {
        tags: ['billing'],
        summary: 'The plans, their limits and whether they can be bought here',
        response: { 200: PlanList, ...problemResponses },
      },
    },
    async () => planCatalogue(deps),
  );

  app.get(
    '/v1/billing',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['billing'],
        summary: "The organisation's plan, its limits and current usage",
        response: { 200: Billing, ...problemResponses },
      },
    },
    async (request) => billingOverview(deps, authOf(request)),
  );

  app.post(
    '/v1/billing/checkout',
    {
      config: { access: { scope: 'admin', ownerOnly: true } },
      schema: {
        operationId: 'startBillingCheckout',
        tags: ['billing'],
        summary: 'Start a Stripe Checkout for a paid plan (owner only); open the returned URL',
        description:
          'Clinic is a flat price; Chain is priced per site (`sites`, default: the current number of sites). 409 billing_disabled when billing is off, 409 already_subscribed when a subscription exists (use the portal).',
        body: Type.Object(
          {
            plan: StringEnum(PAID_PLAN_IDS),
            sites: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 10_000, description: 'Chain plan only: sites to pay for' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            url: Type.String(),
            plan: StringEnum(PAID_PLAN_IDS),
            sites: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...billingProblems,
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createCheckout(deps, request.log, authOf(request), request.body)),
  );

  app.post(
    '/v1/billing/portal',
    {
      config: { access: { scope: 'admin', ownerOnly: true } },
      schema: {
        operationId: 'openBillingPortal',
        tags: ['billing'],
        summary: 'Open the Stripe customer portal (owner only): payment method, invoices, plan and sites',
        response: { 201: Type.Object({ url: Type.String() }), ...billingProblems },
      },
    },
    async (request, reply) => reply.status(201).send(await createPortal(deps, request.log, authOf(request))),
  );

  // The signature covers the exact bytes Stripe sent, so this route alone keeps the raw body:
  // its own encapsulated context replaces the JSON parser with one that returns the Buffer.
  await app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    raw.withTypeProvider<TypeBoxTypeProvider>().post(
      '/v1/billing/stripe-webhook',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'receiveStripeWebhook',
          tags: ['billing'],
          summary: 'Stripe webhook endpoint (signed by Stripe)',
          description:
            'Verifies the Stripe-Signature header against the raw body, then applies checkout.session.completed, customer.subscription.created/updated/deleted and invoice.payment_failed to the organisation. Each event id is applied once; a redelivery answers 200 with duplicate: true.',
          headers: Type.Object({ 'stripe-signature': Type.String({ minLength: 1 }) }),
          response: {
            200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean(), outcome: Type.String() }),
            ...billingProblems,
          },
        },
      },
      async (request) => {
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const result = await handleStripeWebhook(deps, body, request.headers['stripe-signature']);
        if (result.organizationId) request.auditOrganizationId = result.organizationId;
        return { received: true, duplicate: result.duplicate, outcome: result.outcome };
      },
    );
  });
}
