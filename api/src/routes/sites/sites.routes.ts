import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { PageQuery, pageLimit, pageOf } from '../../lib/pagination.ts';
import { DateTime, IdParams, MasterCode, StringEnum, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import {
  createLocation,
  createSite,
  getSite,
  type LocationRow,
  listLocations,
  listSites,
  type SiteRow,
  updateLocation,
  updateSite,
} from './sites.service.ts';

const Code = MasterCode(40);
const SiteKind = StringEnum(['hospital', 'clinic', 'community-centre', 'warehouse']);
const LocationKind = StringEnum(['central-store', 'ward', 'theatre', 'pharmacy', 'other']);

const Site = Type.Object({
  id: Uuid,
  code: Type.String(),
  name: Type.String(),
  kind: SiteKind,
  address: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
  createdAt: DateTime,
});
const Location = Type.Object({
  id: Uuid,
  siteId: Uuid,
  code: Type.String(),
  name: Type.String(),
  kind: LocationKind,
  active: Type.Boolean(),
  createdAt: DateTime,
});

const siteView = (r: SiteRow) => ({ ...r, createdAt: r.createdAt.toISOString() });
const locationView = (r: LocationRow) => ({ ...r, createdAt: r.createdAt.toISOString() });

export async function siteRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/sites',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['sites'],
        summary: 'List the sites the caller may see',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: pageOf(Site), ...problemResponses },
      },
    },
    async (request) => {
      const page = await listSites(
        deps,
        authOf(request),
        pageLimit(request.query.limit),
        request.query.cursor,
      );
      return { items: page.items.map(siteView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/sites',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags: ['sites'],
        summary: 'Create a site (with its central store)',
        body: Type.Object(
          {
            code: Code,
            name: Type.String({ minLength: 1, maxLength: 200 }),
            kind: Type.Optional(SiteKind),
            address: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Site, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(siteView(await createSite(deps, authOf(request), request.body))),
  );

  app.get(
    '/v1/sites/:id',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['sites'],
        summary: 'Get a site',
        params: IdParams,
        response: { 200: Site, ...problemResponses },
      },
    },
    async (request) => siteView(await getSite(deps, authOf(request), request.params.id)),
  );

  app.patch(
    '/v1/sites/:id',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags: ['sites'],
        summary: 'Update a site (rename, or deactivate with active=false)',
        description:
          'A deactivated site takes no new movements at any of its locations (422 `location_inactive`); it must hold no stock first (409 `site_has_stock`). Reactivate with active=true.',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            kind: Type.Optional(SiteKind),
            address: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Site, ...problemResponses },
      },
    },
    async (request) => siteView(await updateSite(deps, authOf(request), request.params.id, request.body)),
  );

  app.get(
    '/v1/sites/:id/locations',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['sites'],
        summary: "List a site's locations (central store, ward and theatre sub-stores)",
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Location) }), ...problemResponses },
      },
    },
    async (request) => ({
      items: (await listLocations(deps, authOf(request), request.params.id)).map(locationView),
    }),
  );

  app.post(
    '/v1/sites/:id/locations',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags: ['sites'],
        summary: 'Add a location (sub-store) to a site',
        params: IdParams,
        body: Type.Object(
          {
            code: Code,
            name: Type.String({ minLength: 1, maxLength: 200 }),
            kind: Type.Optional(LocationKind),
          },
          { additionalProperties: false },
        ),
        response: { 201: Location, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(locationView(await createLocation(deps, authOf(request), request.params.id, request.body))),
  );

  app.patch(
    '/v1/locations/:id',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags: ['sites'],
        summary: 'Rename a location, change its kind, or deactivate / reactivate it',
        description:
          "A deactivated location keeps its history but takes no new movements (422 `location_inactive`); it must hold no stock first (409 `location_has_stock`). A location at a site outside the caller's limit is 404.",
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            kind: Type.Optional(LocationKind),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Location, ...problemResponses },
      },
    },
    async (request) =>
      locationView(await updateLocation(deps, authOf(request), request.params.id, request.body)),
  );
}
