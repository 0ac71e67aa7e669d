import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import {
  type CursorPart,
  decodeCursor,
  encodeCursor,
  PageQuery,
  pageLimit,
  pageOf,
} from '../../lib/pagination.ts';
import { DateTime, StringEnum, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import {
  compareKeys,
  createDraftOrders,
  groupKey,
  purchaseSuggestions,
} from './purchase-suggestions.service.ts';
import {
  executeTransfer,
  type TransferSuggestion,
  transferSuggestions,
} from './transfer-suggestions.service.ts';

const Nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Bilingual = Type.Object({ zh: Type.String(), en: Type.String() });
const Strict = { additionalProperties: false } as const;

const PurchaseLine = Type.Object({
  itemId: Uuid,
  itemCode: Type.String(),
  itemNameZh: Type.String(),
  itemNameEn: Type.String(),
  baseUnit: Type.String(),
  locationId: Uuid,
  locationName: Type.String(),
  siteId: Uuid,
  siteName: Type.String(),
  position: Type.Integer({ description: 'on-hand + in transit (base units)' }),
  reorderPoint: Type.Number(),
  orderUpTo: Type.Number(),
  quantityBase: Type.Integer({ description: 'packs × pack size, in base units' }),
  packs: Type.Integer({ description: 'order-up-to − position rounded up to whole packs, at least the MOQ' }),
  packSize: Type.Integer(),
  unitPrice: Type.Number({
    description: "per base unit: the supplier's pack price ÷ pack size, else the item's unit cost",
  }),
  value: Type.Number(),
  stockoutProbability: Nullable(
    Type.Number({ description: 'P(stockout before the next possible receipt); null when unknown' }),
  ),
  reason: Type.Object(
    { zh: Type.String(), en: Type.String() },
    { description: 'Why: the live alert’s explanation, or position vs. reorder point; and the order' },
  ),
  alerts: Type.Array(Type.Object({ id: Uuid, type: Type.String(), severity: Type.String() })),
  openDraft: Type.Union([Type.Object({ purchaseOrderId: Uuid, number: Type.String() }), Type.Null()], {
    description: 'An unapproved draft already holding this line: drafting again skips it',
  }),
  leadTimeDays: Type.Number(),
});

const SupplierGroup = Type.Object({
  supplierId: Nullable(Uuid),
  supplierName: Nullable(Type.String()),
  totalPacks: Type.Integer(),
  totalValue: Type.Number(),
  lines: Type.Array(PurchaseLine),
});

const DraftOrder = Type.Object({
  id: Uuid,
  number: Type.String(),
  status: Type.Literal('draft'),
  source: Type.Literal('suggestion'),
  supplierId: Uuid,
  supplierName: Type.String(),
  siteId: Uuid,
  locationId: Uuid,
  locationName: Type.String(),
  expectedAt: Nullable(Type.String({ format: 'date' })),
  createdAt: DateTime,
  value: Type.Number(),
  lines: Type.Array(
    Type.Object({
      itemId: Uuid,
      itemCode: Type.String(),
      quantityOrdered: Type.Integer({ description: 'base units' }),
      packs: Type.Integer(),
      packSize: Type.Integer(),
      unitPrice: Type.Number(),
    }),
  ),
});

const Skipped = Type.Object({
  itemId: Uuid,
  locationId: Uuid,
  supplierId: Nullable(Uuid),
  reason: StringEnum(['no_supplier', 'draft_exists', 'excluded']),
  purchaseOrderId: Nullable(Uuid),
  purchaseOrderNumber: Nullable(Type.String()),
});

const TransferEnd = {
  locationId: Uuid,
  locationName: Type.String(),
  siteId: Uuid,
  siteName: Type.String(),
};
const Transfer = Type.Object({
  itemId: Uuid,
  itemCode: Type.String(),
  itemNameZh: Type.String(),
  itemNameEn: Type.String(),
  baseUnit: Type.String(),
  quantity: Type.Integer({ description: 'min(surplus, need), base units' }),
  from: Type.Object({
    ...TransferEnd,
    onHand: Type.Integer(),
    parMax: Type.Integer(),
    surplus: Type.Integer({
      description: 'on-hand in lots not expiring within 30 days − par max, before this suggestion',
    }),
    stockoutProbability: Nullable(Type.Number()),
  }),
  to: Type.Object({
    ...TransferEnd,
    position: Type.Integer(),
    reorderPoint: Type.Number(),
    orderUpTo: Type.Number(),
    need: Type.Integer({ description: 'order-up-to − position, before this suggestion' }),
    stockoutProbability: Type.Number(),
    alertTypes: Type.Array(Type.String()),
  }),
  reason: Bilingual,
});

const transferKey = (s: TransferSuggestion) => [s.itemCode, s.itemId, s.to.locationId, s.from.locationId];

/** Cursor pages over a list computed in memory, ordered by `key`. */
function pageComputed<T>(
  all: T[],
  key: (t: T) => (string | number)[],
  limit: number,
  cursor: string | undefined,
  shape: readonly CursorPart[],
) {
  const after = decodeCursor(cursor, shape);
  const rest = after ? all.filter((x) => compareKeys(key(x), after) > 0) : all;
  const items = rest.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rest.length > limit && last ? encodeCursor(key(last)) : null };
}

