import { type AppConfig, secretKeyRing } from '@medstock/config';
import {
  DELIVERY_ID_HEADER,
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  SIGNATURE_HEADER,
  signatureHeader,
} from '@medstock/contracts/webhooks/signature.ts';
import { webhookBody } from '@medstock/contracts/webhooks/webhook-body.ts';
import { type Database, openWebhookSecret, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { retryDelayMs } from './delivery-queue.ts';
import { postWebhook } from './post-webhook.ts';

export interface DeliveryOutcome {
  status: 'succeeded' | 'retrying' | 'failed' | 'skipped';
  statusCode?: number | null;
  error?: string | null;
  reason?: string;
}

type Claimed = {
  id: string;
  url: string;
  endpoint_id: string;
  secret: string | null;
  secret_sealed: string | null;
  endpoint_active: boolean;
  event_id: string;
  event_type: string;
  payload: unknown;
  event_created_at: string;
  attempts: number;
};

/**
 * One attempt of one delivery. The delivery row is claimed with a short lease first, so a
 * duplicate job (sweeper, redelivery click) never sends it concurrently; the attempt, its answer
 * and the next retry time are written to the delivery log. Returns 'retrying' when the caller
 * should let BullMQ retry (the job then throws), 'failed' on the last attempt.
 */
export async function deliverOnce(
  config: AppConfig,
  database: Database,
  tenantId: string,
  deliveryId: string,
  attempt: { number: number; last: boolean },
): Promise<DeliveryOutcome> {
  const tenant = { organizationId: tenantId };
  const leaseMs = config.WEBHOOK_TIMEOUT_MS + 5000;
  const claimed = await withTenantDb(database.db, tenant, async (tx) => {
    const r = await tx.execute<Claimed>(sql`
      update webhook_deliveries d set claimed_until = now() + make_interval(secs => ${leaseMs / 1000})
        from webhook_endpoints e, events ev
       where d.id = ${deliveryId} and e.id = d.endpoint_id and ev.id = d.event_id
         and d.status = 'pending' and (d.claimed_until is null or d.claimed_until < now())
      returning d.id, e.url, e.id as endpoint_id, e.secret, e.secret_sealed, e.active as endpoint_active, ev.id as event_id, ev.type as event_type, ev.payload,
                to_char(ev.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as event_created_at, d.attempts`);
    return r.rows[0];
  });
  if (!claimed) return { status: 'skipped', reason: 'not pending, held by another attempt, or deleted' };

  let result: { statusCode: number | null; error: string | null; durationMs: number };
  if (!claimed.endpoint_active && claimed.event_type !== 'ping') {
    result = { statusCode: null, error: 'the endpoint is deactivated', durationMs: 0 };
    attempt = { ...attempt, last: true };
  } else {
    const body = webhookBody({
      id: claimed.event_id,
      type: claimed.event_type,
      createdAt: claimed.event_created_at,
      payload: claimed.payload,
    });
    result = await postWebhook(
      claimed.url,
      body,
      {
        [SIGNATURE_HEADER]: signatureHeader(
          openWebhookSecret(secretKeyRing(config.SECRETS_KEYS), {
            id: claimed.endpoint_id,
            secret: claimed.secret,
            secret_sealed: claimed.secret_sealed,
          }),
          body,
        ),
        [EVENT_ID_HEADER]: claimed.event_id,
        [EVENT_TYPE_HEADER]: claimed.event_type,
        [DELIVERY_ID_HEADER]: deliveryId,
      },
      { timeoutMs: config.WEBHOOK_TIMEOUT_MS, allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_URLS },
    );
  }
  const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
  const status = ok ? 'succeeded' : attempt.last ? 'failed' : 'pending';
  const nextMs = ok || attempt.last ? 0 : retryDelayMs(config, attempt.number);
  await withTenantDb(database.db, tenant, async (tx) => {
    await tx.execute(sql`
      insert into webhook_delivery_attempts (delivery_id, attempt, status_code, error, duration_ms)
      values (${deliveryId}, ${claimed.attempts + 1}, ${result.statusCode}, ${result.error}, ${result.durationMs})`);
    await tx.execute(sql`
      update webhook_deliveries set attempts = attempts + 1, status = ${status}::text, last_status_code = ${result.statusCode},
             last_error = ${result.error}, last_attempt_at = now(), claimed_until = null,
             next_attempt_at = case when ${status}::text = 'pending' then now() + make_interval(secs => ${nextMs / 1000}) else next_attempt_at end,
             delivered_at = case when ${ok}::boolean then now() else delivered_at end
       where id = ${deliveryId}`);
  });
  if (ok) return { status: 'succeeded', statusCode: result.statusCode };
  return { status: attempt.last ? 'failed' : 'retrying', statusCode: result.statusCode, error: result.error };
}

/**
 * Pending deliveries whose next attempt is overdue by more than `graceMs` and that nobody holds:
 * their job was lost. Returns their ids for re-enqueueing (the deterministic job id makes a
 * re-enqueue of a job that still exists a no-op).
 */
export async function overdueDeliveries(
  database: Database,
  tenantId: string,
  graceMs: number,
  limit = 1000,
): Promise<string[]> {
  return withTenantDb(database.db, { organizationId: tenantId }, async (tx) => {
    const r = await tx.execute<{ id: string }>(sql`
      select id from webhook_deliveries
       where status = 'pending' and next_attempt_at < now() - make_interval(secs => ${graceMs / 1000})
         and (claimed_until is null or claimed_until < now())
       order by next_attempt_at limit ${limit}`);
    return r.rows.map((x) => x.id);
  });
}
