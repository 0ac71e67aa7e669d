import { cellsOf, MAIN_CELL, tenantSchema, withTenantDb } from '@medstock/db';
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
const INSERT_ENTRY = `insert into control.audit_log (organization_id, actor_type, actor_id, action, method, path, status_code, request_id, ip)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id`;

/**
 * The entry and the sites the request's resources were at (see noteSiteTouched, kept in the
 * tenant schema where sites live) in one statement, so auditing a change costs one round trip.
 * Should the sites not be written, the entry is written without them: only all-sites callers see
 * it, the safe side.
 */
async function writeEntry(deps: AppDeps, auth: AuthContext | null | undefined, values: unknown[]) {
  const pool = deps.database.pool;
  const sites = sitesTouched(auth);
  // Named (prepared once per connection): every mutating request writes one.
  const plain = { name: 'audit_entry', text: INSERT_ENTRY, values };
  if (!auth || sites.length === 0) return pool.query(plain);
  // On another database cell the sites go to the tenant schema there, in a second transaction.
  const { cell } = await cellsOf(deps.database.db).placementOf(auth.organizationId);
  if (cell !== MAIN_CELL) {
    const entry = await pool.query<{ id: string }>(plain);
    await withTenantDb(deps.database.db, auth, (tx) =>
      tx.execute(sql`insert into audit_entry_sites (audit_id, site_id)
        select ${entry.rows[0]!.id}::uuid, s from unnest(${sites}::uuid[]) as s on conflict do nothing`),
    ).catch(() => {});
    return entry;
  }
  try {
    // The schema name comes from tenantSchema (a fixed pattern of the id), never from the request;
    // it is in the text, so this statement is not prepared (one text per organisation).
    return await pool.query(
      `with entry as (${INSERT_ENTRY}),
            sites as (insert into "${tenantSchema(auth.organizationId)}".audit_entry_sites (audit_id, site_id)
                      select entry.id, s from entry, unnest($10::uuid[]) as s on conflict do nothing)
       select id from entry`,
      [...values, sites],
    );
  } catch {
    return pool.query(plain);
  }
}

export const auditPlugin = fp(async (app: FastifyInstance, deps: AppDeps) => {
  app.addHook('onResponse', async (request, reply) => {
    if (!MUTATING.has(request.method) || !request.routeOptions.url) return;
    const auth = request.auth;
    const organizationId = auth?.organizationId ?? request.auditOrganizationId ?? null;
    const actorType = auth ? auth.kind : request.auditActorId ? 'user' : 'anonymous';
    const actorId = auth?.userId ?? auth?.apiKeyId ?? request.auditActorId ?? null;
    try {
      await writeEntry(deps, auth, [
        organizationId,
        actorType,
        actorId,
        `${request.method} ${request.routeOptions.url}`,
        request.method,
        request.url.split('?')[0],
        reply.statusCode,
        String(request.id),
        request.ip,
      ]);
    } catch (err) {
      request.log.error({ err }, 'audit write failed');
    }
  });
});
