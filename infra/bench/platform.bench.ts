import { migrateAll, migrationFiles, provisionTenant } from '@medstock/db';
import { benchApp, loadTest, table } from './harness.ts';

/**
 * Issue 2 figures: authenticated read latency with 1 tenant and with 1,000 tenant schemas in the
 * same database; provisioning time per tenant; time to migrate 1,000 tenants.
 */
export async function run(opts: { tenants?: number; seconds?: number } = {}) {
  const tenants = opts.tenants ?? 1000;
  const durationMs = (opts.seconds ?? 5) * 1000;
  const bench = await benchApp('platform');
  const { deps, base, headers } = bench;
  try {
    const read = async () => (await fetch(`${base}/v1/sites`, { headers })).status === 200;

    const one = await loadTest(1, durationMs, read);

    const client = await deps.database.pool.connect();
    const t0 = performance.now();
    for (let i = 1; i < tenants; i++) {
      await client.query('begin');
      const { rows } = await client.query<{ id: string }>(
        'insert into control.organizations (name) values ($1) returning id',
        [`Tenant ${i}`],
      );
      await provisionTenant(client, rows[0]!.id);
      await client.query('commit');
    }
    const provisionMs = (performance.now() - t0) / Math.max(1, tenants - 1);
    client.release();

    const many = await loadTest(1, durationMs, read);
    const concurrent = await loadTest(16, durationMs, read);

    const extra = {
      name: '9999_bench_upgrade.sql',
      sql: 'ALTER TABLE sites ADD COLUMN bench_note text; CREATE INDEX sites_bench_note ON sites (bench_note);',
    };
    const m0 = performance.now();
    const report = await migrateAll(deps.database.pool, {
      tenantFiles: [...migrationFiles('tenant'), extra],
    });
    const migrateS = (performance.now() - m0) / 1000;

    const rows = [
      { measure: 'GET /v1/sites p50 (ms), 1 tenant', value: one.p50 },
      { measure: 'GET /v1/sites p99 (ms), 1 tenant', value: one.p99 },
      { measure: `GET /v1/sites p50 (ms), ${tenants} tenant schemas`, value: many.p50 },
      { measure: `GET /v1/sites p99 (ms), ${tenants} tenant schemas`, value: many.p99 },
      { measure: `p50 ratio ${tenants} / 1 tenant`, value: Math.round((many.p50 / one.p50) * 100) / 100 },
      { measure: `p99 ratio ${tenants} / 1 tenant`, value: Math.round((many.p99 / one.p99) * 100) / 100 },
      { measure: `GET /v1/sites req/s at 16 clients, ${tenants} schemas`, value: concurrent.rps },
      {
        measure: 'provisioning per tenant (ms, schema + migrations)',
        value: Math.round(provisionMs * 10) / 10,
      },
      {
        measure: `migrate ${report.tenants.length} tenants, one new migration (s)`,
        value: Math.round(migrateS * 100) / 100,
      },
      { measure: 'tenants failed in that migration', value: report.failed },
    ];
    console.log(`\n## Platform (issue 2)\n\n${table(rows)}\n`);
    return rows;
  } finally {
    await bench.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  await run({ tenants: Number(process.env.BENCH_TENANTS ?? 1000) });
