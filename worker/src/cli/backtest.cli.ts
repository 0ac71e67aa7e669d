import { parseArgs } from 'node:util';
import { loadConfig } from '@medstock/config';
import { createDatabase, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { runBacktest } from '../backtest/run-backtest.ts';

/**
 * pnpm backtest --tenant <id> --from YYYY-MM-DD --to YYYY-MM-DD [--step daily|weekly|monthly] [--rows]
 * Runs a backtest in this process (no worker needed) and prints the summary (and the rows as CSV).
 */
const { values } = parseArgs({
  options: {
    tenant: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    step: { type: 'string', default: 'weekly' },
    rows: { type: 'boolean', default: false },
  },
});
if (!values.tenant || !values.from || !values.to || !['daily', 'weekly', 'monthly'].includes(values.step!)) {
  console.error(
    'usage: pnpm backtest --tenant <id> --from YYYY-MM-DD --to YYYY-MM-DD [--step daily|weekly|monthly] [--rows]',
  );
  process.exit(2);
}
const config = loadConfig();
const database = createDatabase(config.DATABASE_URL, 2);
const tenant = { organizationId: values.tenant };
const runId = await withTenantDb(database.db, tenant, async (tx) => {
  const r = await tx.execute<{ id: string }>(
    sql`insert into backtest_runs (from_date, to_date, step) values (${values.from}, ${values.to}, ${values.step}) returning id`,
  );
  return r.rows[0]!.id;
});
const summary = await runBacktest(database, values.tenant, runId);
console.log(JSON.stringify({ runId, ...summary }, null, 2));
if (values.rows) {
  const rows = await withTenantDb(database.db, tenant, (tx) =>
    tx.execute<Record<string, unknown>>(
      sql`select item_id, location_id, to_char(as_of, 'YYYY-MM-DD') as as_of, model, forecast_mean, actual_mean, stockout_probability, alert_raised, stockout_happened from backtest_rows where run_id = ${runId} order by item_id, location_id, as_of`,
    ),
  );
  console.log(
    'item_id,location_id,as_of,model,forecast_mean,actual_mean,stockout_probability,alert_raised,stockout_happened',
  );
  for (const r of rows.rows) console.log(Object.values(r).join(','));
}
await database.close();
