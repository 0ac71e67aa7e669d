import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { PageQuery, pageLimit, pageOf } from '../../lib/pagination.ts';
import { IdParams, Uuid } from '../../lib/schemas.ts';
import type { Scope } from '../../plugins/access.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { Category, Item, ItemBody, ItemDetail, Ved } from './item.schemas.ts';
import {
  convertQuantity,
  createItem,
  getItem,
  linkGtin,
  listItems,
  unlinkGtin,
  updateItem,
} from './items.service.ts';
import { recalculateItem } from './recalculate-item.ts';

const ItemCreate = Type.Object(ItemBody, { additionalProperties: false });
const ItemPatch = Type.Partial(Type.Omit(ItemCreate, ['code']), {
  additionalProperties: false,
  minProperties: 1,
});

const Conversion = Type.Object({
  itemId: Uuid,
  quantity: Type.Number(),
  unit: Type.String(),
  baseQuantity: Type.Integer(),
  baseUnit: Type.String(),
  breakdown: Type.Array(
    Type.Object({ unit: Type.String(), quantity: Type.Integer(), factor: Type.Integer() }),
    {
      description: 'Whole packs, largest first, then the base-unit remainder',
    },
  ),
  text: Type.Object({ zh: Type.String(), en: Type.String() }),
});

export async function itemRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const writers = { access: { scope: ['purchasing', 'admin'] as Scope[] } };

  app.get(
    '/v1/items',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['catalogue'],
        summary: 'List and search catalogue items',
        description:
          '`q` matches the code or the Chinese or English name (substring, case-insensitive) or a GTIN exactly. Sorted by code.',
        querystring: Type.Object(
          {
            ...PageQuery,
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            category: Type.Optional(Category),
            ved: Type.Optional(Ved),
            active: Type.Optional(Type.Boolean()),
            substituteGroup: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(Item), ...problemResponses },
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      return listItems(deps, authOf(request), filter, pageLimit(limit), cursor);
    },
  );

  app.post(
    '/v1/items',
    {
      config: writers,
      schema: {
        tags: ['catalogue'],
        summary: 'Create an item',
        description:
          'Units: `baseUnit` is what stock is counted in (支, 片, 双 …); each pack unit says how many base units it holds (box = 100). Bad units give 422 `invalid_units` with one error per problem; a GTIN with a wrong check digit gives 422 `gs1_check_digit`; a taken code 409 `item_code_taken`. Needs the purchasing or admin scope.',
        body: ItemCreate,
        response: { 201: ItemDetail, ...problemResponses },
      },
    },
    async (request, reply) => {
      const item = await createItem(deps, authOf(request), request.body);
      reply.header('location', `/v1/items/${item.id}`);
      return reply.status(201).send(item);
    },
  );

  app.get(
    '/v1/items/:id',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['catalogue'],
        summary: 'Get an item with its pack units and supplier terms',
        params: IdParams,
        response: { 200: ItemDetail, ...problemResponses },
      },
    },
    async (request) => getItem(deps, authOf(request), request.params.id),
  );

  app.patch(
    '/v1/items/:id',
    {
      config: writers,
      schema: {
        tags: ['catalogue'],
        summary: 'Update an item (deactivate with active=false; items are never deleted)',
        description:
          'Given `packUnits` replace all pack units. The base unit code cannot change once the item has movements, stock or par levels (409 `base_unit_in_use`).',
        params: IdParams,
        body: ItemPatch,
        response: { 200: ItemDetail, ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const item = await updateItem(deps, auth, request.params.id, request.body);
      await recalculateItem(deps, auth, item.id);
      return item;
    },
  );

  app.post(
    '/v1/items/:id/gtins',
    {
      // The storekeeper at the scanner links the unknown box they hold, so stock writers may too.
      config: { access: { scope: ['stock:write', 'purchasing', 'admin'] as Scope[] } },
      schema: {
        tags: ['catalogue'],
        summary: 'Link a further GTIN (e.g. an unknown scanned box) to an item',
        description:
          'After a scan answers 422 `unknown_item` (its `params.gtin` is the GTIN read), link that GTIN to the right item: later scans of it find the item. `unit` names the pack unit the GTIN marks (default the base unit). A GTIN belongs to one item: 409 `gtin_taken` names the item that has it; 422 `gtin_unit_unknown` for a unit the item lacks; 422 `gs1_check_digit` for a wrong check digit. Linking it again to the same item only changes the unit.',
        params: IdParams,
        body: Type.Object(
          {
            gtin: Type.String({
              pattern: '^[0-9]{8,14}$',
              description: 'GTIN-8/12/13/14; stored as GTIN-14',
            }),
            unit: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 30 }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 201: ItemDetail, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const item = await linkGtin(deps, auth, request.params.id, request.body);
      return reply.status(201).send(item);
    },
  );

  app.delete(
    '/v1/items/:id/gtins/:gtin',
    {
      config: { access: { scope: ['purchasing', 'admin'] as Scope[] } },
      schema: {
        tags: ['catalogue'],
        summary: 'Unlink a further GTIN from an item',
        description:
          'The main GTIN is changed with PATCH `gtin`. 404 when the item has no such further GTIN.',
        params: Type.Object(
          { id: Uuid, gtin: Type.String({ pattern: '^[0-9]{8,14}$' }) },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await unlinkGtin(deps, authOf(request), request.params.id, request.params.gtin);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/v1/items/:id/convert',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['catalogue'],
        summary: "Convert a quantity in any of the item's units to base units",
        description:
          'E.g. `?quantity=2&unit=box` → 200 pieces (`?unit=box` alone: what one box holds), broken down into whole packs. 422 `units_unknown_unit` for a unit the item lacks, 422 `units_not_integer` when the result is a fraction of a base unit.',
        params: IdParams,
        querystring: Type.Object(
          {
            quantity: Type.Optional(Type.Number({ minimum: 0, description: 'Default 1' })),
            unit: Type.Optional(
              Type.String({ minLength: 1, maxLength: 30, description: 'Default: the base unit' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Conversion, ...problemResponses },
      },
    },
    async (request) =>
      convertQuantity(
        deps,
        authOf(request),
        request.params.id,
        request.query.quantity ?? 1,
        request.query.unit,
      ),
  );
}
