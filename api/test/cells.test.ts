import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { workerConnection } from '@medstock/contracts';
import {
  CellRegistry,
  cellOf,
  cellsOf,
  createDatabase,
  type Database,
  finishMoves,
  type MoveReport,
  migrateAll,
  migrationFiles,
  moveTenant,
  provisionTenant,
  recoverMove,
  registerCell,
  schemaChecksums,
  TenantMovingError,
  tenantSchema,
  withTenantDb,
} from '@medstock/db';
import { Queue, QueueEvents } from 'bullmq';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningService, startPostgres } from '../../infra/local/services.ts';
import { JOB_REGISTRY, type RunningWorker, startWorker } from '../../worker/src/index.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Tenant placement across two PostgreSQL instances: the test's own (cell main, the control
 * database) and a second one started here (cell b). Organisations live on both; one is moved
 * from main to b while it and another organisation take writes.
 */
let cellB: RunningService;
let cellBPool: pg.Pool;
let t: TestApp;
let control: pg.Pool;
let moving: SignedUp;
let bystander: SignedUp;
/** The organisation provisioned straight onto cell b. */
let onB: string;

const schemaExists = async (pool: pg.Pool, schema: string) =>
  (await pool.query('select 1 from pg_namespace where nspname = $1', [schema])).rowCount === 1;
const supplierCodes = async (pool: pg.Pool, schema: string) =>
  (await pool.query<{ code: string }>(`select code from "${schema}".suppliers order by code`)).rows.map(
    (r) => r.code,
  );

beforeAll(async () => {
  cellB = await startPostgres({
    dataDir: resolve(process.env.MEDSTOCK_TEST_RUN_DIR ?? '.test-run', `cell-b-${process.pid}`),
    database: 'medstock_cell_b',
    fast: true,
    ephemeral: true,
  });
  // The cell's URL comes from the environment (never the control database).
  process.env.CELL_B_URL = cellB.url;
  cellBPool = new pg.Pool({ connectionString: cellB.url, max: 2 });
  cellBPool.on('error', () => {});
  t = await startTestApp();
  control = t.deps.database.pool;
  await registerCell(cellsOf(t.deps.database.db), 'b');
  moving = await signUp(t);
  bystander = await signUp(t);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await cellBPool?.end();
  await cellB?.stop();
});

describe('placement', () => {
  it('a single-database install keeps every organisation on the control database (cell main)', async () => {
    expect(await cellOf(control, moving.organizationId)).toBe('main');
    expect(await schemaExists(control, tenantSchema(moving.organizationId))).toBe(true);
    expect(await schemaExists(cellBPool, tenantSchema(moving.organizationId))).toBe(false);
  });

  it('provisions a new organisation on the default cell, and its transactions run there', async () => {
    const client = await control.connect();
    const onBRegistry = new CellRegistry(t.deps.database, { defaultCell: 'b' });
    let id: string;
    try {
      await client.query('begin');
      id = (
        await client.query<{ id: string }>(
          `insert into control.organizations (name) values ('On b') returning id`,
        )
      ).rows[0]!.id;
      await provisionTenant(client, id, undefined, { cells: onBRegistry });
      await client.query('commit');
    } finally {
      client.release();
      await onBRegistry.close();
    }
    onB = id;
    expect(await cellOf(control, id)).toBe('b');
    expect(await schemaExists(cellBPool, tenantSchema(id))).toBe(true);
    expect(await schemaExists(control, tenantSchema(id))).toBe(false);
    await withTenantDb(t.deps.database.db, { organizationId: id }, (tx) =>
      tx.execute(sql`insert into suppliers (code, name) values ('ON-B', 'on b')`),
    );
    expect(await supplierCodes(cellBPool, tenantSchema(id))).toEqual(['ON-B']);
    // Tenant SQL that joins control-plane tables runs on b through the control bridge.
    const joined = await withTenantDb(t.deps.database.db, { organizationId: id }, (tx) =>
      tx.execute<{ name: string }>(
        sql`select o.name from suppliers s join control.organizations o on o.id = ${id} where s.code = 'ON-B'`,
      ),
    );
    expect(joined.rows).toEqual([{ name: 'On b' }]);
  });
});

