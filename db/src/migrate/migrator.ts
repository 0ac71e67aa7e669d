import pg from 'pg';
import { hasControlBridge, refreshControlBridge } from '../cells/control-bridge.ts';
import { tenantSchema } from '../tenant-schema.ts';
import { type MigrationFile, migrationFiles } from './migration-files.ts';

/** Arbitrary constant: every migration runner takes this advisory lock before changing DDL. */
export const MIGRATION_LOCK_KEY = 4_242_001;

async function appliedNames(client: pg.PoolClient, table: string): Promise<Set<string>> {
  const { rows } = await client.query<{ name: string }>(`select name from ${table}`);
  return new Set(rows.map((r) => r.name));
}

function pending(files: MigrationFile[], applied: Set<string>): MigrationFile[] {
  return files.filter((f) => !applied.has(f.name));
}

/** Applies missing control-plane migrations, each in its own transaction. */
export async function migrateControl(
  client: pg.PoolClient,
  opts: { dryRun?: boolean } = {},
): Promise<string[]> {
  await client.query('create schema if not exists control');
  await client.query(
    'create table if not exists control.schema_migrations (name text primary key, applied_at timestamptz not null default now())',
  );
  const todo = pending(migrationFiles('control'), await appliedNames(client, 'control.schema_migrations'));
  if (opts.dryRun) return todo.map((f) => f.name);
  for (const f of todo) {
    await client.query('begin');
    try {
      await client.query(f.sql);
      await client.query('insert into control.schema_migrations (name) values ($1)', [f.name]);
      await client.query('commit');
    } catch (err) {
      await client.query('rollback');
      throw new Error(`control migration ${f.name} failed: ${(err as Error).message}`);
    }
  }
  return todo.map((f) => f.name);
}

/**
 * Brings one tenant schema up to date inside the caller's open transaction, with search_path
 * bound to that schema. Callers commit or roll back, so a tenant is either fully upgraded or not.
 */
export async function applyTenantMigrations(
  client: pg.PoolClient,
  organizationId: string,
  opts: { dryRun?: boolean; createSchema?: boolean; files?: MigrationFile[] } = {},
): Promise<string[]> {
  const schema = tenantSchema(organizationId);
  if (opts.createSchema) await client.query(`create schema "${schema}"`);
  await client.query(`select set_config('search_path', $1, true)`, [schema]);
  await client.query(
    'create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())',
  );
  const todo = pending(
    opts.files ?? migrationFiles('tenant'),
    await appliedNames(client, 'schema_migrations'),
  );
  if (opts.dryRun) return todo.map((f) => f.name);
  for (const f of todo) {
    try {
      await client.query(f.sql);
    } catch (err) {
      throw new Error(`tenant migration ${f.name} failed in ${schema}: ${(err as Error).message}`);
    }
    await client.query('insert into schema_migrations (name) values ($1)', [f.name]);
  }
  return todo.map((f) => f.name);
}

export interface MigrateAllOptions {
  tenant?: string;
  from?: string;
  limit?: number;
  dryRun?: boolean;
  /** The tenant track to apply; defaults to migrations/tenant (tests pass an extended list). */
  tenantFiles?: MigrationFile[];
  onTenant?: (result: TenantMigrationResult) => void;
  /** URL of a cell by name (default: the variable named in control.cells, CELL_<NAME>_URL). */
  cellUrl?: (cell: string, urlEnv: string | null) => string | undefined;
}

export interface TenantMigrationResult {
  organizationId: string;
  cell: string;
  schema: string;
  ok: boolean;
  applied: string[];
  error?: string;
}

export interface MigrateAllReport {
  control: string[];
  tenants: TenantMigrationResult[];
  failed: number;
}

/**
 * Upgrades the control plane, then every provisioned tenant schema in id order. Holds an advisory
 * lock for the whole run so two runners never race; re-running is safe because each schema
 * records what it has applied. A failing tenant is reported and the run goes on.
 */
