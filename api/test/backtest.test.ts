import { withTenantDb } from '@medstock/db';
import { JOB_REGISTRY, type RunningWorker, startWorker } from '@medstock/worker';
import { runBacktest } from '@medstock/worker/backtest/run-backtest.ts';
import type { JobDefinition } from '@medstock/worker/jobs/job-context.ts';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { insertSupplier } from './support/purchasing-fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The backtest end to end, as a clinic that keeps monthly reports would use it: twelve monthly
 * stock reports (opening, received, issued, losses, closing count, stock-out days) go in through
 * POST /v1/stock-reports (local days of the organisation, Asia/Shanghai), a monthly backtest runs in the worker, and the rows
 * must carry the counted positions, classify each month's outcome (a new stock-out, already out,
 * none), name their codes, use only the lead times known at each date, and the summary must score
 * the engine beside the months-of-stock rule and the naive / 3-period-mean forecasts.
 */
let t: TestApp;
let running: RunningWorker;
let owner: SignedUp;
let locationId: string;
let wardId: string;
let item: string;

const noop: JobDefinition = { description: 'not under test', handle: async () => undefined };

/** Month k (1-based) of the history: month 12 is two months before the current one. */
const now = new Date();
const month = (k: number) => {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 14 + k, 1));
  return d.toISOString().slice(0, 7);
};
const lastDay = (k: number) => {
  const [y, m] = month(k).split('-').map(Number) as [number, number];
  return `${month(k)}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
};
/** A local time of day in Shanghai, as the clinic's staff record it. */
const at = (day: string, hour: string) => `${day}T${hour}:00+08:00`;

/** Each month's report: received, issued (both posted on the last day) and the month-end count. */
const REPORTS: Array<{ received: number; issued: number; count: number }> = [
  { received: 100, issued: 60, count: 40 },
  { received: 50, issued: 70, count: 18 }, // and 2 damaged
  { received: 0, issued: 18, count: 0 }, // ran out
  { received: 0, issued: 0, count: 0 }, // still out
  { received: 120, issued: 50, count: 70 },
  { received: 0, issued: 45, count: 25 },
  { received: 60, issued: 55, count: 30 },
  { received: 0, issued: 30, count: 0 }, // ran out again
  { received: 100, issued: 40, count: 60 },
  { received: 0, issued: 35, count: 25 },
  { received: 50, issued: 40, count: 35 },
  { received: 0, issued: 30, count: 5 },
];

async function runToEnd(payload: Record<string, unknown>) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/backtests',
    headers: owner.headers,
    payload,
  });
  expect(res.statusCode, res.body).toBe(202);
  const id = res.json().id as string;
  let run: any;
  const end = Date.now() + 120_000;
  while (Date.now() < end) {
    run = (await t.app.inject({ method: 'GET', url: `/v1/backtests/${id}`, headers: owner.headers })).json();
    if (run.status === 'succeeded' || run.status === 'failed') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(run.status, run.error).toBe('succeeded');
  const rows: any[] = [];
  let cursor: string | null = null;
  do {
    const page: any = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/backtests/${id}/rows?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
        headers: owner.headers,
      })
    ).json();
    rows.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return { run, rows };
}

beforeAll(async () => {
  t = await startTestApp();
  running = await startWorker(t.config, {
    registry: { ...JOB_REGISTRY, recalculate: noop, 'recalculate-drain': noop, housekeeping: noop },
  });
  owner = await signUp(t);
  const store = await centralStore(t, owner.headers);
  locationId = store.locationId;
  const ward = await t.app.inject({
    method: 'POST',
    url: `/v1/sites/${store.siteId}/locations`,
    headers: owner.headers,
    payload: { code: 'WARD-7', name: 'Ward 7', kind: 'ward' },
  });
  expect(ward.statusCode, ward.body).toBe(201);
  wardId = ward.json().id;
  item = await insertItem(t, owner.organizationId, { code: 'GAUZE-10', ved: 'E' });

  // The supplier's terms: 21 days. One delivery, ordered in month 6 and received 9 days later.
  const supplier = await insertSupplier(t, owner.organizationId, { code: 'SUP-1' });
  await withTenantDb(t.deps.database.db, owner, async (tx) => {
    await tx.execute(
      sql`insert into item_suppliers (item_id, supplier_id, nominal_lead_time_days, preferred) values (${item}, ${supplier}, 21, true)`,
    );
    await tx.execute(sql`
      insert into lead_time_observations (supplier_id, item_id, ordered_at, received_at, lead_time_days)
      values (${supplier}, ${item}, ${at(`${month(6)}-10`, '10:00')}::timestamptz, ${at(`${month(6)}-19`, '10:00')}::timestamptz, 9)`);
  });

  // The twelve monthly reports (库存月报), as the clinic files them: one batch through the API.
  const reports = REPORTS.map((r, i) => ({
    itemCode: 'GAUZE-10',
    locationId,
    periodStart: `${month(i + 1)}-01`,
    periodEnd: lastDay(i + 1),
    opening: i === 0 ? 0 : REPORTS[i - 1]!.count,
    received: r.received,
    issued: r.issued,
    losses: i === 1 ? 2 : 0, // month 2: 2 damaged, so the count is 18
    ...(i === 1 ? { lossesReason: '破损' } : {}),
    closingCount: r.count,
    stockoutDays: r.count === 0 && r.issued === 0 ? Number(lastDay(i + 1).slice(8)) : 0,
  }));
  const posted = await t.app.inject({
    method: 'POST',
    url: '/v1/stock-reports',
    headers: owner.headers,
    payload: { reports },
  });
  expect(posted.statusCode, posted.body).toBe(201);
  // Every report balanced: opening + received − issued − losses = the count.
  for (const r of posted.json().reports) expect(r.report.variance).toBe(0);
  // The ward has an issue history and was never counted: its stock is unknown, not zero.
  await withTenantDb(t.deps.database.db, owner, async (tx) => {
    for (let k = 1; k <= 12; k++) {
      await tx.execute(sql`
        insert into movements (type, item_id, location_id, quantity, occurred_at, source)
        values ('issue', ${item}, ${wardId}, -10, ${at(`${month(k)}-15`, '09:00')}::timestamptz, 'import')`);
    }
  });
}, 120_000);
afterAll(async () => {
  await running?.close();
  await t?.close();
});

describe('a monthly backtest over monthly reports with counts', () => {
  let run: any;
  let rows: any[];
  beforeAll(async () => {
    ({ run, rows } = await runToEnd({
      from: `${month(2)}-01`,
      to: `${month(12)}-01`,
      step: 'monthly',
      horizonPeriods: 1,
    }));
  }, 150_000);

  it('names its parameters: a one-month horizon of 31 days, lead times as recorded', () => {
    expect(run).toMatchObject({
      format: 2,
      step: 'monthly',
      horizonDays: 31,
      horizonPeriods: 1,
      leadTime: { mode: 'recorded', days: null },
      scope: 'organization',
    });
    expect(run.summary.parameters).toEqual({
      from: `${month(2)}-01`,
      to: `${month(12)}-01`,
      step: 'monthly',
      horizonDays: 31,
      leadTime: { mode: 'recorded' },
    });
  });

  it('rows carry the month-end counts as positions and the outcome of the month that followed', () => {
    const store = rows
      .filter((r) => r.locationId === locationId)
      .sort((a, b) => a.asOf.localeCompare(b.asOf));
    expect(store.map((r) => r.asOf)).toEqual(Array.from({ length: 11 }, (_, i) => `${month(i + 2)}-01`));
    // The position at each as-of date is the count at the end of the month before.
    expect(store.map((r) => r.position)).toEqual(REPORTS.slice(0, 11).map((r) => r.count));
    expect(store.map((r) => r.outcome)).toEqual([
      'none', // 40: +50 −70 −2 damaged → 18
      'new_stockout', // 18, all issued
      'already_out',
      'already_out',
      'none',
      'none',
      'new_stockout', // 30, all issued
      'already_out',
      'none',
      'none',
      'none',
    ]);
    // A site at zero is always alarming, and its probability is 1, never a guess.
    for (const r of store.filter((x) => x.outcome === 'already_out')) {
      expect(r.alertRaised).toBe(true);
      expect(r.pWithinHorizon).toBe(1);
    }
    expect(store[0]).toMatchObject({
      itemCode: 'GAUZE-10',
      itemNameZh: '耗材 GAUZE-10',
      siteCode: expect.any(String),
      locationCode: 'CENTRAL',
      locationName: expect.any(String),
    });
    // Each forecast period has its quantiles and the demand that happened; from three months of
    // history on, every row has a forecast.
    for (const r of store.slice(2)) expect(r.forecast.length, r.asOf).toBeGreaterThan(0);
    for (const r of store) for (const p of r.forecast) expect(p.quantiles).toHaveLength(5);
    expect(store.at(-1).forecast.some((p: { actual: number | null }) => p.actual !== null)).toBe(true);
  });

  it('uses only the lead times known at each as-of date', () => {
    const store = rows.filter((r) => r.locationId === locationId);
    const received = `${month(6)}-19`;
    // Before the delivery was received: the terms (21 days); after it: terms and observation blended.
    for (const r of store.filter((x) => x.asOf <= received)) expect(r.leadTimeDays, r.asOf).toBe(21);
    for (const r of store.filter((x) => x.asOf > received)) expect(r.leadTimeDays, r.asOf).toBe(18);
  });

  it('an uncounted ward is unknown: no position, no probability, no outcome (null, never 0)', () => {
    const ward = rows.filter((r) => r.locationId === wardId);
    expect(ward).toHaveLength(11);
    for (const r of ward) {
      expect(r).toMatchObject({
        position: null,
        pBeforeReceipt: null,
        pWithinHorizon: null,
        outcome: 'unknown',
        alertRaised: false,
        locationCode: 'WARD-7',
      });
    }
  });

  it('the summary scores new stock-outs only, beside the months-of-stock rule and both forecast baselines', () => {
    const s = run.summary;
    expect(s.rows).toBe(22);
    expect(s.itemLocations).toBe(2);
    expect(s.outcomes).toEqual({ new_stockout: 2, already_out: 3, none: 6, unknown: 11 });
    // The engine and the rule are scored on the same rows: stock above zero, outcome known.
    expect(s.alerts.engine.rows).toBe(s.alerts.monthsOfStock.rows);
    expect(s.alerts.engine.rows).toBeGreaterThan(0);
    expect(s.alerts.engine.rows).toBeLessThanOrEqual(8);
    expect(s.alerts.monthsOfStock.newStockouts).toBe(s.alerts.engine.newStockouts);
    for (const who of ['engine', 'monthsOfStock']) {
      expect(s.alerts[who]).toHaveProperty('averagePrecision');
      expect(s.alerts[who]).toHaveProperty('recallAtPrecision25');
      expect(s.alerts[who]).toHaveProperty('recallAtPrecision35');
    }
    for (const who of ['engine', 'naive', 'mean3']) {
      expect(Object.keys(s.forecast[who]).sort()).toEqual(['mase', 'pinball', 'rmsse']);
    }
    expect(s.brier).toHaveProperty('baseRate');
    expect(s.calibration.length).toBeGreaterThan(0);
    expect(s.verdict.zh.length).toBeGreaterThan(0);
    expect(s.verdict.en.length).toBeGreaterThan(0);
  });

  it('a retried job replaces its rows, never duplicates them', async () => {
    const again = await runBacktest(t.deps.database, owner.organizationId, run.id);
    expect(again.rows).toBe(22);
    const [count] = await withTenantDb(
      t.deps.database.db,
      owner,
      async (tx) =>
        (
          await tx.execute<{ n: number }>(
            sql`select count(*)::int as n from backtest_rows where run_id = ${run.id}`,
          )
        ).rows,
    );
    expect(count!.n).toBe(22);
    const after = (
      await t.app.inject({ method: 'GET', url: `/v1/backtests/${run.id}`, headers: owner.headers })
    ).json();
    expect(after).toMatchObject({
      status: 'succeeded',
      summary: { rows: 22, outcomes: run.summary.outcomes },
    });
  });

  it('rows filter by outcome and item code; the CSV names codes', async () => {
    const out = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/backtests/${run.id}/rows?outcome=new_stockout`,
        headers: owner.headers,
      })
    ).json();
    expect(out.items.map((r: any) => r.asOf).sort()).toEqual([`${month(3)}-01`, `${month(8)}-01`]);
    const none = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/backtests/${run.id}/rows?itemCode=NOT-THERE`,
        headers: owner.headers,
      })
    ).json();
    expect(none.items).toEqual([]);
    const csv = await t.app.inject({
      method: 'GET',
      url: `/v1/backtests/${run.id}/rows?format=csv&locationId=${locationId}`,
      headers: owner.headers,
    });
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]!.split(',').slice(0, 8)).toEqual([
      'item_code',
      'item_name_zh',
      'item_name_en',
      'site_code',
      'site_name',
      'location_code',
      'location_name',
      'as_of',
    ]);
    expect(lines).toHaveLength(12);
    expect(lines[2]).toContain('GAUZE-10');
    expect(lines[2]).toContain('new_stockout');
  });
});

describe('a fixed lead time', () => {
  it('is the lead time of every row', async () => {
    const { run, rows } = await runToEnd({
      from: `${month(4)}-01`,
      to: `${month(6)}-01`,
      step: 'monthly',
      leadTime: { mode: 'fixed', days: 31 },
    });
    // No horizon given with a monthly step: one period, 31 days, so month-end counts fall inside.
    expect(run.horizonDays).toBe(31);
    expect(run.leadTime).toEqual({ mode: 'fixed', days: 31 });
    expect(run.summary.parameters.leadTime).toEqual({ mode: 'fixed', days: 31 });
    expect(rows).toHaveLength(6);
    for (const r of rows) expect(r.leadTimeDays).toBe(31);
  }, 150_000);
});

describe('bad parameters', () => {
  const today = new Date().toISOString().slice(0, 10);
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ['from after to', { from: '2025-03-01', to: '2025-02-01' }, 'invalid_period', 'body:/to'],
    ['to within the horizon', { from: '2025-03-01', to: today }, 'invalid_period', 'body:/to'],
    [
      'both horizons',
      { from: '2025-01-01', to: '2025-02-01', horizonDays: 30, horizonPeriods: 1 },
      'horizon_conflict',
      'body:/horizonPeriods',
    ],
    [
      'a horizon of 13 months',
      { from: '2024-01-01', to: '2024-02-01', step: 'monthly', horizonPeriods: 13 },
      'horizon_too_long',
      'body:/horizonPeriods',
    ],
    [
      'a fixed lead time without days',
      { from: '2025-01-01', to: '2025-02-01', leadTime: { mode: 'fixed' } },
      'lead_time_days_required',
      'body:/leadTime/days',
    ],
    [
      'days with a recorded lead time',
      { from: '2025-01-01', to: '2025-02-01', leadTime: { mode: 'recorded', days: 3 } },
      'lead_time_days_unexpected',
      'body:/leadTime/days',
    ],
    [
      'three years of daily dates',
      { from: '2021-01-01', to: '2024-01-01', step: 'daily' },
      'too_many_dates',
      'body:/from',
    ],
  ];
  it.each(cases)('%s: 422 with a field error', async (_name, payload, code, field) => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/backtests', headers: owner.headers, payload });
    expect(r.statusCode, r.body).toBe(422);
    expect(r.headers['content-type']).toContain('application/problem+json');
    const body = r.json();
    expect(body.code).toBe(code);
    expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, code })]));
  });

  it.each([
    ['a zero horizon', { from: '2025-01-01', to: '2025-02-01', horizonDays: 0 }],
    ['a horizon over a year', { from: '2025-01-01', to: '2025-02-01', horizonDays: 367 }],
    ['an unknown step', { from: '2025-01-01', to: '2025-02-01', step: 'hourly' }],
    ['an unknown lead-time mode', { from: '2025-01-01', to: '2025-02-01', leadTime: { mode: 'guess' } }],
    [
      'a negative fixed lead time',
      { from: '2025-01-01', to: '2025-02-01', leadTime: { mode: 'fixed', days: -1 } },
    ],
    ['not a date', { from: '2025-13-01', to: '2025-02-01' }],
  ])('%s: a validation problem, never a 500', async (_name, payload) => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/backtests', headers: owner.headers, payload });
    expect([400, 422]).toContain(r.statusCode);
    expect(r.json().errors?.length).toBeGreaterThan(0);
  });
});
