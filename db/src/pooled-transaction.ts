import { sql } from 'drizzle-orm';
import { drizzle, NodePgTransaction } from 'drizzle-orm/node-postgres';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { isDatabaseUnavailable } from './database-errors.ts';
import type { Db, Tx } from './pool.ts';

/**
 * db.transaction(fn), with the connection handled here. Drizzle's pool transaction sends BEGIN
 * before its try/finally, so a connection that breaks right then (a database restart) is never
 * released and the pool shrinks by one for good: after a few restarts a worker or an API waits for
 * connections that never come. Here the client is always released, and destroyed when it broke.
 *
 * `opening` (SQL without parameters, e.g. binding the tenant's search_path) runs first in the
 * transaction, sent together with BEGIN in one round trip.
 */
export async function pooledTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>, opening?: string): Promise<T> {
  const pool = (db as Db & { $client: pg.Pool | pg.ClientBase }).$client;
  // A Drizzle instance over one client (not the shared pool) has no connection to hand back.
  if (!('totalCount' in pool))
    return db.transaction(async (tx) => {
      if (opening) await tx.execute(sql.raw(opening));
      return fn(tx);
    });
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    if (opening) return await openedTransaction(client, opening, fn);
    return await drizzle({ client }).transaction((tx) => fn(tx as unknown as Tx));
  } catch (err) {
    if (isDatabaseUnavailable(err)) broken = err as Error;
    throw err;
  } finally {
    client.release(broken);
  }
}

const dialect = new PgDialect();

/**
 * Drizzle's transaction (begin, fn, commit; rollback on any error) with BEGIN and the opening
 * statement sent as one simple-protocol query instead of two round trips.
 */
async function openedTransaction<T>(client: pg.PoolClient, opening: string, fn: (tx: Tx) => Promise<T>) {
  const tx = new NodePgTransaction(dialect, drizzle({ client })._.session, undefined) as unknown as Tx;
  await client.query(`begin; ${opening}`);
  try {
    const result = await fn(tx);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback');
    throw err;
  }
}
