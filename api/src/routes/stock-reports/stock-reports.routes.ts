import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { MAX_REPORT_DAYS } from '@medstock/db';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, PageQuery, pageLimit, pageOf, paginate } from '../../lib/pagination.ts';
import { IsoDate, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { afterMovement } from '../movements/after-movement.ts';
import {
  getStockReport,
  listStockReports,
  postStockReports,
  type StockReportBody,
  stockReportView,
} from './stock-reports.service.ts';

const Quantity = (description: string) => Type.Optional(Type.Number({ minimum: 0, description }));

const ReportInput = Type.Object(
  {
    itemId: Type.Optional(Uuid),
    itemCode: Type.Optional(Type.String({ minLength: 1, maxLength: 60, description: 'instead of itemId' })),
    locationId: Uuid,
    periodStart: IsoDate,
    periodEnd: IsoDate,
    opening: Type.Optional(
      Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
        description: 'Stock at the period start as reported (期初); omit or null when not stated',
      }),
    ),
    received: Quantity('Received in the period (入库)'),
    issued: Quantity('Issued / consumed in the period (出库)'),
    losses: Quantity('Written off: expired, damaged (损耗)'),
    lossesReason: Type.Optional(Type.String({ maxLength: 500 })),
    adjustments: Type.Optional(Type.Number({ description: 'Other corrections, signed (调整)' })),
    adjustmentsReason: Type.Optional(Type.String({ maxLength: 500 })),
    closingCount: Type.Number({ minimum: 0, description: 'Counted at the end of the last day (期末盘点)' }),
    stockoutDays: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_REPORT_DAYS,
        description: 'Days without stock in the period (缺货天数)',
      }),
    ),
    unit: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 30,
        description: "Unit of every quantity (default the item's base unit)",
      }),
    ),
  },
  { additionalProperties: false },
);

const StockReport = Type.Object({
  id: Uuid,
  itemId: Uuid,
  itemCode: Type.String(),
  locationId: Uuid,
  siteId: Uuid,
  periodStart: IsoDate,
  periodEnd: IsoDate,
  opening: Type.Union([Type.Integer(), Type.Null()]),
  received: Type.Integer(),
  issued: Type.Integer(),
  losses: Type.Integer(),
  lossesReason: Type.Union([Type.String(), Type.Null()]),
  adjustments: Type.Integer(),
  adjustmentsReason: Type.Union([Type.String(), Type.Null()]),
  closingCount: Type.Integer(),
  stockoutDays: Type.Integer(),
  bookOpening: Type.Union([Type.Integer(), Type.Null()], {
    description: "The ledger's balance at the period start (null: unknown)",
  }),
  bookClosing: Type.Integer({ description: 'The ledger balance just before the closing count' }),
  variance: Type.Integer({ description: 'closingCount − bookClosing: the stocktake variance row' }),
  groupId: Uuid,
  source: Type.String(),
  createdBy: Type.Union([Uuid, Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

const Posted = Type.Object({ created: Type.Boolean(), report: StockReport });

const DESCRIPTION = [
  'A periodic stock report (库存月报) of one item at one location: opening, received, issued, losses, other adjustments, the closing count and the days out of stock. Quantities in `unit` (default the base unit), stored in base units; dates are local days of the organisation.',
  "Posting writes dated ledger entries in one transaction: on the period's last day the receipt (untracked stock), adjustments, losses (write-off), the issue (first-expiry-first), then the closing count of the whole item-location at the end of that day — its variance row (`variance`) shows any discrepancy between opening + flows and the count. When `opening` is stated and the ledger's balance at the period start is unknown or differs, a count at the start of the period records it (reason 'opening differs from book'). Entries dated before a later count are absorbed by it; on-hand at the period end equals the closing count.",
  'Send one report, or `{ "reports": [...] }` (up to 500), all posted or none. Re-posting an identical report of the same item, location and period changes nothing (`created: false`, 200); a different one is `409 report_exists`, an overlapping period `409 report_overlaps`. Other refusals: 422 `invalid_period`, `period_not_ended`, `invalid_stockout_days`, `unknown_item`, `unknown_location`, `units_not_integer`; 409 `insufficient_stock` when later movements would take stock below zero.',
].join('\n\n');

export async function stockReportRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/v1/stock-reports',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags: ['stock'],
        summary: 'Post one periodic stock report, or a batch',
        description: DESCRIPTION,
        body: Type.Union([
          ReportInput,
          Type.Object(
            { reports: Type.Array(ReportInput, { minItems: 1, maxItems: 500 }) },
            { additionalProperties: false },
          ),
        ]),
        response: {
          200: Type.Union([Posted, Type.Object({ reports: Type.Array(Posted) })]),
          201: Type.Union([Posted, Type.Object({ reports: Type.Array(Posted) })]),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const body = request.body as StockReportBody | { reports: StockReportBody[] };
      const batch = 'reports' in body;
      const bodies = batch ? body.reports : [body];
      const out = await postStockReports(deps, auth, bodies, batch);
      const posted = out.posted.map((m) => ({ itemId: m.itemId, locationId: m.locationId }));
      await afterMovement(deps, auth, { posted, deliveryIds: [] });
      const anyCreated = out.reports.some((r) => r.created);
      if (!batch) reply.header('location', `/v1/stock-reports/${out.reports[0]!.report.id}`);
      return reply.status(anyCreated ? 201 : 200).send(batch ? { reports: out.reports } : out.reports[0]!);
    },
  );

  app.get(
    '/v1/stock-reports/:id',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['stock'],
        summary: 'One stock report',
        params: Type.Object({ id: Uuid }, { additionalProperties: false }),
        response: { 200: StockReport, ...problemResponses },
      },
    },
    async (request) => getStockReport(deps, authOf(request), request.params.id),
  );

  app.get(
    '/v1/stock-reports',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['stock'],
        summary: 'Stock reports, newest period first, with filters',
        querystring: Type.Object(
          {
            ...PageQuery,
            itemId: Type.Optional(Uuid),
            locationId: Type.Optional(Uuid),
            siteId: Type.Optional(Uuid),
            from: Type.Optional(IsoDate),
            to: Type.Optional(IsoDate),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(StockReport), ...problemResponses },
      },
    },
    async (request) => {
      const { limit: l, cursor, ...filter } = request.query;
      const limit = pageLimit(l);
      const after = decodeCursor(cursor, ['date', 'uuid']);
      const rows = await listStockReports(deps, authOf(request), filter, limit, after);
      const page = paginate(rows, limit, (r) => [r.period_end, r.id]);
      return { items: page.items.map(stockReportView), nextCursor: page.nextCursor };
    },
  );
}
