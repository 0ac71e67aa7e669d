import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { isDatabaseUnavailable } from './database-errors.ts';
import type { Db, Tx } from './pool.ts';

/**
 * db.transaction(fn), with the connection handled here. Drizzle's pool transaction sends BEGIN
 * before its try/finally, so a connection that breaks right then (a database restart) is never
 * released and the pool shrinks by one for good: after a few restarts a worker or an API waits for
 * connections that never come. Here the client is always released, and destroyed when it broke.
 */
export async function pooledTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const pool = (db as Db & { $client: pg.Pool | pg.ClientBase }).$client;
  // A Drizzle instance over one client (not the shared pool) has no connection to hand back.
  if (!('totalCount' in pool)) return db.transaction(fn);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    return await drizzle({ client }).transaction((tx) => fn(tx as unknown as Tx));
  } catch (err) {
    if (isDatabaseUnavailable(err)) broken = err as Error;
    throw err;
  } finally {
    client.release(broken);
  }
}
