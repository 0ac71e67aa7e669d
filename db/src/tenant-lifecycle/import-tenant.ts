import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import tar from 'tar-stream';
import { migrationFiles } from '../migrate/migration-files.ts';
import { applyTenantMigrations, MIGRATION_LOCK_KEY } from '../migrate/migrator.ts';
import type { Database } from '../pool.ts';
import { NO_TENANT_SCHEMA, tenantSchema } from '../tenant-schema.ts';
import {
  type ArchivedTable,
  ArchiveError,
  type ArchiveManifest,
  CountingHash,
  ident,
  MANIFEST_ENTRY,
  parseManifest,
} from './archive-format.ts';
import { CONTROL_TABLES, type ControlTable } from './control-rows.ts';
import { copyableColumns } from './schema-catalogue.ts';
import { connectBoth, tenantPoolFor } from './tenant-pool.ts';

export interface ImportOptions {
  /**
   * Restore beside the original: a new organisation id and schema; users are linked by e-mail
   * address; API keys, invitations and Stripe links stay with the original.
   */
  asNew?: boolean;
  /** The database cell to place the schema on (default: where new organisations go). */
  cell?: string;
}

export interface ImportResult {
  organizationId: string;
  schema: string;
  /** Tenant migrations applied after the archive's rows, to bring it to the current level. */
  migratedAfterRestore: string[];
  rows: number;
  usersLinked: number;
  usersCreated: number;
}

/**
 * Restores an archive made by exportTenant, checking every table's row count and checksum as it
 * streams in. Everything happens in one transaction (one per database once schemas live on other
 * cells): a damaged archive, a refused organisation or any failure leaves nothing behind.
 *
 * The schema is first migrated to the archive's own level, filled, then migrated to the current
 * level, so an older archive's rows go through the same upgrades a live tenant's did.
 */
export async function importTenant(
  control: Database,
  archiveFile: string,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const extract = tar.extract();
  const reading = pipeline(createReadStream(archiveFile), createGunzip(), extract);
  // A damaged gzip or tar surfaces through the iterator below; this keeps it from going unhandled.
  reading.catch(() => {});
  const entries = extract[Symbol.asyncIterator]();
  try {
    const first = await entries.next();
    if (first.done || first.value.header.name !== MANIFEST_ENTRY)
      throw new ArchiveError('not a medstock tenant archive (no manifest first)');
    const manifest = parseManifest(await text(bytesOf(first.value)));
    const restoreFiles = filesAtLevel(manifest);
    const organizationId = opts.asNew ? randomUUID() : manifest.organizationId;
    if (!opts.asNew) await refuseExisting(control.pool, organizationId);

    const placed = await tenantPoolFor(control, organizationId, { cell: opts.cell });
    const clients = await connectBoth(control.pool, placed.pool);
    const both = [...new Set([clients.control, clients.tenant])];
    let schemaCommitted = false;
    try {
      for (const c of both) await c.query('begin');
      // Not beside a `pnpm migrate` run (which holds this lock): the schema is migrated here.
      await clients.control.query('select pg_advisory_xact_lock_shared($1)', [MIGRATION_LOCK_KEY]);
      const schema = tenantSchema(organizationId);
      const tables = await prepareSchema(clients.tenant, organizationId, restoreFiles);
      await prepareControlStaging(clients.control);

      let rows = 0;
      const seen = new Set<string>();
      for (;;) {
        const next = await entries.next();
        if (next.done) break;
        const entry = next.value;
        const name = entry.header.name;
        const tenantTable = manifest.tenantTables.find((t) => t.entry === name);
        const controlTable = manifest.controlTables.find((t) => t.entry === name);
        if (!tenantTable && !controlTable) throw new ArchiveError(`unexpected entry in the archive: ${name}`);
        if (tenantTable && !tables.includes(tenantTable.name))
          throw new ArchiveError(`the archive's table ${tenantTable.name} is not in the schema at its level`);
        const archived = (tenantTable ?? controlTable)!;
        const target = tenantTable
          ? `${ident(schema)}.${ident(archived.name)}`
          : `pg_temp.${staging(archived.name)}`;
        await copyIn(tenantTable ? clients.tenant : clients.control, target, archived, bytesOf(entry));
        seen.add(name);
        rows += archived.rows;
      }
      const missing = [...manifest.tenantTables, ...manifest.controlTables].filter((t) => !seen.has(t.entry));
      if (missing.length > 0)
        throw new ArchiveError(
          `the archive is incomplete: ${missing.map((t) => t.entry).join(', ')} missing`,
        );

      for (const s of manifest.sequences)
        await clients.tenant.query(`select setval($1::regclass, $2::bigint, $3)`, [
          `${ident(schema)}.${ident(s.name)}`,
          s.lastValue,
          s.isCalled,
        ]);
      for (const t of tables)
        await clients.tenant.query(`alter table ${ident(schema)}.${ident(t)} enable trigger user`);
      const migratedAfterRestore = await applyTenantMigrations(clients.tenant, organizationId);
      await clients.tenant.query(`select set_config('search_path', $1, true)`, [NO_TENANT_SCHEMA]);

      const users = await restoreControlRows(clients.control, manifest, {
        organizationId,
        cell: placed.cell,
        asNew: Boolean(opts.asNew),
      });
      if (!clients.shared) {
        await clients.tenant.query('commit');
        schemaCommitted = true;
      }
      await clients.control.query('commit');
      return { organizationId, schema, migratedAfterRestore, rows, ...users };
    } catch (err) {
      for (const c of both) await c.query('rollback').catch(() => {});
      if (schemaCommitted)
        await clients.tenant
          .query(`drop schema if exists ${ident(tenantSchema(organizationId))} cascade`)
          .catch(() => {});
      throw err;
    } finally {
      clients.release();
    }
  } finally {
    extract.destroy();
    await reading.catch(() => {});
  }
}