describe('the switch window', () => {
  it('a schema missing while its move lock is held answers tenant_moving, then works once it is back', async () => {
    const schema = tenantSchema(bystander.organizationId);
    const lock = await control.connect();
    try {
      // What a move does at its switch: the lock held, the old copy renamed, the control plane
      // not yet updated.
      await lock.query(`select pg_advisory_lock(hashtextextended($1, 4242))`, [schema]);
      await lock.query(`alter schema "${schema}" rename to "${schema}_w"`);
      await expect(
        withTenantDb(t.deps.database.db, bystander, (tx) => tx.execute(sql`select 1`)),
      ).rejects.toBeInstanceOf(TenantMovingError);
      await lock.query(`alter schema "${schema}_w" rename to "${schema}"`);
    } finally {
      await lock.query(`select pg_advisory_unlock(hashtextextended($1, 4242))`, [schema]);
      lock.release();
    }
    const ok = await withTenantDb(t.deps.database.db, bystander, (tx) => tx.execute(sql`select 1 as one`));
    expect(ok.rows).toEqual([{ one: 1 }]);
  });
});

describe('the switch under a read', () => {
  it('a transaction opened during the pause that sees its schema renamed away is not a missing-table error', async () => {
    const schema = tenantSchema(bystander.organizationId);
    const lock = await control.connect();
    let runs = 0;
    try {
      await lock.query(`select pg_advisory_lock(hashtextextended($1, 4242))`, [schema]);
      const reading = withTenantDb(t.deps.database.db, bystander, async (tx) => {
        runs++;
        await tx.execute(sql`select count(*) from suppliers`);
        if (runs === 1) await lock.query(`alter schema "${schema}" rename to "${schema}_w"`);
        return tx.execute(sql`select count(*) from suppliers`);
      });
      // Run again where the organisation is; here the switch is still under way (lock held).
      await expect(reading).rejects.toBeInstanceOf(TenantMovingError);
      expect(runs).toBe(1);
      await lock.query(`alter schema "${schema}_w" rename to "${schema}"`);
    } finally {
      await lock.query(`select pg_advisory_unlock(hashtextextended($1, 4242))`, [schema]);
      lock.release();
    }
  });
});

