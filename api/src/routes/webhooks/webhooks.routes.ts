import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { VERIFICATION_RECIPE } from '@medstock/contracts/webhooks/signature.ts';
import { EVENT_TYPES } from '@medstock/db';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { enqueueDeliveries } from '../../lib/dispatch-deliveries.ts';
import { PageQuery, pageLimit, pageOf } from '../../lib/pagination.ts';
import { DateTime, IdParams, NullableDateTime, StringEnum, Uuid } from '../../lib/schemas.ts';
import { assertAllSites } from '../../plugins/access.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { onMovementCommitted } from '../movements/after-movement.ts';
import {
  createEndpoint,
  deleteEndpoint,
  getDelivery,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  redeliver,
  rotateSecret,
  sendTestEvent,
  updateEndpoint,
} from './webhooks.service.ts';

// Movements committed anywhere in the API send their webhook deliveries right after commit.
onMovementCommitted((deps, auth, outcome) =>
  enqueueDeliveries(deps, auth.organizationId, outcome.deliveryIds),
);

const EventTypeSchema = StringEnum(EVENT_TYPES);
const Events = Type.Array(EventTypeSchema, {
  minItems: 1,
  uniqueItems: true,
  description: 'The event types this endpoint receives.',
});
const Url = Type.String({ minLength: 8, maxLength: 2000, description: 'http(s) URL that receives POSTs' });

const Endpoint = Type.Object({
  id: Uuid,
  url: Type.String(),
  description: Type.String(),
  events: Type.Array(EventTypeSchema),
  active: Type.Boolean(),
  secretHint: Type.String({ description: 'The last characters of the signing secret.' }),
  createdAt: DateTime,
  updatedAt: DateTime,
  secretRotatedAt: NullableDateTime,
});
const EndpointWithSecret = Type.Object({
  ...Endpoint.properties,
  secret: Type.String({ description: 'The signing secret (`whsec_...`). Shown only now: store it.' }),
});

const DeliveryStatus = StringEnum(['pending', 'succeeded', 'failed']);
const Delivery = Type.Object({
  id: Uuid,
  endpointId: Uuid,
  eventId: Uuid,
  eventType: Type.String(),
  status: DeliveryStatus,
  attempts: Type.Integer({ description: 'Attempts made so far (redeliveries included).' }),
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  nextAttemptAt: Type.Union([DateTime, Type.Null()], {
    description: 'When the next attempt is due (pending only).',
  }),
  createdAt: DateTime,
  lastAttemptAt: NullableDateTime,
  deliveredAt: NullableDateTime,
});
const DeliveryDetail = Type.Object({
  ...Delivery.properties,
  body: Type.Object(
    {},
    { additionalProperties: true, description: 'The JSON body sent: { id, type, createdAt, data }.' },
  ),
  attemptLog: Type.Array(
    Type.Object({
      attempt: Type.Integer(),
      statusCode: Type.Union([Type.Integer(), Type.Null()]),
      error: Type.Union([Type.String(), Type.Null()]),
      durationMs: Type.Integer(),
      attemptedAt: DateTime,
    }),
  ),
});
const DeliveryParams = Type.Object({ id: Uuid, deliveryId: Uuid }, { additionalProperties: false });

const WEBHOOKS_DESCRIPTION = [
  'Outbound webhooks: medstock POSTs a JSON body `{ "id", "type", "createdAt", "data" }` to each active endpoint subscribed to the event type.',
  `Event types: ${EVENT_TYPES.map((e) => `\`${e}\``).join(', ')} (and \`ping\` from the test route).`,
  'Headers: `Medstock-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, `Medstock-Event-Id`, `Medstock-Event-Type`, `Medstock-Delivery-Id`.',
  'A 2xx answer within 10 s counts as delivered; anything else is retried with exponential backoff (8 attempts: 10 s, 20 s, 40 s, …), then the delivery is marked failed. Delivery is at least once: de-duplicate on the event id.',
  `Verify the signature over the raw body (Node):\n\n\`\`\`js\n${VERIFICATION_RECIPE}\n\`\`\``,
].join('\n\n');

/** Why only all-sites callers add or change endpoints (GET and the delivery log are filtered instead). */
const ENDPOINT_REACH =
  'A webhook endpoint receives events from every site; only a caller with access to every site may add or change one (403 all_sites_required).';

