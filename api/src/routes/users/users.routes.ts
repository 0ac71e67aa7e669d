import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { PageQuery, pageLimit, pageOf } from '../../lib/pagination.ts';
import { DateTime, IdParams, Role, SiteIds, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { auditContextOf } from '../api-keys/api-keys.service.ts';
import {
  listMembers,
  listRemovals,
  type MemberRow,
  type RemovalRow,
  removeMember,
  updateMember,
} from './users.service.ts';

const Member = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  role: Role,
  siteIds: SiteIds,
  createdAt: DateTime,
});
const view = (r: MemberRow) => ({
  id: r.user_id,
  email: r.email,
  name: r.name,
  role: r.role,
  siteIds: r.site_ids,
  createdAt: r.created_at.toISOString(),
});

const Removal = Type.Object({
  id: Uuid,
  userId: Uuid,
  email: Type.String(),
  name: Type.String(),
  role: Role,
  reason: Type.Union([Type.String(), Type.Null()]),
  removedBy: Type.Union([Uuid, Type.Null()]),
  removedByName: Type.Union([Type.String(), Type.Null()]),
  removedAt: DateTime,
});
const removalView = (r: RemovalRow) => ({
  id: r.id,
  userId: r.user_id,
  email: r.email,
  name: r.name,
  role: r.role,
  reason: r.reason,
  removedBy: r.removed_by,
  removedByName: r.removed_by_name,
  removedAt: r.removed_at.toISOString(),
});

export async function userRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/users',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags: ['users'],
        summary: 'List the members of the organisation',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: pageOf(Member), ...problemResponses },
      },
    },
    async (request) => {
      const page = await listMembers(
        deps,
        authOf(request),
        pageLimit(request.query.limit),
        request.query.cursor,
      );
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/users/removals',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags: ['users'],
        summary: 'Members removed: who, by whom, when and why (newest first)',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: pageOf(Removal), ...problemResponses },
      },
    },
    async (request) => {
      const page = await listRemovals(
        deps,
        authOf(request),
        pageLimit(request.query.limit),
        request.query.cursor,
      );
      return { items: page.items.map(removalView), nextCursor: page.nextCursor };
    },
  );

  app.patch(
    '/v1/users/:id',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags: ['users'],
        summary: "Change a member's role or site limits",
        description:
          'Nobody grants sites or scopes they do not hold, widens their own access, or changes a member whose access exceeds theirs (403 grant_exceeds_own_sites, grant_exceeds_own_scopes, cannot_widen_own_access, member_exceeds_own_access). API keys the member created that exceed the new access are revoked.',
        params: IdParams,
        body: Type.Object(
          { role: Type.Optional(Role), siteIds: Type.Optional(SiteIds) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Member, ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return view(
        await updateMember(deps, auth, auditContextOf(auth, request), request.params.id, request.body),
      );
    },
  );

  app.delete(
    '/v1/users/:id',
    {
      config: { access: { scope: 'admin' } },
      // The body is optional: a DELETE without one is validated as {}.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags: ['users'],
        summary: 'Remove a member: their sessions end and the API keys they created are revoked',
        description:
          'An optional JSON body gives the reason (the web always asks for one), kept with who removed the member and when (GET /v1/users/removals).',
        params: IdParams,
        body: Type.Object(
          {
            reason: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 500,
                pattern: '\\S',
                description: 'Why the member leaves (not blank)',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      await removeMember(
        deps,
        auth,
        auditContextOf(auth, request),
        request.params.id,
        request.body.reason?.trim() ?? null,
      );
      return reply.status(204).send(null);
    },
  );
}
