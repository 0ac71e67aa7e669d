import { userInfo } from 'node:os';
import pg from 'pg';
import { ArchiveError } from '../tenant-lifecycle/archive-format.ts';
import { TenantDeletionError } from '../tenant-lifecycle/delete-tenant.ts';

/** The control-plane pool of a lifecycle command (DATABASE_URL), closed when the command ends. */
export async function withControlPool(
  command: string,
  fn: (pool: pg.Pool) => Promise<number>,
): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error(`tenant ${command}: DATABASE_URL is not set`);
    return 2;
  }
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    return await fn(pool);
  } catch (err) {
    // Refusals the operator can act on are one line; anything else keeps its stack.
    if (err instanceof ArchiveError || err instanceof TenantDeletionError) {
      console.error(`tenant ${command}: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await pool.end();
  }
}

/** Who runs the command, for the erasure record: MEDSTOCK_OPERATOR, else the system account. */
export const operator = () => process.env.MEDSTOCK_OPERATOR || `cli:${userInfo().username}`;
