import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  cellOf,
  cellsOf,
  createDatabase,
  eraseDueTenants,
  eraseTenant,
  exportTenant,
  importTenant,
  registerCell,
  requestTenantDeletion,
  tenantSchema,
} from '@medstock/db';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningService, startPostgres } from '../../infra/local/services.ts';
import { centralStore, insertItem } from './support/fixtures.ts';
import { tenantDigest } from './support/tenant-digest.ts';
import { PASSWORD, type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

// Issue 12.4 across two PostgreSQL instances: a clinic on the control database (cell main) is
// restored as a copy onto a second cell, used through the API there, exported from there and
// erased there; the scheduled erasure (eraseDueTenants) takes the original.

let cell: RunningService;
let cellPool: pg.Pool;
let t: TestApp;
let owner: SignedUp;
let dir: string;
let copyId: string;
const control = () => t.deps.database.pool;
const schemaOn = async (pool: pg.Pool, schema: string) =>
  (await pool.query('select 1 from pg_namespace where nspname = $1', [schema])).rowCount === 1;

beforeAll(async () => {
  cell = await startPostgres({
    dataDir: resolve(process.env.MEDSTOCK_TEST_RUN_DIR ?? '.test-run', `cell-lc-${process.pid}`),
    database: 'medstock_cell_lc',
    fast: true,
    ephemeral: true,
  });
  process.env.CELL_LC_URL = cell.url;
  // createDatabase's pool ignores the disconnect its idle clients see when the cell stops.
  cellPool = createDatabase(cell.url, 2).pool;
  t = await startTestApp();
  await registerCell(cellsOf(t.deps.database.db), 'lc');
  dir = mkdtempSync(join(tmpdir(), 'medstock-lc-'));
  owner = await signUp(t);
  const { locationId } = await centralStore(t, owner.headers);
  const item = await insertItem(t, owner.organizationId, { code: 'CELL-1' });
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/movements',
    headers: owner.headers,
    payload: { type: 'receipt', itemId: item, locationId, quantity: 25 },
  });
  expect(r.statusCode, r.body).toBe(201);
}, 120_000);
afterAll(async () => {
  await t?.close();
  await cellPool?.end();
  await cell?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('tenant lifecycle on two cells', () => {
  it('imports a copy onto another cell, where the API then serves it', async () => {
    const archive = join(dir, 'main.tar.gz');
    await exportTenant(t.deps.database, owner.organizationId, archive);
    const copy = await importTenant(t.deps.database, archive, { asNew: true, cell: 'lc' });
    copyId = copy.organizationId;
    expect(await cellOf(control(), copyId)).toBe('lc');
    expect(await schemaOn(cellPool, copy.schema)).toBe(true);
    expect(await schemaOn(control(), copy.schema)).toBe(false);
    expect(await tenantDigest(cellPool, copy.schema)).toEqual(
      await tenantDigest(control(), tenantSchema(owner.organizationId)),
    );
    const stock = async (organizationId: string) => {
      const login = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: owner.email, password: PASSWORD, organizationId },
      });
      expect(login.statusCode, login.body).toBe(200);
      const headers = { authorization: `Bearer ${login.json().accessToken}` };
      return (await t.app.inject({ method: 'GET', url: '/v1/stock', headers })).json();
    };
    const onCell = await stock(copyId);
    expect(onCell.items.length).toBeGreaterThan(0);
    expect(onCell).toEqual(await stock(owner.organizationId));
  });

  it('exports from that cell and erases there, leaving the original alone', async () => {
    const archive = join(dir, 'lc.tar.gz');
    const manifest = await exportTenant(t.deps.database, copyId, archive);
    expect(manifest.tenantTables.find((x) => x.name === 'movements')?.rows).toBeGreaterThan(0);
    const erased = await eraseTenant(t.deps.database, copyId, { by: 'test', immediate: true });
    expect(erased.removed.tenant.movements).toBe(
      manifest.tenantTables.find((x) => x.name === 'movements')?.rows,
    );
    expect(await schemaOn(cellPool, tenantSchema(copyId))).toBe(false);
    expect(await schemaOn(control(), tenantSchema(owner.organizationId))).toBe(true);
    // The owner belongs to the original too: the account stays.
    expect(
      (await control().query('select 1 from control.users where id = $1', [owner.userId])).rowCount,
    ).toBe(1);
  });

  it('the scheduled erasure takes only organisations past their grace period', async () => {
    await requestTenantDeletion(t.deps.database, owner.organizationId, { by: 'test', graceDays: 30 });
    expect(await eraseDueTenants(t.deps.database, { by: 'scheduler' })).toEqual([]);
    await control().query(`update control.organizations set deletion_due_at = now() where id = $1`, [
      owner.organizationId,
    ]);
    const done = await eraseDueTenants(t.deps.database, { by: 'scheduler' });
    expect(done.map((e) => e.organizationId)).toEqual([owner.organizationId]);
    expect(await schemaOn(control(), tenantSchema(owner.organizationId))).toBe(false);
    const records = await control().query(
      'select organization_id, erased_by, immediate from control.tenant_erasures order by id',
    );
    expect(records.rows).toEqual([
      { organization_id: copyId, erased_by: 'test', immediate: true },
      { organization_id: owner.organizationId, erased_by: 'scheduler', immediate: false },
    ]);
  });
});
