import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, PageQuery, pageLimit, pageOf, paginate } from '../../lib/pagination.ts';
import { DateTime, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';

const AuditEntry = Type.Object({
  id: Type.Integer(),
  actorType: Type.String(),
  actorId: Type.Union([Uuid, Type.Null()]),
  action: Type.String(),
  path: Type.String(),
  statusCode: Type.Integer(),
  requestId: Type.String(),
  at: DateTime,
});

export async function auditRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/audit-log',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags: ['audit'],
        summary: 'Audit log of every mutating request in the organisation, newest first',
        security: [{ bearer: [] }],
        querystring: Type.Object(
          {
            ...PageQuery,
            actorId: Type.Optional(Uuid),
            action: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(AuditEntry), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const q = request.query;
      const limit = pageLimit(q.limit);
      const after = decodeCursor(q.cursor, 1);
      const { rows } = await deps.database.pool.query<{
        id: number;
        actor_type: string;
        actor_id: string | null;
        action: string;
        path: string;
        status_code: number;
        request_id: string;
        at: Date;
      }>(
        `select id, actor_type, actor_id, action, path, status_code, request_id, at from control.audit_log
          where organization_id = $1 and ($2::bigint is null or id < $2) and ($3::uuid is null or actor_id = $3)
            and ($4::text is null or action = $4)
          order by id desc limit $5`,
        [
          auth.organizationId,
          after ? Number(after[0]) : null,
          q.actorId ?? null,
          q.action ?? null,
          limit + 1,
        ],
      );
      const page = paginate(rows, limit, (r) => [r.id]);
      return {
        items: page.items.map((r) => ({
          id: r.id,
          actorType: r.actor_type,
          actorId: r.actor_id,
          action: r.action,
          path: r.path,
          statusCode: r.status_code,
          requestId: r.request_id,
          at: r.at.toISOString(),
        })),
        nextCursor: page.nextCursor,
      };
    },
  );
}
