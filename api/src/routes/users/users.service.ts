import { type Role, runTenantTransaction, tenantSchema } from '@medstock/db';
import type { AppDeps } from '../../deps.ts';
import { inControlTransaction } from '../../lib/control-transaction.ts';
import { assertMayGrant, assertMayManage, assertNotWideningOwn, roleAccess } from '../../lib/grant-rules.ts';
import { decodeCursor, paginate } from '../../lib/pagination.ts';
import { conflict, notFound } from '../../lib/problem.ts';
import type { AuthContext } from '../../plugins/access.ts';
import { type AuditContext, revokeKeysBeyond } from '../api-keys/api-keys.service.ts';
import { assertSitesExist } from '../sites/sites.service.ts';

/**
 * Members of the organisation. People join only by accepting an invitation (see
 * routes/invitations): nobody creates another person's account or chooses their password.
 */
export interface MemberRow {
  user_id: string;
  email: string;
  name: string;
  role: Role;
  site_ids: string[] | null;
  created_at: Date;
}

const MEMBER_SELECT = `select m.user_id, u.email, u.name, m.role, m.site_ids, m.created_at
  from control.memberships m join control.users u on u.id = m.user_id`;

export async function listMembers(deps: AppDeps, auth: AuthContext, limit: number, cursor?: string) {
  const after = decodeCursor(cursor, ['timestamp', 'uuid']);
  const { rows } = await deps.database.pool.query<MemberRow>(
    `${MEMBER_SELECT} where m.organization_id = $1 ${after ? 'and (m.created_at, m.user_id) > ($3::timestamptz, $4::uuid)' : ''}
     order by m.created_at, m.user_id limit $2`,
    after ? [auth.organizationId, limit + 1, after[0], after[1]] : [auth.organizationId, limit + 1],
  );
  return paginate(rows, limit, (r) => [r.created_at.toISOString(), r.user_id]);
}

export async function getMember(deps: AppDeps, auth: AuthContext, userId: string): Promise<MemberRow> {
  const { rows } = await deps.database.pool.query<MemberRow>(
    `${MEMBER_SELECT} where m.organization_id = $1 and m.user_id = $2`,
    [auth.organizationId, userId],
  );
  if (!rows[0]) throw notFound('The user');
  return rows[0];
}

async function assertNotLastOwner(deps: AppDeps, auth: AuthContext, target: MemberRow) {
  if (target.role !== 'owner') return;
  const { rows } = await deps.database.pool.query<{ n: number }>(
    `select count(*)::int as n from control.memberships where organization_id = $1 and role = 'owner'`,
    [auth.organizationId],
  );
  if ((rows[0]?.n ?? 0) <= 1) throw conflict('last_owner', 'An organisation needs at least one owner.');
}

/** The grant rules for changing a member: one's own access only narrows; others' stays within one's own. */
function assertMayChange(
  auth: AuthContext,
  target: MemberRow,
  next?: { role: Role; siteIds: string[] | null },
) {
  const current = roleAccess(target.role, target.site_ids);
  const self = auth.userId === target.user_id;
  if (self && next) assertNotWideningOwn(current, roleAccess(next.role, next.siteIds));
  if (!self) assertMayManage(auth, { ...current, role: target.role });
  // Owner adds no scope to admin, so "not wider" alone would let an admin crown themselves.
  if (next) assertMayGrant(auth, { ...roleAccess(next.role, next.siteIds), role: next.role });
}

export async function updateMember(
  deps: AppDeps,
  auth: AuthContext,
  audit: AuditContext,
  userId: string,
  patch: { role?: Role; siteIds?: string[] | null },
) {
  const target = await getMember(deps, auth, userId);
  const next = {
    role: patch.role ?? target.role,
    siteIds: patch.siteIds !== undefined ? patch.siteIds : target.site_ids,
  };
  assertMayChange(auth, target, next);
  if (next.role !== 'owner') await assertNotLastOwner(deps, auth, target);
  if (patch.siteIds) await assertSitesExist(deps, auth, patch.siteIds);
  await inControlTransaction(deps.database.pool, async (client) => {
    await client.query(
      'update control.memberships set role = $3, site_ids = $4 where organization_id = $1 and user_id = $2',
      [auth.organizationId, userId, next.role, next.siteIds],
    );
    await revokeKeysBeyond(client, auth.organizationId, userId, roleAccess(next.role, next.siteIds), audit);
  });
  return getMember(deps, auth, userId);
}

/**
 * Removes a member. `reason` is kept with who removed them and when (member_removals, in the
 * tenant schema, written in the same transaction as the removal).
 */
export async function removeMember(
  deps: AppDeps,
  auth: AuthContext,
  audit: AuditContext,
  userId: string,
  reason: string | null,
) {
  const target = await getMember(deps, auth, userId);
  assertMayChange(auth, target);
  await assertNotLastOwner(deps, auth, target);
  // On the organisation's cell, so member_removals is written where its schema lives; the
  // control rows are reached from there (the control bridge on other cells).
  await runTenantTransaction(deps.database.db, auth, async (_tx, client) => {
    if (!client) throw new Error('removeMember: needs a pooled connection');
    await client.query('delete from control.memberships where organization_id = $1 and user_id = $2', [
      auth.organizationId,
      userId,
    ]);
    // The schema name comes from tenantSchema (a fixed pattern of the id), never from the request.
    await client.query(
      `insert into "${tenantSchema(auth.organizationId)}".member_removals (user_id, email, name, role, reason, removed_by)
       values ($1, $2, $3, $4, $5, $6)`,
      [userId, target.email, target.name, target.role, reason, auth.userId],
    );
    // Their sessions in this organisation end with the membership, and so do their API keys.
    await client.query(
      'update control.sessions set revoked_at = now() where organization_id = $1 and user_id = $2 and revoked_at is null',
      [auth.organizationId, userId],
    );
    await revokeKeysBeyond(client, auth.organizationId, userId, null, audit);
    // Their open invitations lapse too: a removed admin's authority must not outlive them.
    await client.query(
      `update control.invitations set revoked_at = now()
        where organization_id = $1 and invited_by = $2 and accepted_at is null and revoked_at is null`,
      [auth.organizationId, userId],
    );
  });
}

export interface RemovalRow {
  id: string;
  user_id: string;
  email: string;
  name: string;
  role: Role;
  reason: string | null;
  removed_by: string | null;
  removed_by_name: string | null;
  removed_at: Date;
}

/** Who was removed, by whom, when and why; newest first. */
export async function listRemovals(deps: AppDeps, auth: AuthContext, limit: number, cursor?: string) {
  const after = decodeCursor(cursor, ['timestamp', 'uuid']);
  const { rows } = await runTenantTransaction(deps.database.db, auth, async (_tx, client) => {
    if (!client) throw new Error('listRemovals: needs a pooled connection');
    return client.query<RemovalRow>(
      `select r.id, r.user_id, r.email, r.name, r.role, r.reason, r.removed_by,
            coalesce(nullif(u.name, ''), u.email) as removed_by_name, r.removed_at
       from "${tenantSchema(auth.organizationId)}".member_removals r left join control.users u on u.id = r.removed_by
      ${after ? 'where (r.removed_at, r.id) < ($2::timestamptz, $3::uuid)' : ''}
      order by r.removed_at desc, r.id desc limit $1`,
      after ? [limit + 1, after[0], after[1]] : [limit + 1],
    );
  });
  return paginate(rows, limit, (r) => [r.removed_at.toISOString(), r.id]);
}
