import type pg from 'pg';
import type { AppDeps } from '../../deps.ts';
import { refusePendingDeletion } from '../../lib/organization-pending-deletion.ts';
import { ProblemError, unauthorized } from '../../lib/problem.ts';
import { randomSecret, sha256, signAccessToken } from '../../lib/tokens.ts';
import { type ClientContext, verifyPasswordThrottled } from './login-throttle.ts';

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  sessionId: string;
}

/** A new session in `organizationId` for `userId` (login, sign-up, an accepted invitation). */
export async function openSession(
  deps: AppDeps,
  db: pg.Pool | pg.PoolClient,
  userId: string,
  organizationId: string,
  userAgent: string | undefined,
): Promise<SessionTokens> {
  const refreshToken = randomSecret(32);
  const { rows } = await db.query<{ id: string }>(
    `insert into control.sessions (user_id, organization_id, refresh_token_hash, user_agent, expires_at)
     values ($1, $2, $3, $4, now() + make_interval(secs => $5)) returning id`,
    [
      userId,
      organizationId,
      sha256(refreshToken),
      userAgent?.slice(0, 300) ?? null,
      deps.config.REFRESH_TOKEN_TTL_SECONDS,
    ],
  );
  const sessionId = rows[0]!.id;
  const accessToken = await signAccessToken(deps.tokenKeys, {
    sub: userId,
    org: organizationId,
    sid: sessionId,
  });
  return { accessToken, refreshToken, expiresIn: deps.tokenKeys.ttlSeconds, sessionId };
}

export async function login(
  deps: AppDeps,
  input: { email: string; password: string; organizationId?: string },
  client: ClientContext,
) {
  const { rows } = await deps.database.pool.query<{ id: string; password_hash: string }>(
    'select id, password_hash from control.users where lower(email) = lower($1)',
    [input.email.trim()],
  );
  const user = rows[0];
  const ok = await verifyPasswordThrottled(deps, client, {
    email: input.email,
    password: input.password,
    account: user ? { id: user.id, passwordHash: user.password_hash } : null,
  });
  if (!user || !ok)
    throw new ProblemError(
      401,
      'invalid_credentials',
      'Unauthorized',
      'Email or password is wrong.',
      undefined,
      {
        messageKey: 'invalid_credentials.login',
      },
    );
  const memberships = await deps.database.pool.query<{ organization_id: string; name: string; role: string }>(
    `select m.organization_id, o.name, m.role from control.memberships m
       join control.organizations o on o.id = m.organization_id and o.status = 'active'
      where m.user_id = $1 order by m.created_at, m.organization_id`,
    [user.id],
  );
  const chosen = input.organizationId
    ? memberships.rows.find((m) => m.organization_id === input.organizationId)
    : memberships.rows[0];
  if (!chosen) {
    const all = await deps.database.pool.query<{ organization_id: string }>(
      'select organization_id from control.memberships where user_id = $1',
      [user.id],
    );
    const asked = input.organizationId ? [input.organizationId] : all.rows.map((r) => r.organization_id);
    await refusePendingDeletion(
      deps.database.pool,
      asked.filter((id) => all.rows.some((r) => r.organization_id === id)),
    );
  }
  if (!chosen)
    throw new ProblemError(
      403,
      'no_membership',
      'Forbidden',
      'This account belongs to no such active organisation.',
    );
  const tokens = await openSession(
    deps,
    deps.database.pool,
    user.id,
    chosen.organization_id,
    client.userAgent,
  );
  return {
    userId: user.id,
    organizationId: chosen.organization_id,
    organizations: memberships.rows.map((m) => ({ id: m.organization_id, name: m.name, role: m.role })),
    tokens,
  };
}

/**
 * Rotates the refresh token. Presenting an already-rotated token means it was copied: the whole
 * session is revoked so the thief and the owner both have to log in again — unless the rotation
 * happened less than REFRESH_REUSE_GRACE_SECONDS ago. Two tabs refreshing at once, or a page
 * reloaded while its refresh was in flight (its new cookie never stored), present the previous
 * token within a second; they get a fresh rotation instead of being logged out.
 */
export async function refresh(deps: AppDeps, refreshToken: string) {
  const hash = sha256(refreshToken);
  const pool = deps.database.pool;
  const next = randomSecret(32);
  const raced = await pool.query<{ id: string; user_id: string; organization_id: string }>(
    `update control.sessions set refresh_token_hash = $2, last_refreshed_at = now()
      where previous_refresh_token_hash = $1 and revoked_at is null and expires_at > now()
        and last_refreshed_at > now() - make_interval(secs => $3)
      returning id, user_id, organization_id`,
    [hash, sha256(next), deps.config.REFRESH_REUSE_GRACE_SECONDS],
  );
  if (raced.rows[0]) return refreshed(deps, raced.rows[0], next);
  const reused = await pool.query(
    `update control.sessions set revoked_at = coalesce(revoked_at, now())
      where previous_refresh_token_hash = $1 returning id`,
    [hash],
  );
  if (reused.rowCount)
    throw new ProblemError(
      401,
      'refresh_token_reused',
      'Unauthorized',
      'This refresh token was already used; log in again.',
    );
  const { rows } = await pool.query<{ id: string; user_id: string; organization_id: string }>(
    `update control.sessions
        set previous_refresh_token_hash = refresh_token_hash, refresh_token_hash = $2, last_refreshed_at = now()
      where refresh_token_hash = $1 and revoked_at is null and expires_at > now()
      returning id, user_id, organization_id`,
    [hash, sha256(next)],
  );
  const s = rows[0];
  if (!s) throw unauthorized('The refresh token is invalid, expired or revoked.', 'refresh_token');
  return refreshed(deps, s, next);
}

async function refreshed(
  deps: AppDeps,
  s: { id: string; user_id: string; organization_id: string },
  next: string,
) {
  const accessToken = await signAccessToken(deps.tokenKeys, {
    sub: s.user_id,
    org: s.organization_id,
    sid: s.id,
  });
  return {
    userId: s.user_id,
    organizationId: s.organization_id,
    tokens: { accessToken, refreshToken: next, expiresIn: deps.tokenKeys.ttlSeconds, sessionId: s.id },
  };
}

export async function revokeSession(deps: AppDeps, userId: string, sessionId: string): Promise<boolean> {
  const r = await deps.database.pool.query(
    'update control.sessions set revoked_at = now() where id = $1 and user_id = $2 and revoked_at is null',
    [sessionId, userId],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function listSessions(deps: AppDeps, userId: string, organizationId: string) {
  const { rows } = await deps.database.pool.query<{
    id: string;
    user_agent: string | null;
    created_at: Date;
    last_refreshed_at: Date;
    expires_at: Date;
  }>(
    `select id, user_agent, created_at, last_refreshed_at, expires_at from control.sessions
      where user_id = $1 and organization_id = $2 and revoked_at is null and expires_at > now()
      order by created_at desc limit 100`,
    [userId, organizationId],
  );
  return rows;
}
