import type pg from 'pg';
import { cellOf, cellsOf, poolForCell } from '../cells/cell-registry.ts';
import type { Database } from '../pool.ts';

/**
 * The pool that holds an organisation's tenant schema: the pool of its database cell (the
 * control database itself on a single-database install). The one place the lifecycle commands
 * ask for it. `cell` names the cell for a schema not placed yet (an import); without it an import
 * goes where new organisations go (DEFAULT_CELL).
 */
export async function tenantPoolFor(
  control: Database,
  organizationId: string,
  placing?: { cell?: string },
): Promise<{ cell: string; pool: pg.Pool }> {
  const cell = placing
    ? (placing.cell ?? cellsOf(control.db).defaultCell)
    : await cellOf(control.pool, organizationId);
  return { cell, pool: await poolForCell(control.db, cell) };
}

/**
 * One client for the control rows and one for the tenant schema: the same client (so one
 * transaction covers both) when the schema lives beside the control plane.
 */
export async function connectBoth(
  controlPool: pg.Pool,
  tenantPool: pg.Pool,
): Promise<{ control: pg.PoolClient; tenant: pg.PoolClient; shared: boolean; release(): void }> {
  const control = await controlPool.connect();
  if (tenantPool === controlPool)
    return { control, tenant: control, shared: true, release: () => control.release() };
  let tenant: pg.PoolClient;
  try {
    tenant = await tenantPool.connect();
  } catch (err) {
    control.release();
    throw err;
  }
  return {
    control,
    tenant,
    shared: false,
    release: () => {
      control.release();
      tenant.release();
    },
  };
}
