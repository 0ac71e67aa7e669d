import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, PageQuery, pageLimit, paginate } from '../../lib/pagination.ts';
import { DateTime, NullableDateTime, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { inTransit, inTransitView, leadTimes, observationView } from './purchasing-queries.service.ts';

const Nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

const Observation = Type.Object({
  id: Type.Integer(),
  supplierId: Uuid,
  itemId: Uuid,
  purchaseOrderId: Nullable(Uuid),
  purchaseOrderNumber: Nullable(Type.String()),
  orderedAt: DateTime,
  receivedAt: DateTime,
  leadTimeDays: Type.Number(),
  source: Type.String({ description: "'receipt' for receipts through the API; imports set their own" }),
});
const LeadTimeSummary = Type.Object({
  n: Type.Integer({ description: 'observations matching the filters' }),
  meanDays: Nullable(Type.Number()),
  sdDays: Nullable(Type.Number({ description: 'sample standard deviation; null below two observations' })),
  minDays: Nullable(Type.Number()),
  maxDays: Nullable(Type.Number()),
  lastDays: Nullable(Type.Number({ description: 'the most recently received observation' })),
  lastReceivedAt: NullableDateTime,
});
const InTransitLine = Type.Object({
  itemId: Uuid,
  itemCode: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  baseUnit: Type.String(),
  siteId: Uuid,
  locationId: Uuid,
  ordered: Type.Integer({ description: 'base units on open orders' }),
  received: Type.Integer({ description: 'base units already received on those orders' }),
  inTransit: Type.Integer({ description: 'Σ max(ordered − received, 0) per line' }),
  purchaseOrders: Type.Integer({ description: 'open orders contributing' }),
  nextExpectedAt: Nullable(Type.String({ format: 'date' })),
});

export async function purchasingQueryRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const security = [{ bearer: [] }];

  app.get(
    '/v1/lead-times',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['purchasing'],
        summary:
          'Measured supplier lead times (order to receipt): observations, newest first, and their summary',
        description:
          'One observation per order line per receipt, from `sentAt` (or `approvedAt`) to `receivedAt`, in days. The summary covers every observation matching the filters, not just the page. An observation is at the site of its purchase order: callers limited to some sites see and summarise only the observations of those sites.',
        security,
        querystring: Type.Object(
          { ...PageQuery, supplierId: Type.Optional(Uuid), itemId: Type.Optional(Uuid) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            summary: LeadTimeSummary,
            items: Type.Array(Observation),
            nextCursor: Nullable(Type.String()),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const { limit: l, cursor, ...filter } = request.query;
      const limit = pageLimit(l);
      const after = decodeCursor(cursor, ['int']);
      const { summary, rows } = await leadTimes(
        deps,
        authOf(request),
        filter,
        limit,
        after ? Number(after[0]) : undefined,
      );
      const page = paginate(rows, limit, (r) => [Number(r.id)]);
      return { summary, items: page.items.map(observationView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/in-transit',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['purchasing'],
        summary: 'In-transit stock: ordered − received per item and location over open purchase orders',
        description:
          'Open means approved, sent or partially received. Only rows with something still in transit are listed.',
        security,
        querystring: Type.Object(
          {
            ...PageQuery,
            itemId: Type.Optional(Uuid),
            locationId: Type.Optional(Uuid),
            siteId: Type.Optional(Uuid),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(InTransitLine), nextCursor: Nullable(Type.String()) }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const { limit: l, cursor, ...filter } = request.query;
      const limit = pageLimit(l);
      const after = decodeCursor(cursor, ['uuid', 'uuid']);
      const rows = await inTransit(deps, authOf(request), filter, limit, after);
      const page = paginate(rows, limit, (r) => [r.item_id, r.location_id]);
      return { items: page.items.map(inTransitView), nextCursor: page.nextCursor };
    },
  );
}