// tar-stream's entries are streamx readables: async-iterable chunks of bytes.
const bytesOf = (entry: unknown) => entry as AsyncIterable<Buffer>;

async function text(entry: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of entry) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/** The tenant migrations the archive was made at; refused when this version does not know one. */
function filesAtLevel(manifest: ArchiveManifest) {
  const known = migrationFiles('tenant');
  const unknown = manifest.tenantMigrations.filter((n) => !known.some((f) => f.name === n));
  if (unknown.length > 0)
    throw new ArchiveError(
      `the archive comes from a newer medstock (tenant migrations ${unknown.join(', ')} are unknown here): upgrade first`,
    );
  return known.filter((f) => manifest.tenantMigrations.includes(f.name));
}

async function refuseExisting(controlPool: pg.Pool, organizationId: string): Promise<void> {
  const { rows } = await controlPool.query<{ status: string }>(
    'select status from control.organizations where id = $1',
    [organizationId],
  );
  if (rows[0])
    throw new ArchiveError(
      `organisation ${organizationId} still exists (status ${rows[0].status}): erase it first (pnpm tenant delete) or import a copy beside it with --as-new`,
    );
}

/**
 * A new schema at the archive's level, emptied of what its migrations seeded (the archive holds
 * the rows as they were), its triggers off while rows arrive so nothing is derived twice.
 */
