import type pg from 'pg';

/** Every table the lifecycle copies is read from PostgreSQL's catalogue, never listed by hand. */

/** Columns a COPY can write (generated columns are computed by PostgreSQL), in table order. */
export async function copyableColumns(
  client: pg.ClientBase,
  schema: string,
  table: string,
): Promise<string[]> {
  const { rows } = await client.query<{ attname: string }>(
    `select a.attname from pg_attribute a
      where a.attrelid = format('%I.%I', $1::text, $2::text)::regclass
        and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
      order by a.attnum`,
    [schema, table],
  );
  return rows.map((r) => r.attname);
}

/**
 * The ordinary tables of a schema, each after the tables its foreign keys point to (a table that
 * points to itself is fine: COPY checks the keys at the end of the statement). `except` leaves out
 * bookkeeping tables such as schema_migrations.
 */
export async function tablesInForeignKeyOrder(
  client: pg.ClientBase,
  schema: string,
  except: string[] = [],
): Promise<string[]> {
  const { rows: tables } = await client.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind in ('r', 'p') and not c.relispartition order by c.relname`,
    [schema],
  );
  const { rows: edges } = await client.query<{ child: string; parent: string }>(
    `select c.relname as child, p.relname as parent
       from pg_constraint k
       join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_class p on p.oid = k.confrelid
      where k.contype = 'f' and n.nspname = $1 and p.relnamespace = c.relnamespace and c.oid <> p.oid`,
    [schema],
  );
  const names = tables.map((t) => t.name).filter((t) => !except.includes(t));
  const parents = new Map(names.map((t) => [t, new Set<string>()]));
  for (const e of edges) parents.get(e.child)?.add(e.parent);
  const ordered: string[] = [];
  const placed = new Set<string>();
  // Kahn's algorithm, alphabetical among the ready ones so the order is the same on every export.
  while (ordered.length < names.length) {
    const ready = names.filter(
      (t) => !placed.has(t) && [...parents.get(t)!].every((p) => placed.has(p) || !parents.has(p)),
    );
    if (ready.length === 0) {
      const left = names.filter((t) => !placed.has(t));
      throw new Error(`tables in a foreign-key cycle cannot be ordered for restore: ${left.join(', ')}`);
    }
    for (const t of ready) {
      ordered.push(t);
      placed.add(t);
    }
  }
  return ordered;
}

/** The schema's sequences (its own and those behind identity and serial columns). */
export async function schemaSequences(client: pg.ClientBase, schema: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind = 'S' order by c.relname`,
    [schema],
  );
  return rows.map((r) => r.name);
}
