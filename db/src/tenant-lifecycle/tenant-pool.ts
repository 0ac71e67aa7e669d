import type pg from 'pg';

/**
 * The pool that holds an organisation's tenant schema. The one place the lifecycle commands ask
 * for it: while every schema lives beside the control plane this is the control pool; once
 * organisations are placed on database cells it becomes the pool of the organisation's cell
 * (`cell` given: the cell an import is placed on).
 */
export async function tenantPoolFor(
  controlPool: pg.Pool,
  _organizationId: string,
  cell?: string,
): Promise<pg.Pool> {
  if (cell !== undefined && cell !== 'default')
    throw new Error(`tenant lifecycle: unknown cell "${cell}" (this deployment has only the default cell)`);
  return controlPool;
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
