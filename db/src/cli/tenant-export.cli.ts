import { parseArgs } from 'node:util';
import { exportTenant } from '../tenant-lifecycle/export-tenant.ts';
import { withControlDatabase } from './tenant-cli-support.ts';

/** pnpm tenant export <org> [--out <file>] [--with-password-hashes] */
export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' }, 'with-password-hashes': { type: 'boolean', default: false } },
  });
  const [org] = positionals;
  if (!org || positionals.length > 1) {
    console.error('usage: pnpm tenant export <org> [--out <file>] [--with-password-hashes]');
    return 2;
  }
  const out = values.out ?? `${org}-${new Date().toISOString().replace(/[:.]/g, '-')}.medstock.tar.gz`;
  return withControlDatabase('export', async (control) => {
    const m = await exportTenant(control, org, out, {
      includePasswordHashes: values['with-password-hashes'],
    });
    const rows = m.tenantTables.reduce((n, t) => n + t.rows, 0);
    console.log(
      `exported ${org} to ${out}: ${m.tenantTables.length} tenant tables, ${rows} rows, level ${m.tenantMigrations.at(-1)}` +
        (m.passwordHashes ? ', with password hashes' : ', without password hashes'),
    );
    return 0;
  });
}