describe('pnpm tenant move under write load', () => {
  const accepted = { moving: [] as string[], bystander: [] as string[] };
  const refused: { status: number; retryAfter: string | undefined; code: string }[] = [];
  const unexpected: string[] = [];
  let report: MoveReport;
  let stale: Database;
  let duringWrite = 0;
  let duringRead = 0;

  const write = async (who: 'moving' | 'bystander', code: string) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/suppliers',
      headers: (who === 'moving' ? moving : bystander).headers,
      payload: { code, name: `Supplier ${code}` },
    });
    if (res.statusCode === 201) accepted[who].push(code);
    else if (res.statusCode === 503 && who === 'moving')
      refused.push({ status: 503, retryAfter: res.headers['retry-after'] as string, code: res.json().code });
    else unexpected.push(`${who} ${code}: ${res.statusCode} ${res.body}`);
    return res;
  };

  beforeAll(async () => {
    // Another process (its own pool and placement cache) that has already seen the organisation
    // on main: after the switch it must write the new copy, never the old one.
    stale = createDatabase(t.databaseUrl, 2);
    await withTenantDb(stale.db, moving, (tx) => tx.execute(sql`select 1`));

    let stop = false;
    let n = 0;
    let load: Promise<void>[] = [];
    try {
      const writer = async (who: 'moving' | 'bystander') => {
        while (!stop) await write(who, `${who[0]}${String(n++).padStart(5, '0')}`);
      };
      load = [writer('moving'), writer('moving'), writer('bystander'), writer('bystander')];
      while (accepted.moving.length < 20) await new Promise((r) => setTimeout(r, 20));

      // A write of the moving organisation is in flight when the move starts: the move waits for
      // it, and every write that comes meanwhile is refused (503), deterministically.
      let releaseHeld!: () => void;
      const held = withTenantDb(t.deps.database.db, moving, async (tx) => {
        await tx.execute(
          sql`insert into suppliers (code, name) values ('HELD', 'held while the move waits')`,
        );
        await new Promise<void>((r) => (releaseHeld = r));
      });
      while (!releaseHeld) await new Promise((r) => setTimeout(r, 5));
      const move = moveTenant(cellsOf(t.deps.database.db), moving.organizationId, 'b', { graceHours: 1 });
      const waiting = async () =>
        (
          await control.query(
            `select 1 from pg_locks where locktype = 'advisory' and not granted and objsubid = 1
              and database = (select oid from pg_database where datname = current_database())`,
          )
        ).rowCount! > 0;
      while (!(await waiting())) await new Promise((r) => setTimeout(r, 5));
      try {
        duringWrite = (await write('moving', 'DURING')).statusCode;
        // Reads go on while writes are paused.
        duringRead = (await t.app.inject({ method: 'GET', url: '/v1/suppliers', headers: moving.headers }))
          .statusCode;
      } finally {
        releaseHeld();
      }
      await held;
      accepted.moving.push('HELD');
      report = await move;

      // Keep writing after the switch, then stop.
      const after = accepted.moving.length;
      while (accepted.moving.length < after + 20) await new Promise((r) => setTimeout(r, 20));
    } finally {
      stop = true;
      await Promise.all(load);
    }
    await withTenantDb(stale.db, moving, (tx) =>
      tx.execute(sql`insert into suppliers (code, name) values ('STALE', 'from a stale cache')`),
    );
    accepted.moving.push('STALE');
  }, 120_000);

  afterAll(async () => {
    if (stale) await cellsOf(stale.db).close();
    await stale?.close();
  });

  it('switches the placement: the schema is on b, the old copy renamed away on main', async () => {
    expect(report.from).toBe('main');
    expect(report.to).toBe('b');
    expect(await cellOf(control, moving.organizationId)).toBe('b');
    expect(await schemaExists(cellBPool, tenantSchema(moving.organizationId))).toBe(true);
    expect(await schemaExists(control, tenantSchema(moving.organizationId))).toBe(false);
    expect(await schemaExists(control, report.retiredSchema)).toBe(true);
  });

  it('loses nothing and doubles nothing: every accepted write is on the new cell, once', async () => {
    expect(unexpected.join('\n')).toBe('');
    const onB = await supplierCodes(cellBPool, tenantSchema(moving.organizationId));
    expect(onB).toEqual([...accepted.moving].sort());
    // Refused writes left nothing behind.
    expect(onB).not.toContain('DURING');
  });

  it('refused writes got 503 tenant_moving with Retry-After; reads went on', () => {
    expect(duringWrite).toBe(503);
    expect(duringRead).toBe(200);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.code).toBe('tenant_moving');
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
    }
  });

  it('never paused the other organisation', async () => {
    expect(accepted.bystander.length).toBeGreaterThan(0);
    expect(await supplierCodes(control, tenantSchema(bystander.organizationId))).toEqual(
      [...accepted.bystander].sort(),
    );
  });

  it('verified row counts and checksums: the frozen old copy matches what was recorded', async () => {
    const tables = Object.keys(report.tables);
    expect(tables).toContain('suppliers');
    expect(report.tables.suppliers!.rows).toBeGreaterThan(20);
    const client = await control.connect();
    try {
      expect(await schemaChecksums(client, report.retiredSchema, tables)).toEqual(report.tables);
    } finally {
      client.release();
    }
    const { rows } = await control.query(`select status, verified from control.tenant_moves where id = $1`, [
      report.moveId,
    ]);
    expect(rows[0].status).toBe('switched');
    expect(rows[0].verified).toEqual(report.tables);
  });

  it('the old copy never received a write after the switch (stale caches included)', async () => {
    const old = await supplierCodes(control, report.retiredSchema);
    expect(old).not.toContain('STALE');
    expect(old.length).toBe(report.tables.suppliers!.rows);
  });

  it('the API reads the moved organisation from b, control-plane joins included', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/suppliers?limit=200',
      headers: moving.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((s: { code: string }) => s.code)).toContain('STALE');
    const audit = await t.app.inject({
      method: 'GET',
      url: '/v1/audit-log?limit=5',
      headers: moving.headers,
    });
    expect(audit.statusCode).toBe(200);
    // control.audit_log, read inside the tenant transaction on b through the control bridge.
    expect(audit.json().items.length).toBeGreaterThan(0);
  });

  it('drops the old copy only after the grace period', async () => {
    const cells = cellsOf(t.deps.database.db);
    expect(await finishMoves(cells)).toEqual([]);
    expect(await schemaExists(control, report.retiredSchema)).toBe(true);
    const done = await finishMoves(cells, new Date(report.dropAfter.getTime() + 1));
    expect(done.map((d) => d.droppedSchema)).toEqual([report.retiredSchema]);
    expect(await schemaExists(control, report.retiredSchema)).toBe(false);
    const { rows } = await control.query(`select status from control.tenant_moves where id = $1`, [
      report.moveId,
    ]);
    expect(rows[0].status).toBe('finished');
  });
});

