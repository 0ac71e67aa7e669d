import type { Role } from '@medstock/db';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, paginate } from '../../lib/pagination.ts';
import { hashPassword } from '../../lib/passwords.ts';
import { conflict, forbidden, notFound, unprocessable } from '../../lib/problem.ts';
import type { AuthContext } from '../../plugins/access.ts';
import { assertSitesExist } from '../sites/sites.service.ts';

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
  const after = decodeCursor(cursor, 2);
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

function assertMayGrant(auth: AuthContext, role: Role) {
  if (role === 'owner' && auth.role !== 'owner') throw forbidden('Only an owner can make another owner.');
}

/** Adds a member: an existing account by email, or a new account with an initial password. */
export async function addMember(
  deps: AppDeps,
  auth: AuthContext,
  input: { email: string; name?: string; password?: string; role: Role; siteIds?: string[] | null },
) {
  assertMayGrant(auth, input.role);
  if (input.siteIds) await assertSitesExist(deps, auth, input.siteIds);
  const client = await deps.database.pool.connect();
  try {
    await client.query('begin');
    let { rows } = await client.query<{ id: string }>(
      'select id from control.users where lower(email) = lower($1)',
      [input.email.trim()],
    );
    if (!rows[0]) {
      if (!input.password) {
        throw unprocessable('password_required', 'A new account needs an initial password.', [
          { field: 'body:/password', message: 'required for a new account' },
        ]);
      }
      ({ rows } = await client.query<{ id: string }>(
        'insert into control.users (email, name, password_hash) values ($1, $2, $3) returning id',
        [input.email.trim(), input.name ?? '', await hashPassword(input.password)],
      ));
    }
    const userId = rows[0]!.id;
    const inserted = await client.query(
      `insert into control.memberships (organization_id, user_id, role, site_ids) values ($1, $2, $3, $4)
       on conflict do nothing`,
      [auth.organizationId, userId, input.role, input.siteIds ?? null],
    );
    if (!inserted.rowCount) throw conflict('already_member', 'This person is already a member.');
    await client.query('commit');
    return getMember(deps, auth, userId);
  } catch (err) {
    await client.query('rollback');
    throw err;
  } finally {
    client.release();
  }
}

async function assertNotLastOwner(deps: AppDeps, auth: AuthContext, target: MemberRow) {
  if (target.role !== 'owner') return;
  const { rows } = await deps.database.pool.query<{ n: number }>(
    `select count(*)::int as n from control.memberships where organization_id = $1 and role = 'owner'`,
    [auth.organizationId],
  );
  if ((rows[0]?.n ?? 0) <= 1) throw conflict('last_owner', 'An organisation needs at least one owner.');
}

export async function updateMember(
  deps: AppDeps,
  auth: AuthContext,
  userId: string,
  patch: { role?: Role; siteIds?: string[] | null },
) {
  const target = await getMember(deps, auth, userId);
  if (target.role === 'owner' && auth.role !== 'owner') throw forbidden('Only an owner can change an owner.');
  if (patch.role) assertMayGrant(auth, patch.role);
  if (patch.role && patch.role !== 'owner') await assertNotLastOwner(deps, auth, target);
  if (patch.siteIds) await assertSitesExist(deps, auth, patch.siteIds);
  await deps.database.pool.query(
    `update control.memberships set role = coalesce($3, role),
            site_ids = case when $4::boolean then $5::uuid[] else site_ids end
      where organization_id = $1 and user_id = $2`,
    [auth.organizationId, userId, patch.role ?? null, patch.siteIds !== undefined, patch.siteIds ?? null],
  );
  return getMember(deps, auth, userId);
}

export async function removeMember(deps: AppDeps, auth: AuthContext, userId: string) {
  const target = await getMember(deps, auth, userId);
  if (target.role === 'owner' && auth.role !== 'owner') throw forbidden('Only an owner can remove an owner.');
  await assertNotLastOwner(deps, auth, target);
  await deps.database.pool.query(
    'delete from control.memberships where organization_id = $1 and user_id = $2',
    [auth.organizationId, userId],
  );
  // Their sessions in this organisation end with the membership.
  await deps.database.pool.query(
    'update control.sessions set revoked_at = now() where organization_id = $1 and user_id = $2 and revoked_at is null',
    [auth.organizationId, userId],
  );
}
