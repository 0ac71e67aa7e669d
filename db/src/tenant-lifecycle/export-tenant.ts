import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import tar from 'tar-stream';
import type { Database } from '../pool.ts';
import { isUuid, tenantSchema } from '../tenant-schema.ts';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  type ArchivedTable,
  ArchiveError,
  type ArchiveManifest,
  CountingHash,
  ident,
  MANIFEST_ENTRY,
} from './archive-format.ts';
import { CONTROL_TABLES, controlWhere, NO_PASSWORD } from './control-rows.ts';
import { copyableColumns, schemaSequences, tablesInForeignKeyOrder } from './schema-catalogue.ts';
import { connectBoth, tenantPoolFor } from './tenant-pool.ts';

export interface ExportOptions {
  /** Keep users' password hashes (scrypt) in the archive; by default they are left out. */
  includePasswordHashes?: boolean;
}

/**
 * Writes one organisation to `outFile` (see archive-format.ts). Tables stream from COPY to a
 * temporary folder (memory stays flat however large the tenant is), each counted and hashed on
 * the way, then the manifest and the tables are packed into the archive, which appears at
 * `outFile` only when complete. The tenant schema and the control rows are read in one
 * repeatable-read snapshot (one per database once schemas live on other cells).
 */
export async function exportTenant(
  control: Database,
  organizationId: string,
  outFile: string,
  opts: ExportOptions = {},
): Promise<ArchiveManifest> {
  if (!isUuid(organizationId)) throw new ArchiveError(`not an organisation id: ${organizationId}`);
  const schema = tenantSchema(organizationId);
  const work = await mkdtemp(join(tmpdir(), 'medstock-export-'));
  try {
    const { pool } = await tenantPoolFor(control, organizationId);
    const clients = await connectBoth(control.pool, pool);
    let manifest: ArchiveManifest;
    try {
      for (const c of new Set([clients.control, clients.tenant]))
        await c.query('begin isolation level repeatable read read only');
      manifest = await snapshot(clients.control, clients.tenant, organizationId, schema, work, opts);
      for (const c of new Set([clients.control, clients.tenant])) await c.query('commit');
    } catch (err) {
      for (const c of new Set([clients.control, clients.tenant])) await c.query('rollback').catch(() => {});
      throw err;
    } finally {
      clients.release();
    }
    const partial = `${outFile}.partial`;
    await packArchive(manifest, work, partial);
    await rename(partial, outFile);
    return manifest;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function snapshot(
  control: pg.PoolClient,
  tenant: pg.PoolClient,
  organizationId: string,
  schema: string,
  work: string,
  opts: ExportOptions,
): Promise<ArchiveManifest> {
  const org = await control.query('select 1 from control.organizations where id = $1', [organizationId]);
  if (org.rowCount === 0) throw new ArchiveError(`no organisation ${organizationId}`);
  const hasSchema = await tenant.query('select 1 from pg_namespace where nspname = $1', [schema]);
  if (hasSchema.rowCount === 0) throw new ArchiveError(`organisation ${organizationId} has no tenant schema`);

  const names = async (c: pg.PoolClient, table: string) =>
    (await c.query<{ name: string }>(`select name from ${table} order by name`)).rows.map((r) => r.name);

  const tenantTables: ArchivedTable[] = [];
  const tables = await tablesInForeignKeyOrder(tenant, schema, ['schema_migrations']);
  for (const [i, name] of tables.entries()) {
    const columns = await copyableColumns(tenant, schema, name);
    const entry = `tenant/${String(i + 1).padStart(3, '0')}_${name}.copy`;
    const source = `${ident(schema)}.${ident(name)} (${columns.map(ident).join(', ')})`;
    tenantTables.push({
      name,
      entry,
      columns,
      ...(await copyOut(tenant, source, join(work, entry.replace('/', '_')))),
    });
  }

  const sequences: ArchiveManifest['sequences'] = [];
  for (const name of await schemaSequences(tenant, schema)) {
    const { rows } = await tenant.query<{ last_value: string; is_called: boolean }>(
      `select last_value::text, is_called from ${ident(schema)}.${ident(name)}`,
    );
    sequences.push({ name, lastValue: rows[0]!.last_value, isCalled: rows[0]!.is_called });
  }

  const controlTables: ArchivedTable[] = [];
  for (const table of CONTROL_TABLES) {
    const columns = await copyableColumns(control, 'control', table.name);
    const select = columns.map((c) =>
      table.name === 'users' && c === 'password_hash' && !opts.includePasswordHashes
        ? `'${NO_PASSWORD}' as password_hash`
        : ident(c),
    );
    const entry = `control/${table.name}.copy`;
    const source = `(select ${select.join(', ')} from control.${ident(table.name)} where ${controlWhere(table, organizationId)})`;
    controlTables.push({
      name: table.name,
      entry,
      columns,
      ...(await copyOut(control, source, join(work, entry.replace('/', '_')))),
    });
  }

  return {
    format: ARCHIVE_FORMAT,
    version: ARCHIVE_VERSION,
    createdAt: new Date().toISOString(),
    organizationId,
    tenantMigrations: await names(tenant, `${ident(schema)}.schema_migrations`),
    controlMigrations: await names(control, 'control.schema_migrations'),
    passwordHashes: Boolean(opts.includePasswordHashes),
    tenantTables,
    controlTables,
    sequences,
  };
}

async function copyOut(
  client: pg.PoolClient,
  source: string,
  file: string,
): Promise<{ rows: number; sha256: string }> {
  const counter = new CountingHash();
  await pipeline(client.query(copyTo(`copy ${source} to stdout`)), counter, createWriteStream(file));
  return { rows: counter.rows, sha256: counter.digest() };
}

async function packArchive(manifest: ArchiveManifest, work: string, outFile: string): Promise<void> {
  const pack = tar.pack();
  const written = pipeline(pack, createGzip(), createWriteStream(outFile));
  const manifestFile = join(work, MANIFEST_ENTRY);
  await writeFile(manifestFile, JSON.stringify(manifest, null, 2));
  const entries = [
    { name: MANIFEST_ENTRY, file: manifestFile },
    ...[...manifest.tenantTables, ...manifest.controlTables].map((t) => ({
      name: t.entry,
      file: join(work, t.entry.replace('/', '_')),
    })),
  ];
  try {
    for (const e of entries) {
      const { size } = await stat(e.file);
      await new Promise<void>((resolve, reject) => {
        const sink = pack.entry({ name: e.name, size, mode: 0o600 }, (err) =>
          err ? reject(err) : resolve(),
        );
        createReadStream(e.file).on('error', reject).pipe(sink);
      });
    }
    pack.finalize();
    await written;
  } catch (err) {
    pack.destroy(err as Error);
    await written.catch(() => {});
    await rm(outFile, { force: true });
    throw err;
  }
}
