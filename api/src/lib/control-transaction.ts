import { markIdempotentCommitOnClient, retryTransaction } from '@medstock/db';
import type pg from 'pg';

/**
 * One transaction on the control plane (memberships, invitations, keys, sessions, audit rows).
 * A deadlock or serialisation failure rolls everything back and fn runs again (retryTransaction).
 */
export function inControlTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>) {
  return retryTransaction(() => attempt(pool, fn));
}

async function attempt<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>) {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await fn(client);
    // The request's Idempotency-Key is marked committed with the change (see withTenantDb).
    await markIdempotentCommitOnClient(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