export async function migrateAll(pool: pg.Pool, opts: MigrateAllOptions = {}): Promise<MigrateAllReport> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const control = await migrateControl(client, { dryRun: opts.dryRun });
      const params: unknown[] = [];
      // A schema waiting out its deletion grace period is kept current: it may be restored or exported.
      let where = `status in ('active', 'suspended', 'pending_deletion')`;
      if (opts.tenant) {
        params.push(opts.tenant);
        where += ` and id = $${params.length}`;
      }
      if (opts.from) {
        params.push(opts.from);
        where += ` and id >= $${params.length}`;
      }
      let limit = '';
      if (opts.limit !== undefined) {
        params.push(opts.limit);
        limit = ` limit $${params.length}`;
      }
      // `cell` exists from control migration 0008 on (a dry run may come before it).
      const { rows } = await client.query<{ id: string; cell: string }>(
        `select id, coalesce(to_jsonb(o) ->> 'cell', 'main') as cell
           from control.organizations o where ${where} order by id${limit}`,
        params,
      );
      const tenants: TenantMigrationResult[] = [];
      // Tenant schemas live on their organisation's cell: each cell is migrated on its own
      // connection, under its own migration lock, its control bridge refreshed first.
      for (const [cell, ids] of groupByCell(rows)) {
        const done = new Set<string>();
        const report = (result: TenantMigrationResult) => {
          done.add(result.organizationId);
          tenants.push(result);
          opts.onTenant?.(result);
        };
        await onCell(client, cell, opts, async (cellClient) => {
          for (const id of ids) report(await migrateOneTenant(cellClient, id, cell, opts));
        }).catch((err: Error) => {
          // A cell that cannot be reached fails its own tenants; the other cells go on.
          for (const id of ids.filter((i) => !done.has(i)))
            report({
              organizationId: id,
              cell,
              schema: tenantSchema(id),
              ok: false,
              applied: [],
              error: err.message,
            });
        });
      }
      return { control, tenants, failed: tenants.filter((t) => !t.ok).length };
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

function groupByCell(rows: { id: string; cell: string }[]): Map<string, string[]> {
  const cells = new Map<string, string[]>();
  for (const { id, cell } of rows) cells.set(cell, [...(cells.get(cell) ?? []), id]);
  return cells;
}

async function migrateOneTenant(
  client: pg.PoolClient,
  id: string,
  cell: string,
  opts: MigrateAllOptions,
): Promise<TenantMigrationResult> {
  const result: TenantMigrationResult = {
    organizationId: id,
    cell,
    schema: tenantSchema(id),
    ok: true,
    applied: [],
  };
  await client.query('begin');
  try {
    result.applied = await applyTenantMigrations(client, id, {
      dryRun: opts.dryRun,
      files: opts.tenantFiles,
    });
    await client.query('commit');
  } catch (err) {
    await client.query('rollback');
    result.ok = false;
    result.error = (err as Error).message;
  }
  return result;
}

/** Runs fn on a connection to the cell: the control connection itself for the main cell. */
async function onCell(
  control: pg.PoolClient,
  cell: string,
  opts: MigrateAllOptions,
  fn: (client: pg.PoolClient) => Promise<void>,
): Promise<void> {
  if (cell === 'main') return fn(control);
  const { rows } = await control.query<{ url_env: string | null }>(
    'select url_env from control.cells where name = $1',
    [cell],
  );
  const urlEnv = rows[0]?.url_env ?? null;
  const url = opts.cellUrl
    ? opts.cellUrl(cell, urlEnv)
    : process.env[urlEnv ?? `CELL_${cell.toUpperCase()}_URL`];
  if (!url) throw new Error(`migrate: no URL for database cell '${cell}' (${urlEnv ?? 'url_env'} not set)`);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const client = await pool.connect();
    try {
      await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      try {
        if (!opts.dryRun && (await hasControlBridge(client))) await refreshControlBridge(client);
        await fn(client);
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      }
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
}
