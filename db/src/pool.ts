import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { NO_TENANT_SCHEMA } from './tenant-schema.ts';

// bigint (int8) and numeric come back as strings by default; counts and quantities fit in a JS
// number (< 2^53), so parse int8 as number. numeric stays a string where money precision matters.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export type Db = NodePgDatabase<Record<string, never>>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface Database {
  pool: pg.Pool;
  db: Db;
  close(): Promise<void>;
}

export const CONNECTION_TIMEOUT_MS = 5_000;

/** One shared pool for every tenant. The tenant schema is bound per transaction, never per pool. */
export function createDatabase(url: string, max = 10): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // A request waits at most this long for a connection (PostgreSQL unreachable, or every
    // connection busy), then fails and the API answers 503 instead of hanging.
    connectionTimeoutMillis: CONNECTION_TIMEOUT_MS,
    // Outside withTenantDb no tenant schema is visible: an unqualified tenant table errors out.
    options: `-c search_path=${NO_TENANT_SCHEMA}`,
  });
  // An idle client losing its connection must not crash the process.
  pool.on('error', () => {});
  // Nor one that is checked out: a database restart (57P01) is emitted as an 'error' event on
  // every connection, and pg-pool listens only while a client is idle. The query in flight
  // still fails, and pg-pool discards the broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzle({ client: pool });
  return { pool, db, close: () => pool.end() };
}
