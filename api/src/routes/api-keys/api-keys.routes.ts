import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { PageQuery, pageLimit, pageOf } from '../../lib/pagination.ts';
import { DateTime, IdParams, iso, NullableDateTime, Scope, SiteIds, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { type ApiKeyRow, createApiKey, listApiKeys, revokeApiKey } from './api-keys.service.ts';

const ApiKey = Type.Object({
  id: Uuid,
  name: Type.String(),
  prefix: Type.String({ description: 'Public part of the key, shown in lists' }),
  scopes: Type.Array(Scope),
  siteIds: SiteIds,
  createdAt: DateTime,
  lastUsedAt: NullableDateTime,
  revokedAt: NullableDateTime,
  createdBy: Type.Union([Uuid, Type.Null()], { description: 'The member who created the key' }),
  revokedBy: Type.Union([Uuid, Type.Null()], { description: 'The member who revoked it' }),
  revokeReason: Type.Union([Type.String(), Type.Null()], { description: 'Why it was revoked' }),
});

const view = (r: ApiKeyRow) => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes,
  siteIds: r.site_ids,
  createdAt: r.created_at.toISOString(),
  lastUsedAt: iso(r.last_used_at),
  revokedAt: iso(r.revoked_at),
  createdBy: r.created_by,
  revokedBy: r.revoked_by,
  revokeReason: r.revoke_reason,
});

export async function apiKeyRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/v1/api-keys',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key for an integration (the key is shown only in this response)',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            scopes: Type.Array(Scope, { minItems: 1, uniqueItems: true }),
            siteIds: Type.Optional(SiteIds),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Intersect([ApiKey, Type.Object({ key: Type.String() })]), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { row, key } = await createApiKey(deps, authOf(request), request.body);
      return reply.status(201).send({ ...view(row), key });
    },
  );

  app.get(
    '/v1/api-keys',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags: ['api-keys'],
        summary: 'List API keys (newest first)',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: pageOf(ApiKey), ...problemResponses },
      },
    },
    async (request) => {
      const page = await listApiKeys(
        deps,
        authOf(request),
        pageLimit(request.query.limit),
        request.query.cursor,
      );
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },
  );

  app.delete(
    '/v1/api-keys/:id',
    {
      config: { access: { scope: 'admin' } },
      // The body is optional: a DELETE without one is validated as {}.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags: ['api-keys'],
        summary: 'Revoke an API key; it stops working at once',
        description:
          'An optional JSON body gives the reason (the web always asks for one); it is kept with who revoked the key and when. Revoking a revoked key changes nothing.',
        params: IdParams,
        body: Type.Object(
          {
            reason: Type.Optional(
              Type.String({ minLength: 1, maxLength: 500, pattern: '\\S', description: 'Why (not blank)' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: ApiKey, ...problemResponses },
      },
    },
    async (request) =>
      view(await revokeApiKey(deps, authOf(request), request.params.id, request.body.reason?.trim() ?? null)),
  );
}
