import type pg from 'pg';
import { ProblemError } from './problem.ts';

/**
 * An organisation asked to be erased (pnpm tenant delete) is closed during its grace period.
 * Credentials that would otherwise work are answered with this problem rather than a bare 401,
 * so people and integrations learn why and until when.
 */
export function organizationPendingDeletion(dueAt: Date): ProblemError {
  const at = dueAt.toISOString();
  return new ProblemError(
    403,
    'organization_pending_deletion',
    'Organisation scheduled for deletion',
    `This organisation has been asked to be deleted and will be erased from ${at}.`,
    undefined,
    { params: { dueAt: at } },
  );
}

/** Throws the problem when one of these organisations is waiting for its erasure. */
export async function refusePendingDeletion(db: pg.Pool, organizationIds: string[]): Promise<void> {
  if (organizationIds.length === 0) return;
  const { rows } = await db.query<{ deletion_due_at: Date }>(
    `select deletion_due_at from control.organizations
      where id = any($1::uuid[]) and status = 'pending_deletion' order by deletion_due_at limit 1`,
    [organizationIds],
  );
  if (rows[0]) throw organizationPendingDeletion(rows[0].deletion_due_at);
}
