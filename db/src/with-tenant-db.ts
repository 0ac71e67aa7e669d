import { markIdempotentCommit } from './idempotency/idempotency-context.ts';
import type { Db, Tx } from './pool.ts';
import { pooledTransaction } from './pooled-transaction.ts';
import { retryTransaction } from './retry-transaction.ts';
import { tenantSchema } from './tenant-schema.ts';

export interface TenantRef {
  organizationId: string;
}

/**
 * Runs fn in a transaction whose search_path is the tenant's schema. set_config(..., true) is
 * transaction-local, so the binding never leaks back into the shared pool. fn may run more than
 * once (see retryTransaction): keep side effects outside the database after the call returns.
 */
export async function withTenantDb<T>(db: Db, tenant: TenantRef, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (!tenant?.organizationId) throw new Error('withTenantDb: no tenant context');
  const schema = tenantSchema(tenant.organizationId);
  // A deadlock or serialisation failure rolls everything back: fn runs again in a new transaction.
  // The schema name is tenant_<hex> (tenantSchema), so it is safe as a literal; as one, it goes
  // to PostgreSQL with BEGIN in a single round trip.
  const bind = `select set_config('search_path', '${schema}', true)`;
  return retryTransaction(() =>
    pooledTransaction(
      db,
      async (tx) => {
        const result = await fn(tx);
        // The request's Idempotency-Key is marked committed with the change, or not at all.
        await markIdempotentCommit(tx);
        return result;
      },
      bind,
    ),
  );
}
