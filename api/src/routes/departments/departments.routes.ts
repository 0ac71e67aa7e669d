import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { PageQuery, pageLimit, pageOf } from '../../lib/pagination.ts';
import { DateTime, IdParams, MasterCode, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { createDepartment, listDepartments, updateDepartment } from './departments.service.ts';

const Nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);
const CostCentre = Type.String({
  minLength: 1,
  maxLength: 40,
  description: 'The cost centre (成本中心) issues to this department are charged to.',
});

export const Department = Type.Object({
  id: Uuid,
  siteId: Uuid,
  code: Type.String(),
  name: Type.String(),
  costCentre: Nullable(Type.String()),
  locationId: Nullable(Uuid),
  active: Type.Boolean(),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export async function departmentRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['requisitions'];

  app.get(
    '/v1/departments',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'Departments (科室) with their cost centres',
        description:
          'Departments are where issues go and what they are charged to. A site-limited caller sees the departments of their sites.',
        querystring: Type.Object(
          { ...PageQuery, siteId: Type.Optional(Uuid), active: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(Department), ...problemResponses },
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      return listDepartments(deps, authOf(request), filter, pageLimit(limit), cursor);
    },
  );

  app.post(
    '/v1/departments',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags,
        summary: 'Add a department',
        description:
          'A department belongs to a site; `locationId` is its own sub-store (二级库), a location of that site. 409 `department_code_taken`, 422 `department_location_elsewhere`.',
        body: Type.Object(
          {
            siteId: Uuid,
            code: MasterCode(40),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            costCentre: Type.Optional(Nullable(CostCentre)),
            locationId: Type.Optional(Nullable(Uuid)),
          },
          { additionalProperties: false },
        ),
        response: { 201: Department, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createDepartment(deps, authOf(request), request.body)),
  );

  app.patch(
    '/v1/departments/:id',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags,
        summary: 'Rename, re-code or deactivate a department',
        description: 'An inactive department receives no new issues or requisitions; its history stays.',
        params: IdParams,
        body: Type.Object(
          {
            code: Type.Optional(MasterCode(40)),
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            costCentre: Type.Optional(Nullable(CostCentre)),
            locationId: Type.Optional(Nullable(Uuid)),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Department, ...problemResponses },
      },
    },
    async (request) => updateDepartment(deps, authOf(request), request.params.id, request.body),
  );
}
