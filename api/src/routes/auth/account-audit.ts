import type { FastifyRequest } from 'fastify';
import type { AppDeps } from '../../deps.ts';

/**
 * An audit entry about an account (locked after failed logins, password reset) in every
 * organisation it belongs to: each organisation's admins see what happened to their member,
 * though the request itself named no organisation. actor_id is the account concerned: the
 * throttle ('system') locked it, or its owner ('user', proven by the mailbox) reset it.
 */
export async function auditAccountEvent(
  deps: AppDeps,
  request: FastifyRequest,
  userId: string,
  action: 'auth.account_locked' | 'auth.password_reset',
  statusCode: number,
): Promise<void> {
  await deps.database.pool.query(
    `insert into control.audit_log (organization_id, actor_type, actor_id, action, method, path, status_code, request_id, ip)
     select m.organization_id, $8, $1, $2, $3, $4, $5, $6, $7
       from control.memberships m where m.user_id = $1`,
    [
      userId,
      action,
      request.method,
      request.url.split('?')[0],
      statusCode,
      String(request.id),
      request.ip,
      action === 'auth.account_locked' ? 'system' : 'user',
    ],
  );
}
