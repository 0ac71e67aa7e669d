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
export interface PooledTransactionOptions {
  /** Checks the opening statement's first row before fn runs; throwing rolls the transaction back. */
  onOpened?: (row: Record<string, unknown> | undefined) => void;
  /** Destroy the connection on any error (a COPY aborted half-way can leave it unusable). */
  destroyOnError?: boolean;
}

export async function pooledTransaction<T>(
  db: Db,
  fn: (tx: Tx, client?: pg.PoolClient) => Promise<T>,
  opening?: string,
  opts: PooledTransactionOptions = {},
): Promise<T> {
  const pool = (db as Db & { $client: pg.Pool | pg.ClientBase }).$client;
  // A Drizzle instance over one client (not the shared pool) has no connection to hand back.
  if (!('totalCount' in pool))
    return db.transaction(async (tx) => {
      if (opening) {
        const opened = await tx.execute(sql.raw(opening));
        opts.onOpened?.(opened.rows[0]);
      }
      return fn(tx);
    });
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    if (opening) return await openedTransaction(client, opening, fn, opts.onOpened);
    return await drizzle({ client }).transaction((tx) => fn(tx as unknown as Tx, client));
  } catch (err) {
    if (isDatabaseUnavailable(err) || opts.destroyOnError) broken = err as Error;
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
async function openedTransaction<T>(
  client: pg.PoolClient,
  opening: string,
  fn: (tx: Tx, client: pg.PoolClient) => Promise<T>,
  onOpened: PooledTransactionOptions['onOpened'],
) {
  const tx = new NodePgTransaction(dialect, drizzle({ client })._.session, undefined) as unknown as Tx;
  // A multi-statement simple query answers with one result per statement: [begin, opening].
  const opened = (await client.query(`begin; ${opening}`)) as unknown as pg.QueryResult[];
  try {
    onOpened?.(opened[1]?.rows[0]);
    const result = await fn(tx, client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback');
    throw err;
  }
}
