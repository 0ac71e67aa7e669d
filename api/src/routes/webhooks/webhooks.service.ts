import { randomUUID } from 'node:crypto';
import { secretKeyRing } from '@medstock/config';
import {
  endpointUrlProblem,
  PRIVATE_ADDRESS_PROBLEM,
  resolveEndpointHost,
} from '@medstock/contracts/webhooks/endpoint-address.ts';
import { newWebhookSecret } from '@medstock/contracts/webhooks/signature.ts';
import { webhookBody } from '@medstock/contracts/webhooks/webhook-body.ts';
import { type EventType, isUuid, sealWebhookSecret, webhookSecretHint, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { enqueueDeliveries } from '../../lib/dispatch-deliveries.ts';
import { decodeCursor, paginate } from '../../lib/pagination.ts';
import { conflict, notFound, ProblemError } from '../../lib/problem.ts';
import { iso, isoRequired } from '../../lib/schemas.ts';
import type { AuthContext } from '../../plugins/access.ts';
import { deliveryVisibleTo } from './delivery-visibility.ts';

type EndpointRow = {
  id: string;
  url: string;
  description: string;
  secret_hint: string;
  events: string[];
  active: boolean;
  created_at: Date | string;
  updated_at: Date | string;
  secret_rotated_at: Date | string | null;
  cursor_at: string;
};

type DeliveryRow = {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date | string;
  created_at: Date | string;
  last_attempt_at: Date | string | null;
  delivered_at: Date | string | null;
  cursor_at: string;
};

export const endpointView = (r: EndpointRow) => ({
  id: r.id,
  url: r.url,
  description: r.description,
  events: r.events as EventType[],
  active: r.active,
  // Enough to tell secrets apart after a rotation, never enough to use one.
  secretHint: `whsec_…${r.secret_hint}`,
  createdAt: isoRequired(r.created_at),
  updatedAt: isoRequired(r.updated_at),
  secretRotatedAt: iso(r.secret_rotated_at),
});

export const deliveryView = (r: DeliveryRow) => ({
  id: r.id,
  endpointId: r.endpoint_id,
  eventId: r.event_id,
  eventType: r.event_type,
  status: r.status,
  attempts: Number(r.attempts),
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  nextAttemptAt: r.status === 'pending' ? isoRequired(r.next_attempt_at) : null,
  createdAt: isoRequired(r.created_at),
  lastAttemptAt: iso(r.last_attempt_at),
  deliveredAt: iso(r.delivered_at),
});

const ENDPOINT_COLUMNS = sql`id, url, description, secret_hint, events, active, created_at, updated_at, secret_rotated_at,
  (created_at at time zone 'UTC')::text as cursor_at`;
const DELIVERY_SELECT = sql`
  select d.id, d.endpoint_id, d.event_id, ev.type as event_type, d.status, d.attempts, d.last_status_code, d.last_error,
         d.next_attempt_at, d.created_at, d.last_attempt_at, d.delivered_at, (d.created_at at time zone 'UTC')::text as cursor_at
    from webhook_deliveries d join events ev on ev.id = d.event_id`;

/**
 * The URL must be http(s) and reach a public unicast address: literals are classified, names
 * resolved (a name that does not resolve yet is accepted: delivery checks again, after its own
 * lookup). The problem never says what a name resolved to.
 */
async function assertUrl(deps: AppDeps, url: string) {
  const allowPrivate = deps.config.WEBHOOK_ALLOW_PRIVATE_URLS;
  let problem = endpointUrlProblem(url, allowPrivate);
  if (!problem && !allowPrivate) {
    const resolved = await resolveEndpointHost(new URL(url).hostname, false);
    if (!resolved.ok && !resolved.unresolved) problem = resolved.problem;
  }
  if (problem)
    throw new ProblemError(
      422,
      'invalid_webhook_url',
      'Unprocessable content',
      `The endpoint URL ${problem}.`,
      [{ field: 'body:/url', message: problem }],
      { messageKey: `invalid_webhook_url.${URL_PROBLEM_WORDING[problem] ?? 'other'}` },
    );
}

/** The worker's reasons (English, shared with delivery logs) → the catalogue's wording of each. */
const URL_PROBLEM_WORDING: Record<string, string> = {
  'is not a URL': 'not_url',
  'must be an http or https URL': 'scheme',
  'must not contain credentials': 'credentials',
  [PRIVATE_ADDRESS_PROBLEM]: 'private',
  'has a host name that could not be resolved': 'unresolved',
};

/** The sweeper of this organisation runs while it has endpoints; scheduling is idempotent. */
async function ensureSweeper(deps: AppDeps, tenantId: string) {
  await deps.jobs.scheduleWebhookSweep(tenantId, deps.config.WEBHOOK_SWEEP_EVERY_MS).catch(() => undefined);
}

export async function listEndpoints(deps: AppDeps, auth: AuthContext, limit: number, cursor?: string) {
  const after = decodeCursor(cursor, ['timestamp', 'uuid']);
  const rows = await withTenantDb(
    deps.database.db,
    auth,
    async (tx) =>
      (
        await tx.execute<EndpointRow>(sql`
        select ${ENDPOINT_COLUMNS} from webhook_endpoints
         where ${after === undefined}::boolean or (created_at, id) > (${after?.[0] ?? null}::timestamp at time zone 'UTC', ${after?.[1] ?? null}::uuid)
         order by created_at, id limit ${limit + 1}`)
      ).rows,
  );
  const page = paginate(rows, limit, (r) => [r.cursor_at, r.id]);
  return { items: page.items.map(endpointView), nextCursor: page.nextCursor };
}

async function loadEndpoint(deps: AppDeps, auth: AuthContext, id: string): Promise<EndpointRow> {
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<EndpointRow>(sql`select ${ENDPOINT_COLUMNS} from webhook_endpoints where id = ${id}`),
  );
  if (!r.rows[0]) throw notFound('The webhook endpoint');
  return r.rows[0];
}

