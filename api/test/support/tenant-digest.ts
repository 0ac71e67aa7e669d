import type pg from 'pg';

/**
 * Every table of a tenant schema as `rows:md5` of its rows in a fixed order: two schemas with
 * equal digests hold the same data (schema_migrations left out: its timestamps are per schema).
 */
export async function tenantDigest(pool: pg.Pool, schema: string): Promise<Record<string, string>> {
  const { rows } = await pool.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind = 'r' and c.relname <> 'schema_migrations' order by 1`,
    [schema],
  );
  const digest: Record<string, string> = {};
  for (const { name } of rows) {
    const r = await pool.query(
      `select count(*)::int as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from "${schema}"."${name}" x`,
    );
    digest[name] = `${r.rows[0].n}:${r.rows[0].h}`;
  }
  return digest;
}
