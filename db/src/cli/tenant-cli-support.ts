import { userInfo } from 'node:os';
import { attachCells, type CellRegistry } from '../cells/cell-registry.ts';
import { createDatabase, type Database } from '../pool.ts';
import { ArchiveError } from '../tenant-lifecycle/archive-format.ts';
import { TenantDeletionError } from '../tenant-lifecycle/delete-tenant.ts';

/**
 * The control database of a `pnpm tenant` command (DATABASE_URL) with its cell registry, both
 * closed when the command ends. A refusal the operator can act on (an unknown cell, an archive
 * that does not verify, an organisation still in its grace period) is one line and exit 1;
 * anything else keeps its stack.
 */
export async function withControlDatabase(
  command: string,
  fn: (control: Database, cells: CellRegistry) => Promise<number>,
): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error(`tenant ${command}: DATABASE_URL is not set`);
    return 2;
  }
  const control = createDatabase(url, 2);
  const cells = attachCells(control);
  try {
    return await fn(control, cells);
  } catch (err) {
    if (isOperatorRefusal(err)) {
      console.error(`tenant ${command}: ${(err as Error).message}`);
      return 1;
    }
    throw err;
  } finally {
    // The pools of other cells a command opened, then the control database's.
    await cells.close();
    await control.close();
  }
}

// Database and network failures are not refusals: their stack says where they happened.
const isOperatorRefusal = (err: unknown) =>
  err instanceof ArchiveError ||
  err instanceof TenantDeletionError ||
  (err instanceof Error && err.constructor === Error && !('code' in err));

/** Who runs the command, for the erasure record: MEDSTOCK_OPERATOR, else the system account. */
export const operator = () => process.env.MEDSTOCK_OPERATOR || `cli:${userInfo().username}`;