export async function getEndpoint(deps: AppDeps, auth: AuthContext, id: string) {
  return endpointView(await loadEndpoint(deps, auth, id));
}

export async function createEndpoint(
  deps: AppDeps,
  auth: AuthContext,
  input: { url: string; events: EventType[]; description?: string; active?: boolean },
) {
  await assertUrl(deps, input.url);
  const secret = newWebhookSecret();
  // The id is chosen here: the sealed secret is bound to its row.
  const id = randomUUID();
  const sealed = sealWebhookSecret(secretKeyRing(deps.config.SECRETS_KEYS), id, secret);
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<EndpointRow>(sql`
      insert into webhook_endpoints (id, url, description, secret_sealed, secret_hint, events, active)
      values (${id}, ${input.url}, ${input.description ?? ''}, ${sealed}, ${webhookSecretHint(secret)},
              ${sql.param(input.events)}::text[], ${input.active ?? true})
      returning ${ENDPOINT_COLUMNS}`),
  );
  await ensureSweeper(deps, auth.organizationId);
  return { ...endpointView(r.rows[0]!), secret };
}

export async function updateEndpoint(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  patch: { url?: string; events?: EventType[]; description?: string; active?: boolean },
) {
  if (patch.url !== undefined) await assertUrl(deps, patch.url);
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<EndpointRow>(sql`
      update webhook_endpoints set
        url = coalesce(${patch.url ?? null}, url),
        events = coalesce(${patch.events ? sql`${sql.param(patch.events)}::text[]` : sql`null::text[]`}, events),
        description = coalesce(${patch.description ?? null}, description),
        active = coalesce(${patch.active ?? null}::boolean, active),
        updated_at = now()
       where id = ${id}
      returning ${ENDPOINT_COLUMNS}`),
  );
  if (!r.rows[0]) throw notFound('The webhook endpoint');
  if (r.rows[0].active) await ensureSweeper(deps, auth.organizationId);
  return endpointView(r.rows[0]);
}

/** Deleting an endpoint drops its deliveries and their log with it. */
export async function deleteEndpoint(deps: AppDeps, auth: AuthContext, id: string) {
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute(sql`delete from webhook_endpoints where id = ${id}`),
  );
  if (!r.rowCount) throw notFound('The webhook endpoint');
}

/** A new secret takes effect at once: deliveries from now on are signed with it only. */
export async function rotateSecret(deps: AppDeps, auth: AuthContext, id: string) {
  if (!isUuid(id)) throw notFound('The webhook endpoint');
  const secret = newWebhookSecret();
  const sealed = sealWebhookSecret(secretKeyRing(deps.config.SECRETS_KEYS), id, secret);
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<EndpointRow>(sql`
      update webhook_endpoints set secret_sealed = ${sealed}, secret = null, secret_hint = ${webhookSecretHint(secret)},
             secret_rotated_at = now(), updated_at = now()
       where id = ${id}
      returning ${ENDPOINT_COLUMNS}`),
  );
  if (!r.rows[0]) throw notFound('The webhook endpoint');
  return { ...endpointView(r.rows[0]), secret };
}

