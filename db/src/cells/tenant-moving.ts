import { databaseErrorCode } from '../database-errors.ts';

/** Seconds a refused caller is told to wait (Retry-After): a small clinic copies in seconds. */
export const TENANT_MOVING_RETRY_AFTER_SECONDS = 5;

/** The organisation is being moved to another cell: its writes are refused until the switch. */
export class TenantMovingError extends Error {
  readonly code = 'tenant_moving';
  readonly retryAfterSeconds = TENANT_MOVING_RETRY_AFTER_SECONDS;
  constructor(readonly organizationId: string) {
    super(`organisation ${organizationId} is being moved to another database cell; try again shortly`);
  }
}

export function isTenantMoving(err: unknown): err is TenantMovingError {
  return err instanceof TenantMovingError;
}

/**
 * The key of an organisation's move lock, as SQL evaluated on its cell. Every tenant transaction
 * takes it shared; the mover takes it exclusively, so it waits for writes in flight and then
 * holds off new ones. hashtextextended gives 64 bits: another organisation sharing the key (and so
 * pausing with it) is a 1-in-2^64 event.
 */
export function moveLockKeySql(schema: string): string {
  return `hashtextextended('${schema}', 4242)`;
}

/**
 * The key of the mover's own lock, as SQL evaluated on the control database: held by a live
 * mover for the whole move, from before its `copying` row exists until it ends (a session lock, so
 * a mover that dies lets go). Whoever settles a half-done move (recoverMove) must get it first;
 * the move lock alone is free for a moment while a mover is still starting.
 */
export function moverLockKeySql(schema: string): string {
  return `hashtextextended('${schema}', 4243)`;
}

/** A write refused because the transaction was opened read-only for a move (SQLSTATE 25006). */
export function isReadOnlyRefusal(err: unknown): boolean {
  return databaseErrorCode(err) === '25006';
}
