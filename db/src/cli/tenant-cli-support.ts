import { userInfo } from 'node:os';
import { cellsOf } from '../cells/cell-registry.ts';
import { createDatabase, type Database } from '../pool.ts';
import { ArchiveError } from '../tenant-lifecycle/archive-format.ts';
import { TenantDeletionError } from '../tenant-lifecycle/delete-tenant.ts';

/** The control database of a lifecycle command (DATABASE_URL), closed when the command ends. */
export async function withControlDatabase(
  command: string,
  fn: (control: Database) => Promise<number>,
): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error(`tenant ${command}: DATABASE_URL is not set`);
    return 2;
  }
  const control = createDatabase(url, 2);
  try {
    return await fn(control);
  } catch (err) {
    // Refusals the operator can act on are one line; anything else keeps its stack.
    if (err instanceof ArchiveError || err instanceof TenantDeletionError) {
      console.error(`tenant ${command}: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    // The pools of other cells a command opened, then the control database's.
    await cellsOf(control.db).close();
    await control.close();
  }
}

/** Who runs the command, for the erasure record: MEDSTOCK_OPERATOR, else the system account. */
export const operator = () => process.env.MEDSTOCK_OPERATOR || `cli:${userInfo().username}`;
