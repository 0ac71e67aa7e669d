import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, PageQuery, pageLimit, pageOf, paginate } from '../../lib/pagination.ts';
import { StringEnum, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { expiryBucket, nearExpiry, stockOnHand, valuation } from './stock.service.ts';

const Nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Filters = {
  itemId: Type.Optional(Uuid),
  siteId: Type.Optional(Uuid),
  locationId: Type.Optional(Uuid),
};
const StockLine = Type.Object({
  itemId: Uuid,
  itemCode: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  baseUnit: Type.String(),
  siteId: Nullable(Uuid),
  locationId: Nullable(Uuid),
  lotNumber: Nullable(Type.String()),
  expiryDate: Nullable(Type.String()),
  onHand: Type.Integer({ description: 'base units' }),
  held: Type.Integer({
    description: 'of which on hold (quarantine: inspection pending or recalled), base units',
  }),
  available: Type.Integer({ description: 'on-hand that may be issued: onHand − held, base units' }),
  vendorOwned: Type.Integer({
    description: 'of which consignment stock (寄售), a supplier’s until issued, base units',
  }),
  value: Type.Number({
    description: 'at the item unit cost; the hospital’s own stock only (consignment stock is the supplier’s)',
  }),
});
const ExpiryLine = Type.Object({
  itemId: Uuid,
  itemCode: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  siteId: Uuid,
  locationId: Uuid,
  lotNumber: Type.String(),
  expiryDate: Type.String(),
  daysLeft: Type.Integer(),
  bucket: StringEnum(['expired', '0-30', '31-60', '61-90', 'later']),
  onHand: Type.Integer(),
  value: Type.Number(),
});

export async function stockRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/stock',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['stock'],
        summary: 'On-hand stock by item, site, location or lot (groupBy), with value',
        querystring: Type.Object(
          {
            ...PageQuery,
            ...Filters,
            groupBy: Type.Optional(StringEnum(['item', 'site', 'location', 'lot'])),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(StockLine), ...problemResponses },
      },
    },
    async (request) => {
      const { limit: l, cursor, groupBy, ...filter } = request.query;
      const limit = pageLimit(l);
      const after = decodeCursor(cursor, ['text']);
      const rows = await stockOnHand(
        deps,
        authOf(request),
        groupBy ?? 'location',
        filter,
        limit,
        after ? String(after[0]) : undefined,
      );
      const page = paginate(rows, limit, (r) => [r.key]);
      return {
        items: page.items.map((r) => ({
          itemId: r.item_id,
          itemCode: r.item_code,
          nameZh: r.name_zh,
          nameEn: r.name_en,
          baseUnit: r.base_unit,
          siteId: r.site_id,
          locationId: r.location_id,
          lotNumber: r.lot_number,
          expiryDate: r.expiry_date,
          onHand: Number(r.on_hand),
          held: Number(r.held),
          available: Number(r.on_hand) - Number(r.held),
          vendorOwned: Number(r.vendor_owned),
          value: Number(r.value),
        })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.get(
    '/v1/stock/expiry',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['stock'],
        summary: 'Near-expiry and expired lots in 30/60/90-day buckets, with quantity and value per bucket',
        querystring: Type.Object(
          { ...Filters, withinDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            buckets: Type.Record(
              Type.String(),
              Type.Object({ lots: Type.Integer(), onHand: Type.Integer(), value: Type.Number() }),
            ),
            items: Type.Array(ExpiryLine),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const { withinDays, ...filter } = request.query;
      const rows = await nearExpiry(deps, authOf(request), filter, withinDays ?? 90);
      const buckets: Record<string, { lots: number; onHand: number; value: number }> = {};
      for (const b of ['expired', '0-30', '31-60', '61-90']) buckets[b] = { lots: 0, onHand: 0, value: 0 };
      const items = rows.map((r) => {
        const bucket = expiryBucket(Number(r.days_left));
        buckets[bucket] ??= { lots: 0, onHand: 0, value: 0 };
        const agg = buckets[bucket];
        agg.lots += 1;
        agg.onHand += Number(r.on_hand);
        agg.value = Math.round((agg.value + Number(r.value)) * 100) / 100;
        return {
          itemId: r.item_id,
          itemCode: r.item_code,
          nameZh: r.name_zh,
          nameEn: r.name_en,
          siteId: r.site_id,
          locationId: r.location_id,
          lotNumber: r.lot_number,
          expiryDate: r.expiry_date,
          daysLeft: Number(r.days_left),
          bucket,
          onHand: Number(r.on_hand),
          value: Number(r.value),
        };
      });
      return { buckets, items };
    },
  );

  app.get(
    '/v1/stock/valuation',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['stock'],
        summary: 'Stock valuation per site and category, with the total',
        querystring: Type.Object(Filters, { additionalProperties: false }),
        response: {
          200: Type.Object({
            total: Type.Number(),
            lines: Type.Array(
              Type.Object({
                siteId: Uuid,
                category: Type.String(),
                onHand: Type.Integer({ description: 'base units, consignment stock included' }),
                value: Type.Number({ description: 'the hospital’s own stock, at the item unit cost' }),
                vendorOwned: Type.Integer({ description: 'consignment stock (寄售), base units' }),
                vendorOwnedValue: Type.Number({
                  description: 'consignment stock at the item unit cost: the supplier’s, not in `value`',
                }),
                items: Type.Integer(),
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const rows = await valuation(deps, authOf(request), request.query);
      const lines = rows.map((r) => ({
        siteId: r.site_id,
        category: r.category,
        onHand: Number(r.on_hand),
        value: Number(r.value),
        vendorOwned: Number(r.vendor_owned),
        vendorOwnedValue: Number(r.vendor_owned_value),
        items: r.items,
      }));
      return { total: Math.round(lines.reduce((s, l) => s + l.value, 0) * 100) / 100, lines };
    },
  );
}
