import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, PageQuery, pageLimit, pageOf, paginate } from '../../lib/pagination.ts';
import { DateTime, isoRequired, Uuid } from '../../lib/schemas.ts';
import type { AuthContext } from '../../plugins/access.ts';
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

/**
 * An audit entry is at the sites of the resources its request touched (recorded in
 * audit_entry_sites by the audit plugin). A site-limited caller sees an entry only when it has
 * sites and all of them are theirs; entries at no site (catalogue, settings, members, sign-in)
 * are for all-sites callers.
 */
function atCallersSites(auth: AuthContext) {
  if (auth.siteIds === null) return sql``;
  return sql`and exists (select 1 from audit_entry_sites s where s.audit_id = a.id)
    and not exists (select 1 from audit_entry_sites s where s.audit_id = a.id
                     and s.site_id <> all(${sql.param([...auth.siteIds])}::uuid[]))`;
}

export async function auditRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/audit-log',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags: ['audit'],
        summary: 'Audit log of every mutating request in the organisation, newest first',
        description:
          'An entry is at the sites of the resources its request touched. Callers limited to some sites see only entries at their sites; entries at no site (catalogue, settings, members, sign-in) are visible to all-sites callers only.',
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
      const after = decodeCursor(q.cursor, ['int']);
      const rows = await withTenantDb(deps.database.db, auth, async (tx) => {
        const r = await tx.execute<{
          id: string;
          actor_type: string;
          actor_id: string | null;
          action: string;
          path: string;
          status_code: number;
          request_id: string;
          at: Date | string;
        }>(sql`
          select a.id, a.actor_type, a.actor_id, a.action, a.path, a.status_code, a.request_id, a.at
            from control.audit_log a
           where a.organization_id = ${auth.organizationId}
             ${after ? sql`and a.id < ${Number(after[0])}` : sql``}
             ${q.actorId ? sql`and a.actor_id = ${q.actorId}` : sql``}
             ${q.action ? sql`and a.action = ${q.action}` : sql``}
             ${atCallersSites(auth)}
           order by a.id desc limit ${limit + 1}`);
        return r.rows;
      });
      const page = paginate(rows, limit, (r) => [Number(r.id)]);
      return {
        items: page.items.map((r) => ({
          id: Number(r.id),
          actorType: r.actor_type,
          actorId: r.actor_id,
          action: r.action,
          path: r.path,
          statusCode: r.status_code,
          requestId: r.request_id,
          at: isoRequired(r.at),
        })),
        nextCursor: page.nextCursor,
      };
    },
  );
}