export async function listDeliveries(
  deps: AppDeps,
  auth: AuthContext,
  endpointId: string,
  filter: { status?: DeliveryRow['status']; eventType?: string },
  limit: number,
  cursor?: string,
) {
  await loadEndpoint(deps, auth, endpointId);
  const after = decodeCursor(cursor, ['timestamp', 'uuid']);
  const rows = await withTenantDb(
    deps.database.db,
    auth,
    async (tx) =>
      (
        await tx.execute<DeliveryRow>(sql`
        ${DELIVERY_SELECT}
         where d.endpoint_id = ${endpointId} and ${deliveryVisibleTo(auth)}
           and (${filter.status ?? null}::text is null or d.status = ${filter.status ?? null})
           and (${filter.eventType ?? null}::text is null or ev.type = ${filter.eventType ?? null})
           and (${after === undefined}::boolean or (d.created_at, d.id) < (${after?.[0] ?? null}::timestamp at time zone 'UTC', ${after?.[1] ?? null}::uuid))
         order by d.created_at desc, d.id desc limit ${limit + 1}`)
      ).rows,
  );
  const page = paginate(rows, limit, (r) => [r.cursor_at, r.id]);
  return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
}

async function loadDelivery(
  deps: AppDeps,
  auth: AuthContext,
  endpointId: string,
  deliveryId: string,
): Promise<DeliveryRow> {
  await loadEndpoint(deps, auth, endpointId);
  if (!isUuid(deliveryId)) throw notFound('The delivery');
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<DeliveryRow>(
      sql`${DELIVERY_SELECT} where d.id = ${deliveryId} and d.endpoint_id = ${endpointId} and ${deliveryVisibleTo(auth)}`,
    ),
  );
  if (!r.rows[0]) throw notFound('The delivery');
  return r.rows[0];
}

export async function getDelivery(deps: AppDeps, auth: AuthContext, endpointId: string, deliveryId: string) {
  const d = await loadDelivery(deps, auth, endpointId, deliveryId);
  const { event, attempts } = await withTenantDb(deps.database.db, auth, async (tx) => {
    const ev = await tx.execute<{ id: string; type: string; payload: unknown; created_at: Date | string }>(
      sql`select id, type, payload, created_at from events where id = ${d.event_id}`,
    );
    const at = await tx.execute<{
      attempt: number;
      status_code: number | null;
      error: string | null;
      duration_ms: number;
      attempted_at: Date | string;
    }>(
      sql`select attempt, status_code, error, duration_ms, attempted_at from webhook_delivery_attempts where delivery_id = ${deliveryId} order by attempt`,
    );
    return { event: ev.rows[0]!, attempts: at.rows };
  });
  return {
    ...deliveryView(d),
    body: JSON.parse(
      webhookBody({
        id: event.id,
        type: event.type,
        createdAt: isoRequired(event.created_at),
        payload: event.payload,
      }),
    ) as Record<string, unknown>,
    attemptLog: attempts.map((a) => ({
      attempt: a.attempt,
      statusCode: a.status_code,
      error: a.error,
      durationMs: a.duration_ms,
      attemptedAt: isoRequired(a.attempted_at),
    })),
  };
}

/**
 * Sends a delivery again: a finished one (succeeded or failed) goes back to pending with a fresh
 * run of retries; a pending one waiting for its next retry is sent now. Attempts keep counting
 * in the log.
 */
export async function redeliver(deps: AppDeps, auth: AuthContext, endpointId: string, deliveryId: string) {
  const before = await loadDelivery(deps, auth, endpointId, deliveryId);
  const endpoint = await loadEndpoint(deps, auth, endpointId);
  if (!endpoint.active)
    throw conflict(
      'webhook_endpoint_inactive',
      'The endpoint is deactivated; activate it before redelivering.',
    );
  await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute(sql`
      update webhook_deliveries set status = 'pending', next_attempt_at = now(), delivered_at = null
       where id = ${deliveryId} and status <> 'pending'`),
  );
  if (before.status === 'pending') {
    // Waiting out a backoff delay: run it now.
    await deps.jobs.runDeliveryNow(deliveryId);
  }
  await enqueueDeliveries(deps, auth.organizationId, [deliveryId]);
  await ensureSweeper(deps, auth.organizationId);
  return deliveryView(await loadDelivery(deps, auth, endpointId, deliveryId));
}

/** A `ping` event delivered to this endpoint only, whatever its filter (also when deactivated). */
export async function sendTestEvent(deps: AppDeps, auth: AuthContext, endpointId: string) {
  await loadEndpoint(deps, auth, endpointId);
  const deliveryId = await withTenantDb(deps.database.db, auth, async (tx) => {
    const ev = await tx.execute<{ id: string }>(sql`
      insert into events (type, payload)
      values ('ping', ${JSON.stringify({ endpointId, message: 'Test event from medstock: your endpoint is reachable.' })}::jsonb) returning id`);
    const d = await tx.execute<{ id: string }>(
      sql`insert into webhook_deliveries (endpoint_id, event_id) values (${endpointId}, ${ev.rows[0]!.id}) returning id`,
    );
    return d.rows[0]!.id;
  });
  await enqueueDeliveries(deps, auth.organizationId, [deliveryId]);
  await ensureSweeper(deps, auth.organizationId);
  return deliveryView(await loadDelivery(deps, auth, endpointId, deliveryId));
}
