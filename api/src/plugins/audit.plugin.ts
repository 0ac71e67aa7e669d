import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { AppDeps } from '../deps.ts';

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
export const auditPlugin = fp(async (app: FastifyInstance, deps: AppDeps) => {
  app.addHook('onResponse', async (request, reply) => {
    if (!MUTATING.has(request.method) || !request.routeOptions.url) return;
    const auth = request.auth;
    const organizationId = auth?.organizationId ?? request.auditOrganizationId ?? null;
    const actorType = auth ? auth.kind : request.auditActorId ? 'user' : 'anonymous';
    const actorId = auth?.userId ?? auth?.apiKeyId ?? request.auditActorId ?? null;
    try {
      await deps.database.pool.query(
        `insert into control.audit_log (organization_id, actor_type, actor_id, action, method, path, status_code, request_id, ip)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
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
    } catch (err) {
      request.log.error({ err }, 'audit write failed');
    }
  });
});
