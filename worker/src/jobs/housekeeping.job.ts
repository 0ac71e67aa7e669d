import { secretKeyRing } from '@medstock/config';
import {
  createUploadStore,
  expireIdempotencyKeys,
  resealRobotSecrets,
  resealWebhookSecrets,
  sites,
  withTenantDb,
} from '@medstock/db';
import { count } from 'drizzle-orm';
import type { JobDefinition } from './job-context.ts';

/**
 * Per-tenant housekeeping: drops the tenant's expired sessions, expires idempotency records by
 * age (every caller's: users, API keys, and rows from before keys were scoped), seals webhook
 * secrets still in plain text or under a retired key, deletes unclaimed uploads, touches its schema (so a broken tenant
 * shows up here, not in a clinic's request) and stamps the organisation. Idempotent: running it
 * twice changes nothing more.
 */
/** How long an upload may wait without an import that still needs it. */
const UNCLAIMED_UPLOAD_MS = 24 * 3_600_000;

export const housekeepingJob: JobDefinition = {
  description:
    'per-tenant housekeeping (expired sessions, old idempotency keys, webhook secret sealing, unclaimed uploads, schema check)',
  async handle({ config, database }, job) {
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
    // By age alone: the age index makes this cheap, and records are not all tied to a tenant.
    const idempotencyKeysDeleted = await expireIdempotencyKeys(
      database.pool,
      config.IDEMPOTENCY_RETENTION_HOURS,
    );
    const webhookSecretsSealed = await resealWebhookSecrets(
      database.db,
      secretKeyRing(config.SECRETS_KEYS),
      tenantId,
    );
    // Group-robot URLs and DingTalk secrets too, so an old key can be retired.
    const robotSecretsResealed = await resealRobotSecrets(
      database.db,
      secretKeyRing(config.SECRETS_KEYS),
      tenantId,
    );
    // Uploads nobody took (the request died mid-file, the import's job was lost) after a day.
    const uploadsSwept = await createUploadStore(config, database).sweep(tenantId, UNCLAIMED_UPLOAD_MS);
    const [siteCount] = await withTenantDb(database.db, { organizationId: tenantId }, (tx) =>
      tx.select({ n: count() }).from(sites),
    );
    await database.pool.query('update control.organizations set last_housekeeping_at = now() where id = $1', [
      tenantId,
    ]);
    return {
      sessionsDeleted: sessions.rowCount,
      idempotencyKeysDeleted,
      webhookSecretsSealed,
      robotSecretsResealed,
      uploadsSwept,
      sites: siteCount?.n ?? 0,
    };
  },
};
