import { parseArgs } from 'node:util';
import { importTenant } from '../tenant-lifecycle/import-tenant.ts';
import { withControlDatabase } from './tenant-cli-support.ts';

/** pnpm tenant import <archive> [--as-new] [--cell <cell>] */
export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'as-new': { type: 'boolean', default: false }, cell: { type: 'string' } },
  });
  const [archive] = positionals;
  if (!archive || positionals.length > 1) {
    console.error('usage: pnpm tenant import <archive> [--as-new] [--cell <cell>]');
    return 2;
  }
  return withControlDatabase('import', async (control) => {
    const r = await importTenant(control, archive, { asNew: values['as-new'], cell: values.cell });
    console.log(
      `restored ${r.organizationId} (${r.schema}): ${r.rows} rows; users ${r.usersLinked} linked, ${r.usersCreated} created; ` +
        `migrated after restore: ${r.migratedAfterRestore.length ? r.migratedAfterRestore.join(', ') : 'nothing (current)'}`,
    );
    return 0;
  });
}
