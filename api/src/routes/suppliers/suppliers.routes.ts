import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { PageQuery, pageLimit, pageOf } from '../../lib/pagination.ts';
import { DateTime, IdParams, MasterCode, Uuid } from '../../lib/schemas.ts';
import type { Scope } from '../../plugins/access.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { SupplierTerm } from '../items/item.schemas.ts';
import { recalculateItem } from '../items/recalculate-item.ts';
import { deleteTerm, putTerm } from './supplier-terms.service.ts';
import {
  createSupplier,
  getSupplier,
  listSuppliers,
  type SupplierRow,
  updateSupplier,
} from './suppliers.service.ts';

const nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

const Supplier = Type.Object({
  id: Uuid,
  code: Type.String(),
  name: Type.String(),
  contactEmail: nullable(Type.String()),
  phone: nullable(Type.String()),
  nominalLeadTimeDays: Type.Number({ description: 'Default lead time for items without their own' }),
  active: Type.Boolean(),
  createdAt: DateTime,
});

const SupplierCreate = Type.Object(
  {
    code: MasterCode(60),
    name: Type.String({ minLength: 1, maxLength: 300 }),
    contactEmail: Type.Optional(nullable(Type.String({ format: 'email', maxLength: 254 }))),
    phone: Type.Optional(nullable(Type.String({ maxLength: 50 }))),
    nominalLeadTimeDays: Type.Optional(Type.Number({ minimum: 0, maximum: 3650 })),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const SupplierPatch = Type.Partial(Type.Omit(SupplierCreate, ['code']), {
  additionalProperties: false,
  minProperties: 1,
});

const TermParams = Type.Object({ id: Uuid, supplierId: Uuid }, { additionalProperties: false });
const TermBody = Type.Object(
  {
    packPrice: Type.Number({ minimum: 0, maximum: 9_999_999_999, description: 'Price of one order pack' }),
    packSize: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 2_147_483_647,
        description: 'Base units per order pack (default 1)',
      }),
    ),
    packUnit: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 30,
        description: "One of the item's units: packSize becomes its factor",
      }),
    ),
    moqPacks: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'Minimum order in packs (default 1)' }),
    ),
    nominalLeadTimeDays: Type.Optional(nullable(Type.Number({ minimum: 0, maximum: 3650 }))),
    preferred: Type.Optional(
      Type.Boolean({ description: 'true un-marks any other preferred supplier of the item' }),
    ),
    supplierItemCode: Type.Optional(nullable(Type.String({ maxLength: 100 }))),
  },
  { additionalProperties: false },
);

const supplierView = (r: SupplierRow) => ({ ...r, createdAt: r.createdAt.toISOString() });

export async function supplierRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const writers = { access: { scope: ['purchasing', 'admin'] as Scope[] } };

  app.get(
    '/v1/suppliers',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['catalogue'],
        summary: 'List suppliers',
        querystring: Type.Object(
          {
            ...PageQuery,
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(Supplier), ...problemResponses },
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      const page = await listSuppliers(deps, authOf(request), filter, pageLimit(limit), cursor);
      return { items: page.items.map(supplierView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/suppliers',
    {
      config: writers,
      schema: {
        tags: ['catalogue'],
        summary: 'Create a supplier',
        description: 'A taken code gives 409 `supplier_code_taken`. Needs the purchasing or admin scope.',
        body: SupplierCreate,
        response: { 201: Supplier, ...problemResponses },
      },
    },
    async (request, reply) => {
      const row = await createSupplier(deps, authOf(request), request.body);
      reply.header('location', `/v1/suppliers/${row.id}`);
      return reply.status(201).send(supplierView(row));
    },
  );

  app.get(
    '/v1/suppliers/:id',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['catalogue'],
        summary: 'Get a supplier',
        params: IdParams,
        response: { 200: Supplier, ...problemResponses },
      },
    },
    async (request) => supplierView(await getSupplier(deps, authOf(request), request.params.id)),
  );

  app.patch(
    '/v1/suppliers/:id',
    {
      config: writers,
      schema: {
        tags: ['catalogue'],
        summary: 'Update a supplier (deactivate with active=false; suppliers are never deleted)',
        params: IdParams,
        body: SupplierPatch,
        response: { 200: Supplier, ...problemResponses },
      },
    },
    async (request) =>
      supplierView(await updateSupplier(deps, authOf(request), request.params.id, request.body)),
  );

  app.put(
    '/v1/items/:id/suppliers/:supplierId',
    {
      config: writers,
      schema: {
        tags: ['catalogue'],
        summary: 'Set the terms on which a supplier sells an item',
        description:
          "Creates (201) or replaces (200) the terms; omitted fields take their defaults. Give the order pack as `packSize` in base units or as `packUnit` (one of the item's units). `preferred: true` makes this the only preferred supplier of the item.",
        params: TermParams,
        body: TermBody,
        response: { 200: SupplierTerm, 201: SupplierTerm, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { id, supplierId } = request.params;
      const { created, term } = await putTerm(deps, auth, id, supplierId, request.body);
      await recalculateItem(deps, auth, id);
      return reply.status(created ? 201 : 200).send(term);
    },
  );

  app.delete(
    '/v1/items/:id/suppliers/:supplierId',
    {
      config: writers,
      schema: {
        tags: ['catalogue'],
        summary: 'Remove a supplier from an item',
        params: TermParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      await deleteTerm(deps, auth, request.params.id, request.params.supplierId);
      await recalculateItem(deps, auth, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