describe('the worker during a move', () => {
  it("postpones the moving organisation's job instead of failing it, then runs it on the new cell", async () => {
    const cells = cellsOf(t.deps.database.db);
    expect(await cellOf(control, moving.organizationId)).toBe('b');
    const config = { ...t.config, QUEUE_PREFIX: `cells${randomBytes(4).toString('hex')}` };
    let attempts = 0;
    // A stand-in for any tenant job: one write in the organisation's schema.
    const registry = {
      ...JOB_REGISTRY,
      housekeeping: {
        description: 'test: one write',
        handle: async (ctx: { database: Database }, job: { data: { tenantId: string; marker?: string } }) => {
          if (job.data.marker !== 'cells-test') return;
          attempts++;
          // The worker's own pool and placement cache (it has seen the organisation on b).
          await withTenantDb(ctx.database.db, { organizationId: job.data.tenantId }, (tx) =>
            tx.execute(sql`insert into suppliers (code, name) values ('JOB', 'written by a job')`),
          );
        },
      },
    } as typeof JOB_REGISTRY;
    const worker: RunningWorker = await startWorker(config, { registry, scheduleSyncMs: 3_600_000 });
    const queue = new Queue('housekeeping', {
      connection: workerConnection(config.REDIS_URL),
      prefix: config.QUEUE_PREFIX,
    });
    const events = new QueueEvents('housekeeping', {
      connection: workerConnection(config.REDIS_URL),
      prefix: config.QUEUE_PREFIX,
    });
    try {
      await events.waitUntilReady();
      let releaseHeld!: () => void;
      const held = withTenantDb(t.deps.database.db, moving, async () => {
        await new Promise<void>((r) => (releaseHeld = r));
      });
      while (!releaseHeld) await new Promise((r) => setTimeout(r, 5));
      const move = moveTenant(cells, moving.organizationId, 'main', { graceHours: 0 });
      const waiting = async () =>
        (
          await cellBPool.query(
            `select 1 from pg_locks where locktype = 'advisory' and not granted and objsubid = 1`,
          )
        ).rowCount! > 0;
      let job: Awaited<ReturnType<typeof queue.add>>;
      try {
        while (!(await waiting())) await new Promise((r) => setTimeout(r, 5));
        job = await queue.add(
          'housekeeping',
          { tenantId: moving.organizationId, marker: 'cells-test' } as never,
          {
            attempts: 1,
          },
        );
        while ((await job.getState()) !== 'delayed') await new Promise((r) => setTimeout(r, 20));
        expect(attempts).toBe(1);
      } finally {
        releaseHeld();
      }
      await held;
      await move;
      await job.waitUntilFinished(events, 30_000);
      // One attempt allowed, and more than one run: a postponed run did not count as a failure
      // (it is postponed again while the copy still runs).
      expect(await job.getState()).toBe('completed');
      expect(attempts).toBeGreaterThanOrEqual(2);
      const onMain = await supplierCodes(control, tenantSchema(moving.organizationId));
      expect(onMain.filter((c) => c === 'JOB')).toEqual(['JOB']);
    } finally {
      await queue.close();
      await events.close();
      await worker.close();
    }
  }, 90_000);
});

