import { type Database, type Tx, tenantSchema } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';

/**
 * Like withTenantDb, but also hands over the transaction's own pg client: COPY FROM STDIN
 * (pg-copy-streams) must run on the connection that holds the transaction, which Drizzle does
 * not expose. Drizzle over a single client runs its transaction on that client.
 */
export async function withTenantTransaction<T>(
  database: Database,
  tenantId: string,
  fn: (tx: Tx, client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const schema = tenantSchema(tenantId);
  const client = await database.pool.connect();
  let broken = false;
  try {
    return await drizzle({ client }).transaction(async (tx) => {
      await tx.execute(sql`select set_config('search_path', ${schema}, true)`);
      return fn(tx as unknown as Tx, client);
    });
  } catch (err) {
    // A COPY aborted half-way can leave the connection unusable: do not return it to the pool.
    broken = true;
    throw err;
  } finally {
    client.release(broken);
  }
}
