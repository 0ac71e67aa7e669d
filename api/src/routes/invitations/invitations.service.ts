import type { Role } from '@medstock/db';
import type pg from 'pg';
import type { AppDeps } from '../../deps.ts';
import { inControlTransaction } from '../../lib/control-transaction.ts';
import { assertMayGrant, assertMayManage, roleAccess, sitesOrOwn } from '../../lib/grant-rules.ts';
import { decodeCursor, paginate } from '../../lib/pagination.ts';
import { assertStrongPassword, hashPassword, passwordUserInputs } from '../../lib/passwords.ts';
import { conflict, notFound, ProblemError, unprocessable } from '../../lib/problem.ts';
import { randomSecret, sha256 } from '../../lib/tokens.ts';
import type { AuthContext } from '../../plugins/access.ts';
import { openSession } from '../auth/auth.service.ts';
import { type ClientContext, verifyPasswordThrottled } from '../auth/login-throttle.ts';
import { webUrl } from '../auth/web-links.ts';
import { assertSitesExist } from '../sites/sites.service.ts';
import { invitationMail } from './invitation-mail.ts';

/**
 * Invitations are the only way into an organisation one did not create. The admin names an
 * address, a role and sites; the invitee gets a single-use link that expires, and accepts it by
 * setting a password (no account yet) or by signing in (an account exists). Nothing an inviter
 * sees depends on whether the address has an account anywhere: the invitation's own fields are
 * all they get back.
 */
export const INVITATION_TTL_DAYS = 7;

