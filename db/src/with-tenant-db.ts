import type pg from 'pg';
import { type CellRegistry, cellsOf } from './cells/cell-registry.ts';
import { isReadOnlyRefusal, moveLockKeySql, TenantMovingError } from './cells/tenant-moving.ts';
import { databaseErrorCode } from './database-errors.ts';
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
 *
 * `db` is the control database; the transaction runs on the cell that holds the organisation
 * (cellsOf(db)), which for a single-database install is that same database.
 */
export async function withTenantDb<T>(db: Db, tenant: TenantRef, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return runTenantTransaction(db, tenant, (tx) => fn(tx));
}

/** The row the opening statement answers with. */
interface Opened {
  present: boolean;
  writable: boolean;
}

/** Raised inside the transaction when a cached placement led to a cell without the schema. */
class StalePlacement extends Error {}

/**
 * withTenantDb, also handing fn the transaction's own pg client (COPY FROM STDIN must run on it).
 *
 * One statement, sent with BEGIN, binds the schema and checks two things on the cell:
 * - the schema is there: if not, the organisation may have moved (a cached or just-read placement);
 *   the cache entry is dropped and the transaction runs again on the cell the control plane names
 *   (a move renames the old copy away before it switches, so no stale route can write it);
 * - the move lock (shared): when a move holds it, the transaction is made read-only instead, so
 *   reads go on from the frozen copy and a write fails, and is reported as TenantMovingError.
 */
export async function runTenantTransaction<T>(
  db: Db,
  tenant: TenantRef,
  fn: (tx: Tx, client: pg.PoolClient | undefined) => Promise<T>,
  opts: { destroyOnError?: boolean; retry?: boolean } = {},
): Promise<T> {
  if (!tenant?.organizationId) throw new Error('withTenantDb: no tenant context');
  const organizationId = tenant.organizationId;
  const schema = tenantSchema(organizationId);
  const cells = cellsOf(db);
  // The schema name is tenant_<hex> (tenantSchema), so it is safe as a literal; as one, it goes
  // to PostgreSQL with BEGIN in a single round trip.
  const opening = `select set_config('search_path', '${schema}', true),
    to_regnamespace('${schema}') is not null as present,
    case when pg_try_advisory_xact_lock_shared(${moveLockKeySql(schema)}) then true
      else set_config('transaction_read_only', 'on', true) is null end as writable`;
  for (let attempt = 0; ; attempt++) {
    const { cell } = await cells.placementOf(organizationId);
    const cellDb = await cellDbOf(cells, db, cell);
    let readOnly = false;
    try {
      // A deadlock or serialisation failure rolls everything back: fn runs again in a new transaction.
      const once = () =>
        pooledTransaction(
          cellDb,
          async (tx, client) => {
            const result = await fn(tx, client);
            // The request's Idempotency-Key is marked committed with the change, or not at all.
            await markIdempotentCommit(tx);
            return result;
          },
          opening,
          {
            destroyOnError: opts.destroyOnError,
            onOpened: (row) => {
              const opened = row as unknown as Opened | undefined;
              readOnly = opened?.writable === false;
              // A cached answer can be stale, and so can a fresh one read just before a switch:
              // ask the control plane again. A schema still missing after that behaves as before
              // cells (the queries fail on the missing tables).
              if (opened && !opened.present) {
                // Missing while a move holds the lock: the switch is under way (the old copy is
                // renamed, the control plane not yet switched). Refused like any paused write.
                if (!opened.writable) throw new TenantMovingError(organizationId);
                if (attempt < 2) throw new StalePlacement();
              }
            },
          },
        );
      return await (opts.retry === false ? once() : retryTransaction(once));
    } catch (err) {
      if (err instanceof StalePlacement) {
        cells.invalidate(organizationId);
        continue;
      }
      if (readOnly && isReadOnlyRefusal(err)) throw new TenantMovingError(organizationId);
      // Opened during a move, then the switch renamed the schema away under it: run it again,
      // where the organisation is now (or answer tenant_moving while the switch is under way).
      if (readOnly && databaseErrorCode(err) === '42P01') {
        if (attempt >= 2) throw new TenantMovingError(organizationId);
        cells.invalidate(organizationId);
        continue;
      }
      throw err;
    }
  }
}

/** The main cell runs on the caller's own Db (it may be a single-client Drizzle in a test). */
async function cellDbOf(cells: CellRegistry, controlDb: Db, cell: string): Promise<Db> {
  if (cell === 'main') return controlDb;
  return (await cells.cell(cell)).database.db;
}
