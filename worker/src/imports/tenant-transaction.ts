import { type Database, runTenantTransaction, type Tx } from '@medstock/db';
import type pg from 'pg';

/**
 * Like withTenantDb (same cell routing and move lock), but also hands over the transaction's own
 * pg client: COPY FROM STDIN (pg-copy-streams) must run on the connection that holds the
 * transaction, which Drizzle does not expose.
 */
export async function withTenantTransaction<T>(
  database: Database,
  tenantId: string,
  fn: (tx: Tx, client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  // A COPY aborted half-way can leave the connection unusable: it is destroyed on any error.
  return runTenantTransaction(
    database.db,
    { organizationId: tenantId },
    (tx, client) => {
      if (!client) throw new Error('withTenantTransaction: needs a pooled connection');
      return fn(tx, client);
    },
    // fn streams a file once: it is not run again on a deadlock (the job retries instead).
    { destroyOnError: true, retry: false },
  );
}
