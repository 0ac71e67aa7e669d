import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { migrationFiles } from '../migrate/migration-files.ts';
import { copyableColumns, schemaSequences } from '../tenant-lifecycle/schema-catalogue.ts';
import { ident } from './schema-checksums.ts';

/** The ordinary tables of a schema (partitions are copied through their parents). */
export async function schemaTables(client: pg.ClientBase, schema: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind in ('r', 'p') and not c.relispartition order by c.relname`,
    [schema],
  );
  return rows.map((r) => r.name);
}

/**
 * Copies one tenant schema between clusters into `into` on the target, in one target
 * transaction: the tables are made by the same tenant migrations (the source must have exactly
 * those applied), then every row streams across with COPY in binary, and the sequences follow.
 * Triggers and foreign-key checks are off for the copy (session_replication_role = replica,
 * superuser or GRANT SET ON PARAMETER): the rows are already the result of those triggers.
 * The source must not change meanwhile (the caller holds the organisation's move lock).
 */
export async function copySchema(source: pg.ClientBase, target: pg.ClientBase, from: string, into: string) {
  const files = migrationFiles('tenant');
  const { rows: applied } = await source.query<{ name: string }>(
    `select name from ${ident(from)}.schema_migrations order by name`,
  );
  const expected = files.map((f) => f.name).sort();
  if (applied.map((r) => r.name).join() !== expected.join())
    throw new Error(`${from} is not at the current tenant migrations (run pnpm migrate first)`);

  await target.query('begin');
  try {
    await target.query(`drop schema if exists ${ident(into)} cascade`);
    await target.query(`create schema ${ident(into)}`);
    await target.query(`select set_config('search_path', $1, true)`, [into]);
    await target.query(
      'create table schema_migrations (name text primary key, applied_at timestamptz not null default now())',
    );
    for (const f of files) await target.query(f.sql);
    await target.query(`set local session_replication_role = replica`);
    const tables = await schemaTables(source, from);
    // Whatever the migrations seeded is replaced by the source's rows.
    await target.query(`truncate ${tables.map((t) => `${ident(into)}.${ident(t)}`).join(', ')}`);
    for (const table of tables) {
      const cols = (await copyableColumns(source, from, table)).map(ident).join(', ');
      await pipeline(
        source.query(copyTo(`copy ${ident(from)}.${ident(table)} (${cols}) to stdout (format binary)`)),
        target.query(copyFrom(`copy ${ident(into)}.${ident(table)} (${cols}) from stdin (format binary)`)),
      );
    }
    for (const seq of await schemaSequences(source, from)) {
      const { rows } = await source.query<{ last_value: string; is_called: boolean }>(
        `select last_value::text, is_called from ${ident(from)}.${ident(seq)}`,
      );
      await target.query('select setval($1::regclass, $2::int8, $3)', [
        `${ident(into)}.${ident(seq)}`,
        rows[0]!.last_value,
        rows[0]!.is_called,
      ]);
    }
    await target.query('commit');
    return tables;
  } catch (err) {
    await target.query('rollback');
    throw err;
  }
}
