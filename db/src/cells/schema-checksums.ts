import type pg from 'pg';

export interface TableChecksum {
  rows: number;
  /** Sum of a 60-bit hash of every row's text: independent of row order, moved by any change. */
  checksum: string;
}

/**
 * Row count and checksum of every table of a schema, by table name. The session settings that
 * shape a row's text (time zone, date style, float digits) are fixed first, so two clusters
 * render the same row the same way.
 */
export async function schemaChecksums(
  client: pg.ClientBase,
  schema: string,
  tables: readonly string[],
): Promise<Record<string, TableChecksum>> {
  // Transaction-local (set local), so a pooled connection goes back with its own settings; one
  // snapshot for every table.
  await client.query(`begin isolation level repeatable read read only;
    set local timezone = 'UTC'; set local datestyle = 'ISO, YMD'; set local extra_float_digits = 1;
    set local intervalstyle = 'postgres'; set local bytea_output = 'hex'`);
  try {
    const out: Record<string, TableChecksum> = {};
    for (const table of tables) {
      const { rows } = await client.query<{ rows: number; checksum: string }>(
        `select count(*)::int8 as rows,
                coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::int8::numeric), 0)::text as checksum
           from ${ident(schema)}.${ident(table)} t`,
      );
      out[table] = rows[0]!;
    }
    return out;
  } finally {
    await client.query('commit');
  }
}

/** Tables whose count or checksum differ between the two sides (empty: the copy is exact). */
export function checksumMismatches(
  source: Record<string, TableChecksum>,
  target: Record<string, TableChecksum>,
): string[] {
  const names = new Set([...Object.keys(source), ...Object.keys(target)]);
  return [...names].filter(
    (t) => source[t]?.rows !== target[t]?.rows || source[t]?.checksum !== target[t]?.checksum,
  );
}

export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
