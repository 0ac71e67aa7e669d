import { sql } from 'drizzle-orm';
import type { Db, Tx } from './pool.ts';
import { tenantSchema } from './tenant-schema.ts';

export interface TenantRef {
  organizationId: string;
}

/**
 * Runs fn in a transaction whose search_path is the tenant's schema. set_config(..., true) is
 * transaction-local, so the binding never leaks back into the shared pool.
 */
export async function withTenantDb<T>(db: Db, tenant: TenantRef, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (!tenant?.organizationId) throw new Error('withTenantDb: no tenant context');
  const schema = tenantSchema(tenant.organizationId);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('search_path', ${schema}, true)`);
    return fn(tx);
  });
}
