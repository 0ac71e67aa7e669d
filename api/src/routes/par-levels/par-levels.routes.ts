import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { enqueueRecalculation } from '../../lib/enqueue-recalculation.ts';
import { PageQuery, pageLimit, pageOf } from '../../lib/pagination.ts';
import { IdParams, Uuid } from '../../lib/schemas.ts';
import type { Scope } from '../../plugins/access.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { deleteParLevel, listParLevels, putParLevel } from './par-levels.service.ts';

const ParLevel = Type.Object({
  locationId: Uuid,
  siteId: Uuid,
  itemId: Uuid,
  itemCode: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  baseUnit: Type.String(),
  minQty: Type.Integer({ description: 'In base units' }),
  maxQty: Type.Union([Type.Integer(), Type.Null()], { description: 'In base units; null: no maximum' }),
});
const ParParams = Type.Object({ id: Uuid, itemId: Uuid }, { additionalProperties: false });
const Quantity = Type.Number({ minimum: 0, maximum: 1e12 });

export async function parLevelRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // Ward par levels (基数) are set by the people who keep the stock, not only by purchasing.
  const writers = { access: { scope: ['stock:write', 'admin'] as Scope[] } };

  app.get(
    '/v1/locations/:id/par-levels',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['catalogue'],
        summary: "A location's par levels (min/max per item), by item code",
        params: IdParams,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: pageOf(ParLevel), ...problemResponses },
      },
    },
    async (request) =>
      listParLevels(
        deps,
        authOf(request),
        request.params.id,
        pageLimit(request.query.limit),
        request.query.cursor,
      ),
  );

  app.put(
    '/v1/locations/:id/par-levels/:itemId',
    {
      config: writers,
      schema: {
        tags: ['catalogue'],
        summary: 'Set the par level (min/max) of an item at a location',
        description:
          "Quantities are in `unit` (any of the item's units, default the base unit) and stored in base units. Creates (201) or replaces (200). Needs stock:write or admin; the location's site must be one the caller may see (else 404).",
        params: ParParams,
        body: Type.Object(
          {
            minQty: Quantity,
            maxQty: Type.Optional(Type.Union([Quantity, Type.Null()])),
            unit: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ParLevel, 201: ParLevel, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { id, itemId } = request.params;
      const { created, parLevel } = await putParLevel(deps, auth, id, itemId, request.body);
      await enqueueRecalculation(deps, auth.organizationId, [{ itemId, locationId: id }]);
      return reply.status(created ? 201 : 200).send(parLevel);
    },
  );

  app.delete(
    '/v1/locations/:id/par-levels/:itemId',
    {
      config: writers,
      schema: {
        tags: ['catalogue'],
        summary: 'Remove the par level of an item at a location',
        params: ParParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { id, itemId } = request.params;
      await deleteParLevel(deps, auth, id, itemId);
      await enqueueRecalculation(deps, auth.organizationId, [{ itemId, locationId: id }]);
      return reply.status(204).send(null);
    },
  );
}
