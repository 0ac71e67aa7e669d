import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  createDatabase,
  type Database,
  migrateAll,
  migrationFiles,
  provisionTenant,
  sites,
  tenantMigrationSchemaViolations,
  tenantSchema,
  withTenantDb,
} from '@medstock/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../api/test/support/test-database.ts';

const run = promisify(execFile);
let database: Database;
let drop: () => Promise<void>;
let url: string;
const tenants: string[] = [];

async function provision(name: string): Promise<string> {
  const client = await database.pool.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query<{ id: string }>(
      'insert into control.organizations (name) values ($1) returning id',
      [name],
    );
    await provisionTenant(client, rows[0]!.id);
    await client.query('commit');
    return rows[0]!.id;
  } finally {
    client.release();
  }
}

const NEW_MIGRATION = {
  name: '9999_test_add_column.sql',
  sql: 'ALTER TABLE sites ADD COLUMN test_note text; CREATE TABLE test_upgrade_marker (id int);',
};

beforeAll(async () => {
  const db = await createTestDatabase();
  url = db.url;
  drop = db.drop;
  database = createDatabase(url, 4);
  for (let i = 0; i < 50; i++) tenants.push(await provision(`Tenant ${i}`));
  tenants.sort();
});
afterAll(async () => {
  await database.close();
  await drop();
});

describe('tenant schemas', () => {
  it('names schemas by a pure function of the id, and rejects anything that is not an id', () => {
    expect(tenantSchema('0F8FAD5B-D9CB-469F-A165-70867728950E')).toBe(
      'tenant_0f8fad5bd9cb469fa16570867728950e',
    );
    expect(() => tenantSchema('x; drop schema control')).toThrow();
  });

  it('provisioning rolls back the schema and the organisation when seeding fails', async () => {
    const client = await database.pool.connect();
    let id = '';
    try {
      await client.query('begin');
      id = (
        await client.query<{ id: string }>(
          'insert into control.organizations (name) values ($1) returning id',
          ['Doomed'],
        )
      ).rows[0]!.id;
      await expect(
        provisionTenant(client, id, async (c) => {
          await c.query(`insert into sites (code, name) values ('A', 'a')`);
          throw new Error('seed exploded');
        }),
      ).rejects.toThrow('seed exploded');
      await client.query('rollback');
    } finally {
      client.release();
    }
    const org = await database.pool.query('select 1 from control.organizations where id = $1', [id]);
    const schema = await database.pool.query(
      'select 1 from information_schema.schemata where schema_name = $1',
      [tenantSchema(id)],
    );
    expect(org.rowCount).toBe(0);
    expect(schema.rowCount).toBe(0);
  });

  it('withTenantDb binds the schema per transaction and nothing leaks back into the pool', async () => {
    const [a, b] = tenants;
    await withTenantDb(database.db, { organizationId: a! }, (tx) =>
      tx.insert(sites).values({ code: 'ONLY-A', name: 'a', kind: 'clinic' }),
    );
    const inB = await withTenantDb(database.db, { organizationId: b! }, (tx) => tx.select().from(sites));
    expect(inB.find((s) => s.code === 'ONLY-A')).toBeUndefined();
    // Outside withTenantDb an unqualified tenant table is not visible at all.
    await expect(database.pool.query('select * from sites')).rejects.toThrow(/does not exist/);
    await expect(withTenantDb(database.db, { organizationId: '' }, async () => 1)).rejects.toThrow(
      'no tenant context',
    );
  });
});

describe('migration command', () => {
  it('finds no schema names in the real tenant migrations and flags ones that have them', () => {
    expect(tenantMigrationSchemaViolations(migrationFiles('tenant'))).toEqual([]);
    const bad = tenantMigrationSchemaViolations([
      { name: 'x.sql', sql: 'create table control.oops (id int);' },
      { name: 'y.sql', sql: 'create table tenant_0f8fad5bd9cb469fa16570867728950e.t (id int);' },
      { name: 'z.sql', sql: "select set_config('search_path', 'x', false);" },
    ]);
    expect(bad).toHaveLength(3);
  });

  it('dry-run reports without applying; --limit and --from select tenants in id order', async () => {
    const files = [...migrationFiles('tenant'), NEW_MIGRATION];
    const dry = await migrateAll(database.pool, { dryRun: true, tenantFiles: files });
    expect(dry.tenants).toHaveLength(50);
    expect(dry.tenants.every((t) => t.applied.join() === NEW_MIGRATION.name)).toBe(true);
    const marker = await database.pool.query(
      `select 1 from information_schema.tables where table_name = 'test_upgrade_marker'`,
    );
    expect(marker.rowCount).toBe(0);

    const limited = await migrateAll(database.pool, {
      limit: 5,
      from: tenants[10],
      tenantFiles: files,
      dryRun: true,
    });
    expect(limited.tenants.map((t) => t.organizationId)).toEqual(tenants.slice(10, 15));
  });

  it('upgrades 50 tenants in id order, reports the failing one, and is safe to re-run', async () => {
    const files = [...migrationFiles('tenant'), NEW_MIGRATION];
    // Sabotage one tenant: the new migration's table already exists there.
    const broken = tenants[17]!;
    await database.pool.query(`create table ${tenantSchema(broken)}.test_upgrade_marker (x int)`);

    // Two runners at once: the advisory lock serialises them and nothing is applied twice.
    const [r1, r2] = await Promise.all([
      migrateAll(database.pool, { tenantFiles: files }),
      migrateAll(database.pool, { tenantFiles: files }),
    ]);
    const first = r1.tenants.filter((t) => t.applied.length).length > 0 ? r1 : r2;
    const second = first === r1 ? r2 : r1;
    expect(first.tenants.map((t) => t.organizationId)).toEqual(tenants);
    expect(first.failed).toBe(1);
    const failure = first.tenants.find((t) => !t.ok)!;
    expect(failure.organizationId).toBe(broken);
    expect(failure.error).toMatch(/9999_test_add_column/);
    expect(second.tenants.filter((t) => t.ok && t.applied.length)).toHaveLength(0);

    const applied = await database.pool.query(
      `select count(*)::int as n from information_schema.columns where column_name = 'test_note' and table_name = 'sites'`,
    );
    expect(applied.rows[0].n).toBe(49);
    // The failed tenant was rolled back whole: no half-applied column.
    const brokenCol = await database.pool.query(
      `select 1 from information_schema.columns where table_schema = $1 and column_name = 'test_note'`,
      [tenantSchema(broken)],
    );
    expect(brokenCol.rowCount).toBe(0);

    // Repair and re-run only that tenant.
    await database.pool.query(`drop table ${tenantSchema(broken)}.test_upgrade_marker`);
    const again = await migrateAll(database.pool, { tenant: broken, tenantFiles: files });
    expect(again.tenants).toEqual([
      expect.objectContaining({ organizationId: broken, ok: true, applied: [NEW_MIGRATION.name] }),
    ]);
  });

  it('the CLI prints one line per tenant and exits non-zero on failure', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'db/src/cli/migrate.cli.ts', '--limit', '3'],
      {
        env: { ...process.env, DATABASE_URL: url },
      },
    );
    expect(stdout.match(/^ok {6}/gm)).toHaveLength(3);
    expect(stdout).toContain('tenants: 3 ok, 0 failed');
    const bad = await run(
      process.execPath,
      ['--import', 'tsx', 'db/src/cli/migrate.cli.ts', '--limit', 'x'],
      {
        env: { ...process.env, DATABASE_URL: url },
      },
    ).catch((e) => e);
    expect(bad.code).toBe(2);
  });
});