async function prepareSchema(
  tenant: pg.PoolClient,
  organizationId: string,
  files: ReturnType<typeof migrationFiles>,
): Promise<string[]> {
  const schema = tenantSchema(organizationId);
  const exists = await tenant.query('select 1 from pg_namespace where nspname = $1', [schema]);
  if (exists.rowCount) throw new ArchiveError(`the schema ${schema} already exists`);
  await applyTenantMigrations(tenant, organizationId, { createSchema: true, files });
  const { rows } = await tenant.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> 'schema_migrations'`,
    [schema],
  );
  const tables = rows.map((r) => r.name);
  if (tables.length > 0)
    await tenant.query(`truncate ${tables.map((t) => `${ident(schema)}.${ident(t)}`).join(', ')}`);
  for (const t of tables) await tenant.query(`alter table ${ident(schema)}.${ident(t)} disable trigger user`);
  return tables;
}

const staging = (table: string) => ident(`restore_${table}`);

/** Control rows land in temporary copies first: ids are mapped on the way to the real tables. */
async function prepareControlStaging(control: pg.PoolClient): Promise<void> {
  for (const t of CONTROL_TABLES)
    await control.query(
      `create temp table ${staging(t.name)} on commit drop as select * from control.${ident(t.name)} with no data`,
    );
}

async function copyIn(
  client: pg.PoolClient,
  target: string,
  archived: ArchivedTable,
  entry: AsyncIterable<Buffer>,
) {
  const counter = new CountingHash();
  const columns = archived.columns.map(ident).join(', ');
  try {
    await pipeline(
      Readable.from(entry),
      counter,
      client.query(copyFrom(`copy ${target} (${columns}) from stdin`)),
    );
  } catch (err) {
    // Damage that breaks a row reaches PostgreSQL before the checksum can be compared.
    throw new ArchiveError(
      `could not restore ${archived.entry}: ${(err as Error).message}; nothing was restored`,
    );
  }
  const sha256 = counter.digest();
  if (counter.rows !== archived.rows || sha256 !== archived.sha256)
    throw new ArchiveError(
      `checksum mismatch in ${archived.entry} (${counter.rows} rows, expected ${archived.rows}): the archive is damaged, nothing was restored`,
    );
}

interface RestoreTarget {
  organizationId: string;
  /** The cell the schema was placed on: the organisation row names it. */
  cell: string;
  asNew: boolean;
}

/** Organisation, users (linked by e-mail or created), then the rows that point to them. */
async function restoreControlRows(
  control: pg.PoolClient,
  manifest: ArchiveManifest,
  target: RestoreTarget,
): Promise<{ usersLinked: number; usersCreated: number }> {
  await control.query(`select set_config('search_path', $1, true)`, [NO_TENANT_SCHEMA]);
  // An archived user whose address has an account here is that account; otherwise a new one,
  // under the archived id when it is free (the tenant's rows name people by id).
  await control.query(
    `create temp table restore_user_map on commit drop as
     select a.id as old_id,
            coalesce(u.id, case when exists (select 1 from control.users x where x.id = a.id) then gen_random_uuid() else a.id end) as new_id,
            u.id is not null as linked
       from pg_temp.${staging('users')} a left join control.users u on lower(u.email) = lower(a.email)`,
  );
  for (const table of CONTROL_TABLES) {
    if (target.asNew && table.sameOrganizationOnly) continue;
    const archived = manifest.controlTables.find((t) => t.name === table.name)!;
    await insertControlRows(control, table, archived, target);
  }
  const { rows } = await control.query<{ linked: number; created: number }>(
    `select count(*) filter (where linked)::int as linked, count(*) filter (where not linked)::int as created from pg_temp.restore_user_map`,
  );
  return { usersLinked: rows[0]!.linked, usersCreated: rows[0]!.created };
}

async function insertControlRows(
  control: pg.PoolClient,
  table: ControlTable,
  archived: ArchivedTable,
  { organizationId, cell, asNew }: RestoreTarget,
): Promise<void> {
  const current = await copyableColumns(control, 'control', table.name);
  const identity = await control.query<{ attname: string }>(
    `select attname from pg_attribute where attrelid = $1::regclass and attidentity <> ''`,
    [`control.${table.name}`],
  );
  const identityColumns = identity.rows.map((r) => r.attname);
  // A copy beside the original gets new identity values (audit entry numbers); a restore keeps them.
  // The organisation's cell is where this import placed it, also for an archive from before cells.
  const columns = current.filter(
    (c) =>
      (archived.columns.includes(c) || (table.name === 'organizations' && c === 'cell')) &&
      !(asNew && identityColumns.includes(c)),
  );
  const mapUser = (col: string) =>
    `coalesce((select m.new_id from pg_temp.restore_user_map m where m.old_id = a.${ident(col)}), (select x.id from control.users x where x.id = a.${ident(col)}))`;
  const values = columns.map((c) => {
    const override = organizationOverride(table.name, c, asNew);
    if (table.name === 'organizations' && c === 'cell') return '$2::text';
    if (override !== undefined) return override;
    if (c === 'organization_id') return '$1::uuid';
    if (table.userColumns.includes(c)) return mapUser(c);
    // Audit entries name their actor without a foreign key: a person is mapped, anything else kept.
    if (table.name === 'audit_log' && c === 'actor_id')
      return `case when a.actor_type = 'user' then coalesce((select m.new_id from pg_temp.restore_user_map m where m.old_id = a.actor_id), a.actor_id) else a.actor_id end`;
    return `a.${ident(c)}`;
  });
  const where =
    table.name === 'users'
      ? 'where not (select m.linked from pg_temp.restore_user_map m where m.old_id = a.id)'
      : '';
  const order = identityColumns.includes('id') ? 'order by a.id' : '';
  const overriding = columns.some((c) => identityColumns.includes(c)) ? 'overriding system value' : '';
  await control.query(
    `insert into control.${ident(table.name)} (${columns.map(ident).join(', ')}) ${overriding}
     select ${values.join(', ')} from pg_temp.${staging(table.name)} a ${where} ${order}`,
    table.name === 'users' ? [] : table.name === 'organizations' ? [organizationId, cell] : [organizationId],
  );
}

/** How the organisation row itself is restored: active again, and a copy gets no billing link. */
function organizationOverride(table: string, column: string, asNew: boolean): string | undefined {
  if (table !== 'organizations') return undefined;
  if (column === 'id') return '$1::uuid';
  if (column === 'status') return `'active'`;
  if (['deletion_requested_at', 'deletion_due_at', 'deletion_requested_by'].includes(column)) return 'null';
  if (
    asNew &&
    ['stripe_customer_id', 'stripe_subscription_id', 'stripe_event_at', 'billed_sites'].includes(column)
  )
    return 'null';
  if (asNew && column === 'billing_status') return `'none'`;
  return undefined;
}
