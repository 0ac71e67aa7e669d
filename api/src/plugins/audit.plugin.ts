import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { AppDeps } from '../deps.ts';
import { type AuthContext, sitesTouched } from './access.ts';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by handlers that create or resolve the organisation themselves (sign-up, login). */
    auditOrganizationId?: string;
    auditActorId?: string;
  }
}

/**
 * Every mutating request leaves an audit entry: who (user or API key), what (the route and its
 * outcome), when, in which organisation, under which request id. Refused requests are recorded
 * too; bodies are not, so no secret ends up in the log.
 */
/**
 * The sites the request's resources were at (see noteSiteTouched), kept in the tenant schema
 * where sites live. Should this write fail, the entry has no site and only all-sites callers see
 * it: the safe side.
 */
async function recordEntrySites(deps: AppDeps, auth: AuthContext | null | undefined, auditId: string) {
  const sites = sitesTouched(auth);
  if (!auth || sites.length === 0) return;
  await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute(sql`
      insert into audit_entry_sites (audit_id, site_id)
      select ${auditId}::bigint, s from unnest(${sql.param(sites)}::uuid[]) as s on conflict do nothing`),
  );
}

export const auditPlugin = fp(async (app: FastifyInstance, deps: AppDeps) => {
  app.addHook('onResponse', async (request, reply) => {
    if (!MUTATING.has(request.method) || !request.routeOptions.url) return;
    const auth = request.auth;
    const organizationId = auth?.organizationId ?? request.auditOrganizationId ?? null;
    const actorType = auth ? auth.kind : request.auditActorId ? 'user' : 'anonymous';
    const actorId = auth?.userId ?? auth?.apiKeyId ?? request.auditActorId ?? null;
    try {
      const entry = await deps.database.pool.query<{ id: string }>(
        `insert into control.audit_log (organization_id, actor_type, actor_id, action, method, path, status_code, request_id, ip)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
        [
          organizationId,
          actorType,
          actorId,
          `${request.method} ${request.routeOptions.url}`,
          request.method,
          request.url.split('?')[0],
          reply.statusCode,
          String(request.id),
          request.ip,
        ],
      );
      await recordEntrySites(deps, auth, entry.rows[0]!.id);
    } catch (err) {
      request.log.error({ err }, 'audit write failed');
    }
  });
});