export interface InvitationRow {
  id: string;
  email: string;
  role: Role;
  site_ids: string[] | null;
  invited_by: string | null;
  created_at: Date;
  last_sent_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

export type InvitationStatus = 'pending' | 'expired' | 'accepted' | 'revoked';

export function statusOf(r: InvitationRow, now = new Date()): InvitationStatus {
  if (r.accepted_at) return 'accepted';
  if (r.revoked_at) return 'revoked';
  return r.expires_at <= now ? 'expired' : 'pending';
}

const COLUMNS = `id, email, role, site_ids, invited_by, created_at, last_sent_at, expires_at, accepted_at, revoked_at`;

async function sendInvitation(
  deps: AppDeps,
  db: pg.PoolClient,
  auth: AuthContext,
  row: InvitationRow,
  token: string,
) {
  const { rows } = await db.query<{ name: string; locale: string; timezone: string; inviter: string | null }>(
    `select o.name, o.locale, o.timezone, nullif(coalesce(nullif(u.name, ''), u.email), '') as inviter
       from control.organizations o left join control.users u on u.id = $2
      where o.id = $1`,
    [auth.organizationId, auth.userId],
  );
  const org = rows[0]!;
  await deps.mailer.send(
    invitationMail({
      to: row.email,
      organizationName: org.name,
      organizationLocale: org.locale,
      timezone: org.timezone,
      inviterName: org.inviter,
      role: row.role,
      link: webUrl(deps, '/accept-invitation', token),
      expiresAt: row.expires_at,
    }),
  );
}

async function assertNotMember(deps: AppDeps, auth: AuthContext, email: string) {
  // Only this organisation's own members are looked at: whether the address has an account
  // elsewhere never changes the answer.
  const { rowCount } = await deps.database.pool.query(
    `select 1 from control.memberships m join control.users u on u.id = m.user_id
      where m.organization_id = $1 and lower(u.email) = lower($2)`,
    [auth.organizationId, email],
  );
  if (rowCount) throw conflict('already_member', 'This person is already a member of the organisation.');
}

export async function createInvitation(
  deps: AppDeps,
  auth: AuthContext,
  input: { email: string; role: Role; siteIds?: string[] | null },
): Promise<InvitationRow> {
  const email = input.email.trim();
  const siteIds = sitesOrOwn(auth, input.siteIds);
  assertMayGrant(auth, { ...roleAccess(input.role, siteIds), role: input.role });
  if (siteIds) await assertSitesExist(deps, auth, siteIds);
  await assertNotMember(deps, auth, email);
  const token = randomSecret(32);
  return inControlTransaction(deps.database.pool, async (db) => {
    // An expired invitation to the same address is superseded by the new one.
    await db.query(
      `update control.invitations set revoked_at = now()
        where organization_id = $1 and lower(email) = lower($2)
          and accepted_at is null and revoked_at is null and expires_at <= now()`,
      [auth.organizationId, email],
    );
    const { rows } = await db
      .query<InvitationRow>(
        `insert into control.invitations
           (organization_id, email, role, site_ids, invited_by, invited_by_api_key, token_hash, expires_at)
         values ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(days => $8))
         returning ${COLUMNS}`,
        [
          auth.organizationId,
          email,
          input.role,
          siteIds,
          auth.userId,
          auth.apiKeyId,
          sha256(token),
          INVITATION_TTL_DAYS,
        ],
      )
      .catch((err: { code?: string }) => {
        if (err.code === '23505')
          throw conflict(
            'already_invited',
            'This address already has a pending invitation: resend or revoke it instead.',
          );
        throw err;
      });
    const row = rows[0]!;
    // Sent inside the transaction: if the mail cannot go out, no invitation is left behind.
    await sendInvitation(deps, db, auth, row, token);
    return row;
  });
}

export async function listInvitations(deps: AppDeps, auth: AuthContext, limit: number, cursor?: string) {
  const after = decodeCursor(cursor, ['timestamp', 'uuid']);
  const { rows } = await deps.database.pool.query<InvitationRow>(
    `select ${COLUMNS} from control.invitations
      where organization_id = $1 and accepted_at is null and revoked_at is null
        ${after ? 'and (created_at, id) < ($3::timestamptz, $4::uuid)' : ''}
      order by created_at desc, id desc limit $2`,
    after ? [auth.organizationId, limit + 1, after[0], after[1]] : [auth.organizationId, limit + 1],
  );
  return paginate(rows, limit, (r) => [r.created_at.toISOString(), r.id]);
}

/** An invitation of this organisation that is still open (pending or expired), for its admins. */
async function openInvitation(db: pg.PoolClient, auth: AuthContext, id: string): Promise<InvitationRow> {
  const { rows } = await db.query<InvitationRow>(
    `select ${COLUMNS} from control.invitations where id = $1 and organization_id = $2 for update`,
    [id, auth.organizationId],
  );
  const row = rows[0];
  if (!row) throw notFound('The invitation');
  if (row.accepted_at || row.revoked_at)
    throw conflict('invitation_not_pending', 'This invitation was already accepted or revoked.');
  // Revoking or resending someone else's grant is itself a grant decision.
  assertMayManage(auth, { ...roleAccess(row.role, row.site_ids), role: row.role });
  return row;
}

/** A new link (the old one stops working) and a fresh expiry, sent again. */
export async function resendInvitation(deps: AppDeps, auth: AuthContext, id: string) {
  return inControlTransaction(deps.database.pool, async (db) => {
    await openInvitation(db, auth, id);
    const token = randomSecret(32);
    const { rows } = await db.query<InvitationRow>(
      `update control.invitations
          set token_hash = $2, last_sent_at = now(), expires_at = now() + make_interval(days => $3)
        where id = $1 returning ${COLUMNS}`,
      [id, sha256(token), INVITATION_TTL_DAYS],
    );
    await sendInvitation(deps, db, auth, rows[0]!, token);
    return rows[0]!;
  });
}

export async function revokeInvitation(deps: AppDeps, auth: AuthContext, id: string) {
  await inControlTransaction(deps.database.pool, async (db) => {
    await openInvitation(db, auth, id);
    await db.query('update control.invitations set revoked_at = now() where id = $1', [id]);
  });
}

// ---- The invitee's side: everything below is reached with the e-mailed token alone.

interface TokenInvitation extends InvitationRow {
  organization_id: string;
  organization_name: string;
  organization_locale: string;
  inviter_name: string | null;
}

const gone = (code: string, detail: string) => new ProblemError(410, code, 'Gone', detail);

/** The invitation behind a token, refused unless it can still be accepted. */
async function invitationByToken(db: pg.Pool | pg.PoolClient, token: string, lock = false) {
  const { rows } = await db.query<TokenInvitation>(
    `select ${COLUMNS.split(', ')
      .map((c) => `i.${c}`)
      .join(', ')}, i.organization_id, o.name as organization_name, o.locale as organization_locale,
            nullif(coalesce(nullif(u.name, ''), u.email), '') as inviter_name
       from control.invitations i
       join control.organizations o on o.id = i.organization_id and o.status = 'active'
       left join control.users u on u.id = i.invited_by
      where i.token_hash = $1 ${lock ? 'for update of i' : ''}`,
    [sha256(token)],
  );
  const row = rows[0];
  if (!row)
    throw new ProblemError(404, 'invitation_not_found', 'Not found', 'This invitation link is not valid.');
  const status = statusOf(row);
  if (status === 'accepted') throw gone('invitation_used', 'This invitation was already accepted.');
  if (status === 'revoked') throw gone('invitation_revoked', 'This invitation was withdrawn.');
  if (status === 'expired')
    throw gone('invitation_expired', 'This invitation has expired; ask for a new one.');
  return row;
}

async function accountOf(db: pg.Pool | pg.PoolClient, email: string) {
  const { rows } = await db.query<{ id: string; password_hash: string }>(
    'select id, password_hash from control.users where lower(email) = lower($1)',
    [email],
  );
  return rows[0] ?? null;
}

/** What the accept page shows; `accountExists` is told only to whoever holds the token. */
export async function previewInvitation(deps: AppDeps, token: string) {
  const inv = await invitationByToken(deps.database.pool, token);
  return { invitation: inv, accountExists: (await accountOf(deps.database.pool, inv.email)) !== null };
}

export interface AcceptInput {
  token: string;
  /** A new account's password, or an existing account's own password. */
  password?: string;
  name?: string;
}

export async function acceptInvitation(
  deps: AppDeps,
  input: AcceptInput,
  caller: AuthContext | null,
  client: ClientContext,
) {
  const inv = await invitationByToken(deps.database.pool, input.token);
  const account = await accountOf(deps.database.pool, inv.email);
  let passwordHash: string | null = null;
  if (caller?.kind === 'user') {
    // Signed in already: the invitation must be for this very account.
    if (!account || account.id !== caller.userId)
      throw new ProblemError(
        403,
        'invitation_for_another_account',
        'Forbidden',
        'This invitation is for another e-mail address; sign out and open the link again.',
      );
  } else if (account) {
    if (!input.password)
      throw new ProblemError(
        401,
        'sign_in_required',
        'Unauthorized',
        'An account exists for this address: enter its password to accept.',
      );
    // Throttled like a login: a link must not become an unthrottled password oracle.
    const ok = await verifyPasswordThrottled(deps, client, {
      email: inv.email,
      password: input.password,
      account: { id: account.id, passwordHash: account.password_hash },
    });
    if (!ok)
      throw new ProblemError(
        401,
        'invalid_credentials',
        'Unauthorized',
        'The password is wrong.',
        undefined,
        {
          messageKey: 'invalid_credentials.password',
        },
      );
  } else {
    if (!input.password)
      throw unprocessable('password_required', 'Choose a password for your new account.', [
        { field: 'body:/password', message: 'required for a new account' },
      ]);
    await assertStrongPassword(
      input.password,
      passwordUserInputs(inv.email, input.name, inv.organization_name),
    );
    passwordHash = await hashPassword(input.password);
  }

  return inControlTransaction(deps.database.pool, async (db) => {
    // Re-read under a row lock: two accepts of one link cannot both succeed.
    const locked = await invitationByToken(db, input.token, true);
    let userId = account?.id;
    if (!userId) {
      const created = await db
        .query<{ id: string }>(
          'insert into control.users (email, name, password_hash, locale) values ($1, $2, $3, $4) returning id',
          [locked.email, input.name?.trim() ?? '', passwordHash, locked.organization_locale],
        )
        .catch((err: { code?: string }) => {
          if (err.code === '23505')
            throw conflict(
              'account_exists',
              'An account for this address was just created: sign in to accept.',
            );
          throw err;
        });
      userId = created.rows[0]!.id;
    }
    await db.query('update control.invitations set accepted_at = now(), accepted_by = $2 where id = $1', [
      locked.id,
      userId,
    ]);
    // Already a member (a second invitation): the existing membership stays as it is.
    await db.query(
      `insert into control.memberships (organization_id, user_id, role, site_ids) values ($1, $2, $3, $4)
       on conflict do nothing`,
      [locked.organization_id, userId, locked.role, locked.site_ids],
    );
    const tokens = await openSession(deps, db, userId, locked.organization_id, client.userAgent);
    return { organizationId: locked.organization_id, userId, tokens };
  });
}
