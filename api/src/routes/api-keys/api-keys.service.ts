import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { AppDeps } from '../../deps.ts';
import { inControlTransaction } from '../../lib/control-transaction.ts';
import { type Access, assertMayGrant, sitesOrOwn } from '../../lib/grant-rules.ts';
import { decodeCursor, paginate } from '../../lib/pagination.ts';
import { notFound } from '../../lib/problem.ts';
import { randomSecret, sha256 } from '../../lib/tokens.ts';
import type { AuthContext, Scope } from '../../plugins/access.ts';
import { assertSitesExist } from '../sites/sites.service.ts';

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  site_ids: string[] | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_by: string | null;
  revoked_by: string | null;
  revoke_reason: string | null;
}

const ALPHANUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
function keyPrefix(): string {
  return [...randomBytes(12)].map((b) => ALPHANUM[b % ALPHANUM.length]).join('');
}

/**
 * A new key is shown once: `msk_<prefix>_<secret>`. The prefix makes it recognisable (and
 * findable by secret scanners); only the SHA-256 of the secret is stored.
 */
export async function createApiKey(
  deps: AppDeps,
  auth: AuthContext,
  input: { name: string; scopes: Scope[]; siteIds?: string[] | null },
) {
  // A key can never hold more than its creator: no privilege escalation through integrations.
  const siteIds = sitesOrOwn(auth, input.siteIds);
  assertMayGrant(auth, { scopes: input.scopes, siteIds });
  if (siteIds) await assertSitesExist(deps, auth, siteIds);
  const prefix = keyPrefix();
  const secret = randomSecret(32);
  // In a transaction, so an Idempotency-Key is marked committed together with the key: a retry
  // after a crash is told the key exists instead of creating a second one.
  const row = await inControlTransaction(deps.database.pool, async (client) => {
    const { rows } = await client.query<ApiKeyRow>(
      `insert into control.api_keys (organization_id, name, prefix, secret_hash, scopes, site_ids, created_by)
       values ($1, $2, $3, $4, $5, $6, $7)
       returning id, name, prefix, scopes, site_ids, created_at, last_used_at, revoked_at, created_by, revoked_by, revoke_reason`,
      [auth.organizationId, input.name, prefix, sha256(secret), input.scopes, siteIds, auth.userId],
    );
    return rows[0]!;
  });
  return { row, key: `msk_${prefix}_${secret}` };
}

export async function listApiKeys(deps: AppDeps, auth: AuthContext, limit: number, cursor?: string) {
  const after = decodeCursor(cursor, ['timestamp', 'uuid']);
  const { rows } = await deps.database.pool.query<ApiKeyRow>(
    `select id, name, prefix, scopes, site_ids, created_at, last_used_at, revoked_at, created_by, revoked_by, revoke_reason from control.api_keys
      where organization_id = $1 ${after ? 'and (created_at, id) < ($3::timestamptz, $4::uuid)' : ''}
      order by created_at desc, id desc limit $2`,
    after ? [auth.organizationId, limit + 1, after[0], after[1]] : [auth.organizationId, limit + 1],
  );
  return paginate(rows, limit, (r) => [r.created_at.toISOString(), r.id]);
}

/**
 * Revokes a key at once. Who revoked it and why are kept with it (the first revocation stands:
 * revoking again changes nothing), so the key list answers "who stopped this integration".
 */
export async function revokeApiKey(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  reason: string | null = null,
) {
  const { rows } = await deps.database.pool.query<ApiKeyRow>(
    `update control.api_keys
        set revoked_by = case when revoked_at is null then $3::uuid else revoked_by end,
            revoke_reason = case when revoked_at is null then $4::text else revoke_reason end,
            revoked_at = coalesce(revoked_at, now())
      where id = $1 and organization_id = $2
      returning id, name, prefix, scopes, site_ids, created_at, last_used_at, revoked_at, created_by, revoked_by, revoke_reason`,
    [id, auth.organizationId, auth.userId, reason],
  );
  if (!rows[0]) throw notFound('The API key');
  return rows[0];
}

export interface AuditContext {
  actorType: 'user' | 'api_key';
  actorId: string | null;
  requestId: string;
  ip: string | null;
}

export const auditContextOf = (auth: AuthContext, request: { id: unknown; ip: string }): AuditContext => ({
  actorType: auth.kind,
  actorId: auth.userId ?? auth.apiKeyId,
  requestId: String(request.id),
  ip: request.ip,
});

/**
 * A key never holds more than the member who created it. When that member is removed
 * (`access` null) or their access narrows, their keys beyond it are revoked in the same
 * transaction, each with an audit entry under the request that caused it: revoking, not
 * reassigning, so no integration keeps a right nobody in the organisation vouches for.
 */
export async function revokeKeysBeyond(
  db: pg.PoolClient,
  organizationId: string,
  userId: string,
  access: Access | null,
  audit: AuditContext,
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `update control.api_keys set revoked_at = now()
      where organization_id = $1 and created_by = $2 and revoked_at is null
        and ($3::boolean or not (scopes <@ $4::text[])
             or ($5::uuid[] is not null and (site_ids is null or not (site_ids <@ $5::uuid[]))))
      returning id`,
    [organizationId, userId, access === null, access?.scopes ?? [], access?.siteIds ?? null],
  );
  for (const { id } of rows) {
    await db.query(
      `insert into control.audit_log (organization_id, actor_type, actor_id, action, method, path, status_code, request_id, ip)
       values ($1, $2, $3, 'DELETE /v1/api-keys/:id', 'DELETE', $4, 200, $5, $6)`,
      [organizationId, audit.actorType, audit.actorId, `/v1/api-keys/${id}`, audit.requestId, audit.ip],
    );
  }
  return rows.map((r) => r.id);
}