export async function webhookRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['webhooks'];

  app.get(
    '/v1/webhooks',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags,
        summary: 'List webhook endpoints',
        description: WEBHOOKS_DESCRIPTION,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: pageOf(Endpoint), ...problemResponses },
      },
    },
    async (request) =>
      listEndpoints(deps, authOf(request), pageLimit(request.query.limit), request.query.cursor),
  );

  app.post(
    '/v1/webhooks',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags,
        summary: 'Add a webhook endpoint (the signing secret is returned once)',
        description: `${WEBHOOKS_DESCRIPTION}\n\n${ENDPOINT_REACH}`,
        body: Type.Object(
          {
            url: Url,
            events: Events,
            description: Type.Optional(Type.String({ maxLength: 500 })),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 201: EndpointWithSecret, ...problemResponses },
      },
    },
    async (request, reply) => {
      assertAllSites(authOf(request), ENDPOINT_REACH);
      const created = await createEndpoint(deps, authOf(request), request.body);
      return reply.status(201).header('location', `/v1/webhooks/${created.id}`).send(created);
    },
  );

  app.get(
    '/v1/webhooks/:id',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags,
        summary: 'Get a webhook endpoint',
        params: IdParams,
        response: { 200: Endpoint, ...problemResponses },
      },
    },
    async (request) => getEndpoint(deps, authOf(request), request.params.id),
  );

  app.patch(
    '/v1/webhooks/:id',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags,
        summary: 'Change a webhook endpoint (URL, event filter, description, active)',
        description: ENDPOINT_REACH,
        params: IdParams,
        body: Type.Object(
          {
            url: Type.Optional(Url),
            events: Type.Optional(Events),
            description: Type.Optional(Type.String({ maxLength: 500 })),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Endpoint, ...problemResponses },
      },
    },
    async (request) => {
      assertAllSites(authOf(request), ENDPOINT_REACH);
      return updateEndpoint(deps, authOf(request), request.params.id, request.body);
    },
  );

  app.delete(
    '/v1/webhooks/:id',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags,
        summary: 'Delete a webhook endpoint and its delivery log',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await deleteEndpoint(deps, authOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/webhooks/:id/rotate-secret',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags,
        summary: 'Replace the signing secret (the new one is returned once and used from now on)',
        params: IdParams,
        response: { 200: EndpointWithSecret, ...problemResponses },
      },
    },
    async (request) => rotateSecret(deps, authOf(request), request.params.id),
  );

  app.post(
    '/v1/webhooks/:id/test',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags,
        summary: 'Send a ping event to this endpoint',
        description:
          'Creates a `ping` event delivered to this endpoint only, whatever its event filter. Follow it in the delivery log.',
        params: IdParams,
        response: { 202: Delivery, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.status(202).send(await sendTestEvent(deps, authOf(request), request.params.id)),
  );

  app.get(
    '/v1/webhooks/:id/deliveries',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags,
        summary: "The endpoint's delivery log, newest first",
        description:
          'A delivery is at the sites its event names (`siteId`, `toSiteId`, the site of `locationId`). Callers limited to some sites see only deliveries whose event names sites, all of them theirs; events naming no site (`import.finished`) are for all-sites callers; `ping` test events are visible to all.',
        params: IdParams,
        querystring: Type.Object(
          {
            ...PageQuery,
            status: Type.Optional(DeliveryStatus),
            eventType: Type.Optional(Type.String({ maxLength: 60 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(Delivery), ...problemResponses },
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      return listDeliveries(deps, authOf(request), request.params.id, filter, pageLimit(limit), cursor);
    },
  );

  app.get(
    '/v1/webhooks/:id/deliveries/:deliveryId',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags,
        summary: 'One delivery with the body sent and every attempt',
        description:
          "A delivery outside the caller's sites (see the delivery log) is 404, like an unknown one.",
        params: DeliveryParams,
        response: { 200: DeliveryDetail, ...problemResponses },
      },
    },
    async (request) => getDelivery(deps, authOf(request), request.params.id, request.params.deliveryId),
  );

  app.post(
    '/v1/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags,
        summary: 'Send a delivery again',
        description:
          'A succeeded or failed delivery goes back to pending with a fresh series of retries; a pending one waiting for its next retry is sent now.',
        params: DeliveryParams,
        response: { 202: Delivery, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(await redeliver(deps, authOf(request), request.params.id, request.params.deliveryId)),
  );
}
