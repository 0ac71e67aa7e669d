import type pg from 'pg';
import { type CellRegistry, MAIN_CELL } from '../cells/cell-registry.ts';
import { applyTenantMigrations } from '../migrate/migrator.ts';

/**
 * Creates the tenant schema, runs every tenant migration in it, lets the caller seed it, and only
 * then marks the organisation active, all in the caller's transaction: a failure anywhere rolls
 * back the schema, the seed and the organisation together, leaving nothing half-made.
 *
 * With `cells` whose default cell is not the control database's own, the schema is made and
 * seeded on that cell in a transaction of its own, committed just before the organisation is
 * marked active there. Should the caller's transaction then roll back, an unused empty schema
 * is left on the cell (no organisation points to it).
 */
export async function provisionTenant(
  client: pg.PoolClient,
  organizationId: string,
  seed?: (client: pg.PoolClient) => Promise<void>,
  opts: { cells?: CellRegistry } = {},
): Promise<void> {
  const cellName = opts.cells?.defaultCell ?? MAIN_CELL;
  if (cellName === MAIN_CELL) {
    await applyTenantMigrations(client, organizationId, { createSchema: true });
    if (seed) await seed(client);
    await client.query(`select set_config('search_path', 'no_tenant_bound', true)`);
  } else {
    const cell = await opts.cells!.cell(cellName);
    const cellClient = await cell.database.pool.connect();
    try {
      await cellClient.query('begin');
      try {
        await applyTenantMigrations(cellClient, organizationId, { createSchema: true });
        if (seed) await seed(cellClient);
        await cellClient.query('commit');
      } catch (err) {
        await cellClient.query('rollback');
        throw err;
      }
    } finally {
      cellClient.release();
    }
  }
  await client.query(
    `update control.organizations set status = 'active', activated_at = now(), cell = $2 where id = $1`,
    [organizationId, cellName],
  );
}