export async function suggestionRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/suggestions/purchases',
    {
      config: { access: { scope: 'purchasing' } },
      schema: {
        tags: ['suggestions'],
        summary:
          'Purchase suggestions grouped by supplier: item-locations at or below their reorder point or with a shortage alert',
        description:
          'Quantities come from the engine: order-up-to level − inventory position, rounded up to the supplier’s pack size and MOQ. Each line says why (the alert’s explanation or position vs. reorder point) in Chinese and English. One page item is one supplier.',
        querystring: Type.Object({ ...PageQuery, siteId: Type.Optional(Uuid) }, Strict),
        response: { 200: pageOf(SupplierGroup), ...problemResponses },
      },
    },
    async (request) => {
      const { limit, cursor, siteId } = request.query;
      const groups = await purchaseSuggestions(deps, authOf(request), siteId);
      return pageComputed(groups, groupKey, pageLimit(limit), cursor, ['int', 'text', 'text']);
    },
  );

  app.post(
    '/v1/suggestions/purchases/draft-orders',
    {
      config: { access: { scope: 'purchasing' } },
      schema: {
        tags: ['suggestions'],
        summary:
          'Turn the purchase suggestions into draft purchase orders: one per supplier and receiving location, in one transaction',
        description:
          'Drafts still go through approval. A line already in an open draft for the same supplier, location and item is skipped (reason `draft_exists`), so posting again never orders twice; lines without a supplier are skipped (`no_supplier`). Limit to some suppliers or one site with `supplierIds` / `siteId`.\n\nEdit the suggestion before drafting with `lines`: per item and location the number of whole packs to order (× the supplier’s pack size; below the MOQ is allowed, the purchaser decides), 0 leaves the line out (reason `excluded`). Every edited line must be among the suggestions the request drafts from, else 422 `unknown_suggestion` and nothing is drafted.',
        body: Type.Object(
          {
            supplierIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 500, uniqueItems: true })),
            siteId: Type.Optional(Uuid),
            lines: Type.Optional(
              Type.Array(
                Type.Object(
                  {
                    itemId: Uuid,
                    locationId: Uuid,
                    packs: Type.Integer({
                      minimum: 0,
                      maximum: 1_000_000,
                      description: '0 leaves the line out',
                    }),
                  },
                  Strict,
                ),
                { maxItems: 500 },
              ),
            ),
          },
          Strict,
        ),
        response: {
          201: Type.Object({ created: Type.Array(DraftOrder), skipped: Type.Array(Skipped) }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const { created, skipped } = await createDraftOrders(deps, authOf(request), request.body);
      return reply.status(201).send({ created, skipped });
    },
  );

  app.get(
    '/v1/suggestions/transfers',
    {
      config: { access: { scope: ['stock:write', 'purchasing'] } },
      schema: {
        tags: ['suggestions'],
        summary:
          'Transfer suggestions between sites: stock above its par maximum (and not at risk or expiring there) to a site at risk',
        querystring: Type.Object(
          {
            ...PageQuery,
            siteId: Type.Optional(
              Type.String({ format: 'uuid', description: 'Suggestions from or to this site' }),
            ),
            itemId: Type.Optional(Uuid),
          },
          Strict,
        ),
        response: { 200: pageOf(Transfer), ...problemResponses },
      },
    },
    async (request) => {
      const { limit, cursor, siteId, itemId } = request.query;
      const all = await transferSuggestions(deps, authOf(request), { siteId, itemId });
      return pageComputed(all, transferKey, pageLimit(limit), cursor, ['text', 'uuid', 'uuid', 'uuid']);
    },
  );

  app.post(
    '/v1/suggestions/transfers/execute',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags: ['suggestions'],
        summary:
          'Carry out a transfer suggestion: posts a transfer movement (lots first-expiry-first-out at the source)',
        body: Type.Object(
          {
            fromLocationId: Uuid,
            toLocationId: Uuid,
            itemId: Uuid,
            quantity: Type.Integer({ minimum: 1, description: 'base units' }),
            reference: Type.Optional(Type.String({ maxLength: 200 })),
          },
          Strict,
        ),
        response: {
          201: Type.Object({
            groupId: Uuid,
            movements: Type.Array(
              Type.Object({
                id: Type.Integer(),
                type: Type.String(),
                locationId: Uuid,
                lotNumber: Type.String(),
                expiryDate: Nullable(Type.String()),
                quantity: Type.Integer(),
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const result = await executeTransfer(deps, authOf(request), request.body);
      const groupId = result.posted[0]!.groupId;
      reply.header('location', `/v1/movements/${groupId}`);
      return reply.status(201).send({
        groupId,
        movements: result.posted.map((m) => ({
          id: Number(m.id),
          type: m.type,
          locationId: m.locationId,
          lotNumber: m.lotNumber ?? '', // transfers always name a lot ('' = untracked)
          expiryDate: m.expiryDate,
          quantity: Number(m.quantity),
        })),
      });
    },
  );
}
