import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, PageQuery, pageLimit, pageOf, paginate } from '../../lib/pagination.ts';
import { DateTime, IdParams, IsoDate, isoRequired, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { Unit } from './item.schemas.ts';
import { type CardMovementRow, stockCard, stockCardMovements } from './stock-card.service.ts';

const nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

const Scope = {
  siteId: Type.Optional(Uuid),
  locationId: Type.Optional(Uuid),
};

const StockCard = Type.Object({
  itemId: Uuid,
  itemCode: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  baseUnit: Unit,
  onHand: Type.Integer({ description: 'Base units on hand in the scope' }),
  lots: Type.Array(
    Type.Object({
      locationId: Uuid,
      locationName: Type.String(),
      locationActive: Type.Boolean(),
      siteId: Uuid,
      siteName: Type.String(),
      lotNumber: nullable(Type.String({ description: 'null: stock without a lot' })),
      expiryDate: nullable(IsoDate),
      onHand: Type.Integer(),
    }),
    { description: 'Stock by location and lot (non-zero only), by site, location, then expiry' },
  ),
  history: Type.Array(Type.Object({ day: IsoDate, onHand: Type.Integer() }), {
    description:
      'On-hand at the end of each local day that changed it, opening with the balance at the start of the window and closing with today: on-hand is constant between two points. Empty when the item has no movements in the scope.',
  }),
});

const CardMovement = Type.Object({
  id: Type.Integer(),
  groupId: Uuid,
  type: Type.String(),
  locationId: Uuid,
  locationName: Type.String(),
  siteId: Uuid,
  siteName: Type.String(),
  lotNumber: nullable(Type.String()),
  expiryDate: nullable(IsoDate),
  quantity: Type.Integer({ description: 'Signed, base units' }),
  balance: Type.Integer({ description: "On-hand of the card's scope after this movement" }),
  counted: nullable(Type.Integer()),
  reason: nullable(Type.String()),
  reference: nullable(Type.String()),
  source: Type.String(),
  occurredAt: DateTime,
  recordedAt: DateTime,
  actorId: nullable(Uuid),
  actorName: nullable(Type.String({ description: 'The person (or API key) that booked it' })),
});

const view = (r: CardMovementRow) => ({
  id: Number(r.id),
  groupId: r.group_id,
  type: r.type,
  locationId: r.location_id,
  locationName: r.location_name,
  siteId: r.site_id,
  siteName: r.site_name,
  lotNumber: r.lot_number,
  expiryDate: r.expiry_date,
  quantity: Number(r.quantity),
  balance: Number(r.balance),
  counted: r.counted === null ? null : Number(r.counted),
  reason: r.reason,
  reference: r.reference,
  source: r.source,
  occurredAt: isoRequired(r.occurred_at),
  recordedAt: isoRequired(r.recorded_at),
  actorId: r.actor_id,
  actorName: r.actor_name,
});

export async function stockCardRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/items/:id/stock-card',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['stock'],
        summary: "An item's stock card (台账): stock by lot and location, on-hand day by day",
        description:
          "Within the caller's sites; `siteId` or `locationId` narrow it (a site outside the caller's limit is 404). The movements are at GET /v1/items/{id}/stock-card/movements.",
        params: IdParams,
        querystring: Type.Object(
          {
            ...Scope,
            days: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 1830, description: 'History window, default 180' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: StockCard, ...problemResponses },
      },
    },
    async (request) => {
      const { days, ...scope } = request.query;
      return stockCard(deps, authOf(request), request.params.id, scope, days ?? 180);
    },
  );

  app.get(
    '/v1/items/:id/stock-card/movements',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['stock'],
        summary: "Every movement of the item's stock card, newest first, with who booked it and the balance",
        description:
          "Ordered by when the movement happened (occurredAt), newest first; `balance` is the scope's on-hand after the row. Within the caller's sites.",
        params: IdParams,
        querystring: Type.Object({ ...PageQuery, ...Scope }, { additionalProperties: false }),
        response: { 200: pageOf(CardMovement), ...problemResponses },
      },
    },
    async (request) => {
      const { limit: l, cursor, ...scope } = request.query;
      const limit = pageLimit(l);
      const after = decodeCursor(cursor, ['timestamp', 'int']);
      const rows = await stockCardMovements(deps, authOf(request), request.params.id, scope, limit, after);
      const page = paginate(rows, limit, (r) => [r.occurred_key, Number(r.id)]);
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },
  );
}
