import { sites, withTenantDb } from '@medstock/db';
import { count } from 'drizzle-orm';
import type { JobDefinition } from './job-context.ts';

/**
 * Per-tenant housekeeping: drops the tenant's expired sessions and stale idempotency records,
 * touches its schema (so a broken tenant shows up here, not in a clinic's request) and stamps
 * the organisation. Idempotent: running it twice changes nothing more.
 */
export const housekeepingJob: JobDefinition = {
  description: 'per-tenant housekeeping (expired sessions, old idempotency keys, schema check)',
  async handle({ database }, job) {
    const { tenantId } = job.data;
    const org = await database.pool.query(
      `select 1 from control.organizations where id = $1 and status = 'active'`,
      [tenantId],
    );
    if (!org.rowCount) return { skipped: 'organisation not active' };
    const sessions = await database.pool.query(
      `delete from control.sessions where organization_id = $1 and (expires_at < now() or revoked_at < now() - interval '7 days')`,
      [tenantId],
    );
    const keys = await database.pool.query(
      `delete from control.idempotency_keys where scope like $1 and created_at < now() - interval '24 hours'`,
      [`%${tenantId}%`],
    );
    const [siteCount] = await withTenantDb(database.db, { organizationId: tenantId }, (tx) =>
      tx.select({ n: count() }).from(sites),
    );
    await database.pool.query('update control.organizations set last_housekeeping_at = now() where id = $1', [
      tenantId,
    ]);
    return {
      sessionsDeleted: sessions.rowCount,
      idempotencyKeysDeleted: keys.rowCount,
      sites: siteCount?.n ?? 0,
    };
  },
};
