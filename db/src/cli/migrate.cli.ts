import { parseArgs } from 'node:util';
import pg from 'pg';
import { migrateAll } from '../migrate/migrator.ts';

/**
 * pnpm migrate [--tenant <id>] [--from <id>] [--limit <n>] [--dry-run]
 * Upgrades the control plane, then every tenant schema in id order; prints one line per tenant
 * and exits 1 when any tenant failed.
 */
const { values } = parseArgs({
  options: {
    tenant: { type: 'string' },
    from: { type: 'string' },
    limit: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  },
});

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('migrate: DATABASE_URL is not set');
  process.exit(2);
}
const limit = values.limit === undefined ? undefined : Number(values.limit);
if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
  console.error('migrate: --limit must be a non-negative integer');
  process.exit(2);
}

const pool = new pg.Pool({ connectionString: url, max: 1 });
try {
  const report = await migrateAll(pool, {
    tenant: values.tenant,
    from: values.from,
    limit,
    dryRun: values['dry-run'],
    onTenant: (r) =>
      console.log(
        r.ok
          ? `ok      ${r.organizationId} ${r.applied.length ? r.applied.join(', ') : '(up to date)'}`
          : `FAILED  ${r.organizationId} ${r.error}`,
      ),
  });
  const verb = values['dry-run'] ? 'would apply' : 'applied';
  console.log(`control: ${verb} ${report.control.length ? report.control.join(', ') : 'nothing'}`);
  console.log(`tenants: ${report.tenants.length - report.failed} ok, ${report.failed} failed`);
  process.exitCode = report.failed > 0 ? 1 : 0;
} finally {
  await pool.end();
}
