import type pg from 'pg';

/** The session holding an advisory lock was lost (database restart): the lock is gone with it. */
export class LockLostError extends Error {
  constructor(key: string) {
    super(`the database session holding lock '${key}' was lost`);
    this.name = 'LockLostError';
  }
}

export interface HeldLock {
  /** Throws LockLostError when the lock's session has died, so the holder stops before its next step. */
  assertHeld(): void;
}

/**
 * Runs fn while holding a session advisory lock on a dedicated connection (one runner at a time
 * across workers; PostgreSQL releases it if this process dies). Returns `{ acquired: false }` when
 * another session holds it. The connection sits idle while fn works on other connections, so a
 * database restart (57P01) arrives on it as an 'error' event: that is caught here — it used to
 * kill the process — and fn learns about it through assertHeld() or its own failing queries.
 */
export async function withSessionLock<T>(
  pool: pg.Pool,
  key: string,
  fn: (lock: HeldLock) => Promise<T>,
): Promise<{ acquired: true; result: T } | { acquired: false }> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (err: Error) => {
    lost = err;
  };
  client.on('error', onError);
  try {
    const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1)) as ok', [
      key,
    ]);
    if (!rows[0]?.ok) return { acquired: false };
    try {
      const result = await fn({
        assertHeld: () => {
          if (lost) throw new LockLostError(key);
        },
      });
      return { acquired: true, result };
    } finally {
      if (!lost) await client.query('select pg_advisory_unlock(hashtext($1))', [key]).catch(onError);
    }
  } finally {
    client.removeListener('error', onError);
    // A broken connection is destroyed, not returned to the pool.
    client.release(lost);
  }
}
