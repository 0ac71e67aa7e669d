import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { negotiateLocale } from '../../lib/problem-language.ts';
import { DateTime, IsoDate, IsoMonth, StringEnum, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { contentDisposition, writeCsv } from '../exports/export-sheet.ts';
import {
  consignmentStatement,
  consignmentStock,
  listConsignmentTerms,
  setConsignment,
  statementTable,
} from './consignment.service.ts';

const nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

const ItemNames = {
  itemId: Uuid,
  itemCode: Type.String(),
  itemNameZh: Type.String(),
  itemNameEn: Type.String(),
  baseUnit: Type.String(),
};

const Term = Type.Object({
  ...ItemNames,
  supplierId: Uuid,
  supplierName: Type.String(),
  unitPrice: Type.Number({
    description: 'Billed per base unit: the term’s pack price ÷ pack size, else the item’s unit cost',
  }),
});

const VendorStock = Type.Object({
  supplierId: Uuid,
  supplierName: Type.String(),
  ...ItemNames,
  locationId: Uuid,
  locationName: Type.String(),
  siteId: Uuid,
  lotNumber: Type.String(),
  expiryDate: nullable(IsoDate),
  onHand: Type.Integer(),
  unitPrice: Type.Number(),
  value: Type.Number({ description: 'At the supplier’s price; not the hospital’s inventory value' }),
  ownership: StringEnum(['vendor']),
});

const StatementLine = Type.Object({
  movementId: Type.Integer(),
  occurredAt: DateTime,
  day: IsoDate,
  ...ItemNames,
  locationName: Type.String(),
  siteId: Uuid,
  lotNumber: Type.String(),
  expiryDate: nullable(IsoDate),
  quantity: Type.Integer({ description: 'Base units used (issued)' }),
  unitPrice: Type.Number(),
  amount: Type.Number(),
  reference: nullable(Type.String()),
  departmentName: nullable(Type.String()),
});

const Statement = Type.Object({
  supplier: Type.Object({ id: Uuid, code: Type.String(), name: Type.String() }),
  month: Type.String(),
  from: DateTime,
  to: DateTime,
  items: Type.Array(
    Type.Object({ ...ItemNames, quantity: Type.Integer(), unitPrice: Type.Number(), amount: Type.Number() }),
  ),
  lines: Type.Array(StatementLine),
  totalQuantity: Type.Integer(),
  totalAmount: Type.Number(),
});

export async function consignmentRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['consignment'];

  app.put(
    '/v1/items/:id/suppliers/:supplierId/consignment',
    {
      config: { access: { scope: ['purchasing', 'admin'] } },
      schema: {
        tags,
        summary: 'Mark an item–supplier term as consignment (寄售) or not',
        description:
          'A consignment supplier’s deliveries of the item stay vendor-owned until issued: a receipt naming the supplier (`supplierId`, or a purchase-order receipt) makes its lot the supplier’s. Existing stock keeps its ownership. 404 when the item has no term with the supplier.',
        params: Type.Object({ id: Uuid, supplierId: Uuid }, { additionalProperties: false }),
        body: Type.Object({ consignment: Type.Boolean() }, { additionalProperties: false }),
        response: {
          200: Type.Object({ itemId: Uuid, supplierId: Uuid, consignment: Type.Boolean() }),
          ...problemResponses,
        },
      },
    },
    async (request) =>
      setConsignment(
        deps,
        authOf(request),
        request.params.id,
        request.params.supplierId,
        request.body.consignment,
      ),
  );

  app.get(
    '/v1/consignment/terms',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'Items supplied on consignment, per supplier',
        querystring: Type.Object({ supplierId: Type.Optional(Uuid) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Term) }), ...problemResponses },
      },
    },
    async (request) => ({
      items: await listConsignmentTerms(deps, authOf(request), request.query.supplierId),
    }),
  );

  app.get(
    '/v1/consignment/stock',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'Vendor-owned stock on hand (寄售库存)',
        description:
          'Consignment stock is part of on-hand (it can be issued) but it is the supplier’s: listed here per lot and location with its value at the supplier’s price. Site-limited callers see their sites only.',
        querystring: Type.Object(
          { supplierId: Type.Optional(Uuid), siteId: Type.Optional(Uuid) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(VendorStock), totalValue: Type.Number() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const items = await consignmentStock(deps, authOf(request), request.query);
      return { items, totalValue: Math.round(items.reduce((s, i) => s + i.value, 0) * 100) / 100 };
    },
  );

  app.get(
    '/v1/consignment/statement',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'Monthly usage statement of a consignment supplier (用后结算), JSON or CSV',
        description:
          'Every issue of the supplier’s consignment stock in `month` (the organisation’s local days), priced at the supplier’s term, with totals per item — what the supplier invoices after use. `format=csv` returns the lines as CSV (UTF-8 with BOM, headers in the Accept-Language). Site-limited callers get their sites’ usage only.',
        querystring: Type.Object(
          {
            supplierId: Uuid,
            month: IsoMonth,
            siteId: Type.Optional(Uuid),
            format: Type.Optional(StringEnum(['json', 'csv'])),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Union([Statement, Type.String({ description: 'text/csv' })]),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const s = await consignmentStatement(deps, authOf(request), q);
      if (q.format !== 'csv') return s;
      const table = statementTable(s);
      const locale = negotiateLocale(request.headers['accept-language']);
      reply.header(
        'content-disposition',
        contentDisposition(
          locale === 'zh-CN' ? table.name.zh : table.name.en,
          `consignment-statement-${q.month}`,
          'csv',
        ),
      );
      return reply.type('text/csv; charset=utf-8').send(writeCsv(table, locale));
    },
  );
}
