import { createHash } from 'node:crypto';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { QueryResult, QueryResultRow } from 'pg';
import type { Tx } from './pool.ts';

const dialect = new PgDialect();
const names = new Map<string, string>();

/** One name per statement text: PostgreSQL keeps a statement per connection under its name. */
function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `ms_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * tx.execute as a named prepared statement, for hot statements whose text never varies (a movement
 * POST's): each connection parses and plans it once and then reuses the plan (PostgreSQL plans
 * were half of their server time). The name is the hash of the text, so one name never means two
 * statements. PostgreSQL re-parses a prepared statement by itself when the search_path (the
 * tenant) or a table it reads changed, so it never runs against the wrong schema. Keep it to
 * statements of fixed text: every distinct text is kept on every connection.
 */
export async function executePrepared<T extends QueryResultRow>(tx: Tx, query: SQL): Promise<QueryResult<T>> {
  const q = dialect.sqlToQuery(query);
  const prepared = tx._.session.prepareQuery(q, undefined, nameOf(q.sql), false);
  return (await prepared.execute()) as QueryResult<T>;
}
