import { parseArgs } from 'node:util';
import { loadConfig } from '@medstock/config';
import { createDatabase, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { runBacktest } from '../backtest/run-backtest.ts';

const USAGE =
  'usage: pnpm backtest --tenant <id> --from YYYY-MM-DD --to YYYY-MM-DD [--step daily|weekly|monthly] [--horizon <days>] [--lead-time recorded|<days>] [--rows]';

/**
 * Runs a backtest in this process (no worker needed) and prints the summary (and the rows as CSV,
 * with item, site and location codes). The same parameters as POST /v1/backtests: the horizon
 * in days (default 30), the lead time as recorded at each as-of date or a fixed number of days.
 */
const { values } = parseArgs({
  options: {
    tenant: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    step: { type: 'string', default: 'weekly' },
    horizon: { type: 'string', default: '30' },
    'lead-time': { type: 'string', default: 'recorded' },
    rows: { type: 'boolean', default: false },
  },
});
const horizon = Number(values.horizon);
const leadTime = values['lead-time']!;
const fixedDays = leadTime === 'recorded' ? null : Number(leadTime);
if (
  !values.tenant ||
  !values.from ||
  !values.to ||
  !['daily', 'weekly', 'monthly'].includes(values.step!) ||
  !Number.isInteger(horizon) ||
  horizon < 1 ||
  horizon > 366 ||
  (fixedDays !== null && !(Number.isInteger(fixedDays) && fixedDays >= 0 && fixedDays <= 730))
) {
  console.error(USAGE);
  process.exit(2);
}
const config = loadConfig();
const database = createDatabase(config.DATABASE_URL, 2);
const tenant = { organizationId: values.tenant };
const runId = await withTenantDb(database.db, tenant, async (tx) => {
  const r = await tx.execute<{ id: string }>(
    sql`insert into backtest_runs (from_date, to_date, step, horizon_days, lead_time_mode, lead_time_days)
        values (${values.from}, ${values.to}, ${values.step}, ${horizon}, ${fixedDays === null ? 'recorded' : 'fixed'}, ${fixedDays})
        returning id`,
  );
  return r.rows[0]!.id;
});
const summary = await runBacktest(database, values.tenant, runId);
console.log(JSON.stringify({ runId, ...summary }, null, 2));
if (values.rows) {
  const rows = await withTenantDb(database.db, tenant, (tx) =>
    tx.execute<Record<string, unknown>>(
      sql`select i.code as item_code, s.code as site_code, l.code as location_code, to_char(b.as_of, 'YYYY-MM-DD') as as_of,
                 b.position, b.lead_time_days, b.model, b.p_before_receipt, b.p_within_horizon, b.alert_raised, b.outcome, b.months_of_stock
            from backtest_rows b join items i on i.id = b.item_id join locations l on l.id = b.location_id join sites s on s.id = l.site_id
           where b.run_id = ${runId} order by i.code, s.code, l.code, b.as_of`,
    ),
  );
  console.log(
    'item_code,site_code,location_code,as_of,position,lead_time_days,model,p_before_receipt,p_within_horizon,alert_raised,outcome,months_of_stock',
  );
  // Codes may hold commas: quote every text field.
  const field = (v: unknown) => (typeof v === 'string' ? `"${v.replaceAll('"', '""')}"` : (v ?? ''));
  for (const r of rows.rows) console.log(Object.values(r).map(field).join(','));
}
await database.close();