describe('pnpm tenant cells / move (the CLI entry points)', () => {
  it('lists the cells and finishes the moves past their grace period', async () => {
    const { main: cellsCli } = await import('../../db/src/cli/tenant-cells.cli.ts');
    const { main: moveCli } = await import('../../db/src/cli/tenant-move.cli.ts');
    const { rows: open } = await control.query<{ from_cell: string; retired_schema: string }>(
      `select from_cell, retired_schema from control.tenant_moves where status = 'switched'`,
    );
    // The move back to main had no grace period; its old copy is on b.
    expect(open.map((m) => m.from_cell)).toEqual(['b']);
    const lines: string[] = [];
    const log = console.log;
    const url = process.env.DATABASE_URL;
    console.log = (line: string) => lines.push(line);
    process.env.DATABASE_URL = t.databaseUrl;
    try {
      expect(await cellsCli([])).toBe(0);
      expect(await moveCli([])).toBe(2);
      expect(await moveCli(['--finish'])).toBe(0);
    } finally {
      console.log = log;
      process.env.DATABASE_URL = url;
    }
    expect(lines.find((l) => l.startsWith('b '))).toMatch(/CELL_B_URL\s+url set\s+open\s+1 organisations/);
    expect(lines.find((l) => l.startsWith('main '))).toMatch(/DATABASE_URL/);
    expect(lines).toContain('1 old copy dropped');
    expect(await schemaExists(cellBPool, open[0]!.retired_schema)).toBe(false);
  });
});

describe('migrations', () => {
  it('migrateAll upgrades tenant schemas on every cell', async () => {
    // The moved organisation is back on main by now; one on b is the one provisioned there.
    const extra = { name: '9999_cells_test.sql', sql: 'CREATE TABLE cells_test_marker (id int);' };
    const result = await migrateAll(control, { tenantFiles: [...migrationFiles('tenant'), extra] });
    const byOrg = new Map(result.tenants.map((r) => [r.organizationId, r]));
    expect(byOrg.get(onB)).toMatchObject({ cell: 'b', ok: true, applied: [extra.name] });
    expect(byOrg.get(moving.organizationId)).toMatchObject({ cell: 'main', ok: true, applied: [extra.name] });
    expect(byOrg.get(bystander.organizationId)).toMatchObject({
      cell: 'main',
      ok: true,
      applied: [extra.name],
    });
    expect(result.failed).toBe(0);
    expect(
      (await cellBPool.query(`select to_regclass('${tenantSchema(onB)}.cells_test_marker') as r`)).rows[0].r,
    ).not.toBeNull();
  });
});

describe('a mover that died half-way', () => {
  const simulate = async (retired: string, onMain: string) => {
    const schema = tenantSchema(onB);
    await control.query(
      `insert into control.tenant_moves (organization_id, from_cell, to_cell, status, retired_schema)
       values ($1, 'b', 'main', 'copying', $2)`,
      [onB, retired],
    );
    await cellBPool.query(`alter schema "${schema}" rename to "${retired}"`);
    await control.query(`create schema "${onMain}"`);
  };

  it('is rolled back when the copy had not been given its name', async () => {
    const schema = tenantSchema(onB);
    await simulate(`${schema}_rdead1`, `${schema}_in`);
    expect(await recoverMove(cellsOf(t.deps.database.db), onB)).toBe('back');
    expect(await schemaExists(cellBPool, schema)).toBe(true);
    expect(await schemaExists(control, `${schema}_in`)).toBe(false);
    expect(await cellOf(control, onB)).toBe('b');
    expect(await supplierCodes(cellBPool, schema)).toEqual(['ON-B']);
  });

  it('is carried forward when both renames were done', async () => {
    const schema = tenantSchema(onB);
    await simulate(`${schema}_rdead2`, schema);
    expect(await recoverMove(cellsOf(t.deps.database.db), onB)).toBe('forward');
    expect(await cellOf(control, onB)).toBe('main');
    const { rows } = await control.query(
      `select status, drop_after is not null as dated from control.tenant_moves
        where organization_id = $1 and retired_schema = $2`,
      [onB, `${schema}_rdead2`],
    );
    expect(rows).toEqual([{ status: 'switched', dated: true }]);
    expect(await recoverMove(cellsOf(t.deps.database.db), onB)).toBeNull();
  });
});
