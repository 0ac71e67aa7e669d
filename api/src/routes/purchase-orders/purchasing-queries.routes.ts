import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, PageQuery, pageLimit, paginate } from '../../lib/pagination.ts';
import { DateTime, IsoDate, NullableDateTime, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { inTransit, inTransitView, leadTimes, observationView } from './purchasing-queries.service.ts';
import { DEFAULT_WINDOW_DAYS, supplierPerformance } from './supplier-performance.service.ts';

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

const SupplierPerformance = Type.Object({
  supplierId: Uuid,
  supplierCode: Type.String(),
  supplierName: Type.String(),
  receipts: Type.Integer({
    description: 'receipt postings against orders with an expected date, in the window',
  }),
  receiptsOnTime: Type.Integer({ description: 'of those, posted on or before the expected day' }),
  receiptsWithoutExpectedDate: Type.Integer({
    description: 'postings whose order and line had no expected date',
  }),
  onTimeRate: Nullable(
    Type.Number({ minimum: 0, maximum: 1, description: 'receiptsOnTime ÷ receipts; null without receipts' }),
  ),
  leadTime: Type.Object(
    {
      observations: Type.Integer(),
      meanDays: Nullable(Type.Number()),
      p90Days: Nullable(Type.Number({ description: '90th percentile (linear interpolation)' })),
      minDays: Nullable(Type.Number()),
      maxDays: Nullable(Type.Number()),
      nominalDays: Type.Number({ description: "the supplier's stated lead time, for comparison" }),
      driftDays: Nullable(
        Type.Number({
          description:
            'Lead-time drift over the window: mean of the last 3 observations − mean of the ones before them (null with fewer than 2 before them); the same definition as the KPI page and the lead_time_drift alert',
        }),
      ),
    },
    {
      description:
        'Measured lead time: from the order being sent (or approved, if never sent) to each line received, per observation received in the window',
    },
  ),
  openOrders: Type.Integer({ description: 'orders approved, sent or partially received, today' }),
  openValue: Type.Number({ description: 'Σ (ordered − received) × unit price over those orders' }),
  overdueOrders: Type.Integer({
    description:
      'open orders with something outstanding past its expected day (the line’s, else the order’s)',
  }),
  nextExpectedAt: Nullable(IsoDate),
  draftOrders: Type.Integer({ description: 'drafts waiting for approval' }),
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

  app.get(
    '/v1/supplier-performance',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['purchasing'],
        summary:
          'Supplier performance: on-time rate, measured lead times (mean, 90th percentile) and open orders',
        description: `Per supplier with receipts, lead-time observations, open orders or drafts in scope. The window is the organisation's local days \`from\`..\`to\` (default the last ${DEFAULT_WINDOW_DAYS} days, at most 731); open orders are as of today. On time: a receipt posting on or before the expected day — the line's own, else the order's (same rule as the KPIs). Callers limited to some sites see only their sites' orders, receipts and observations.`,
        security,
        querystring: Type.Object(
          { siteId: Type.Optional(Uuid), from: Type.Optional(IsoDate), to: Type.Optional(IsoDate) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            from: IsoDate,
            to: IsoDate,
            siteId: Nullable(Uuid),
            items: Type.Array(SupplierPerformance),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => supplierPerformance(deps, authOf(request), request.query),
  );
}
