import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { countPoolStatements } from '../../api/test/support/count-statements.ts';
import { benchApp, type LoadResult, loadTest, table } from './harness.ts';

const HISTORY_DAYS = 730;
const ROUNDS = 4;

/**
 * Each of `fns` for `sliceMs`, in turn, `rounds` times. Per fn: the rate over all its slices,
 * the median of the slices' p50 and the worst slice's p99.
 */
async function interleaved(
  rounds: number,
  clients: number,
  sliceMs: number,
  fns: ((w: number) => Promise<boolean>)[],
): Promise<LoadResult[]> {
  const slices: LoadResult[][] = fns.map(() => []);
  for (let r = 0; r < rounds; r++)
    for (const [i, fn] of fns.entries()) slices[i]!.push(await loadTest(clients, sliceMs, fn, 300));
  return slices.map((s) => {
    const requests = s.reduce((a, x) => a + x.requests, 0);
    const seconds = s.reduce((a, x) => a + x.seconds, 0);
    const p50s = s.map((x) => x.p50).sort((a, b) => a - b);
    return {
      requests,
      errors: s.reduce((a, x) => a + x.errors, 0),
      seconds,
      rps: Math.round(requests / seconds),
      p50: p50s[Math.floor(p50s.length / 2)]!,
      p95: Math.max(...s.map((x) => x.p95)),
      p99: Math.max(...s.map((x) => x.p99)),
    };
  });
}

/**
 * A ledger of a realistic size before the load: `rows` history rows over every location, set-based
 * (one receipt per item-location, then a daily issue for HISTORY_DAYS days), each item-location's
 * stock row the sum of its movements so the ledger invariant holds. Returns the ledger's size.
 */
async function seedLedger(
  deps: Awaited<ReturnType<typeof benchApp>>['deps'],
  organizationId: string,
  rows: number,
) {
  return withTenantDb(deps.database.db, { organizationId }, async (tx) => {
    const locs = await tx.execute<{ n: number }>(sql`select count(*)::int as n from locations`);
    const items = Math.max(1, Math.ceil(rows / (locs.rows[0]!.n * (HISTORY_DAYS + 1))));
    await tx.execute(sql`
      insert into items (code, name_zh, name_en, base_unit)
      select 'H-' || g, '历史耗材 ' || g, 'History item ' || g, 'piece' from generate_series(1, ${items}) g`);
    await tx.execute(sql`
      insert into lots (item_id, lot_number, expiry_date)
      select id, 'H', current_date + 3650 from items where code like 'H-%'`);
    await tx.execute(sql`
      insert into movements (type, item_id, location_id, lot_id, quantity, source, occurred_at)
      select 'receipt', i.id, l.id, lo.id, 100000, 'import', now() - ${HISTORY_DAYS + 1} * interval '1 day'
        from items i join lots lo on lo.item_id = i.id cross join locations l where i.code like 'H-%'`);
    await tx.execute(sql`
      insert into movements (type, item_id, location_id, lot_id, quantity, source, occurred_at)
      select 'issue', i.id, l.id, lo.id, -(1 + (i.id_hash + d) % 9), 'import', now() - d * interval '1 day'
        from (select id, abs(hashtext(code)) as id_hash from items where code like 'H-%') i
        join lots lo on lo.item_id = i.id cross join locations l cross join generate_series(1, ${HISTORY_DAYS}) d`);
    await tx.execute(sql`
      insert into stock (location_id, item_id, lot_id, on_hand)
      select m.location_id, m.item_id, m.lot_id, sum(m.quantity)
        from movements m join items i on i.id = m.item_id where i.code like 'H-%' group by 1, 2, 3`);
    await tx.execute(sql`analyze movements`);
    const n = await tx.execute<{ n: number }>(sql`select count(*)::int as n from movements`);
    return n.rows[0]!.n;
  });
}

/**
 * Issue 3 figure (2): single-movement POST under 32 concurrent clients (requests/s and p99),
 * beside an authenticated no-op route of the same app in the same run. Each client issues one
 * piece at a time of its own item (FEFO over three lots), so the figure measures the ledger path,
 * not contention on one row; a second run has all 32 clients on one item. The ledger holds about
 * BENCH_LEDGER_ROWS (default 1M) history rows first, so indexes and look-ups have a realistic size.
 */
export async function run(opts: { seconds?: number; clients?: number; ledgerRows?: number } = {}) {
  const clients = opts.clients ?? 32;
  const ledgerRows = opts.ledgerRows ?? Number(process.env.BENCH_LEDGER_ROWS ?? 1_000_000);
  const durationMs = (opts.seconds ?? 8) * 1000;
  const bench = await benchApp('movements');
  const { deps, base, headers } = bench;
  try {
    const org = { organizationId: bench.organizationId };
    const s0 = performance.now();
    const ledger = await seedLedger(deps, bench.organizationId, ledgerRows);
    console.log(
      `seeded a ledger of ${ledger.toLocaleString('en')} rows in ${Math.round((performance.now() - s0) / 1000)} s`,
    );
    const { locationId, itemIds } = await withTenantDb(deps.database.db, org, async (tx) => {
      const loc = await tx.execute<{ id: string }>(sql`select id from locations limit 1`);
      const ids: string[] = [];
      for (let i = 0; i < clients; i++) {
        const r = await tx.execute<{ id: string }>(
          sql`insert into items (code, name_zh, name_en, base_unit) values (${`B${i}`}, '耗材', 'item', 'piece') returning id`,
        );
        ids.push(r.rows[0]!.id);
      }
      return { locationId: loc.rows[0]!.id, itemIds: ids };
    });
    for (const itemId of itemIds) {
      for (const [lot, exp] of [
        ['A', '2030-01-31'],
        ['B', '2031-01-31'],
        ['C', '2032-01-31'],
      ]) {
        await fetch(`${base}/v1/movements`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            type: 'receipt',
            itemId,
            locationId,
            quantity: 10_000_000,
            lotNumber: lot,
            expiryDate: exp,
          }),
        });
      }
    }
    const ping = async () => (await fetch(`${base}/v1/ping`, { headers })).status === 200;
    const post = (item: (w: number) => string) => async (w: number) =>
      (
        await fetch(`${base}/v1/movements`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ type: 'issue', itemId: item(w), locationId, quantity: 1 }),
        })
      ).status === 201;
    // The no-op and the POST take turns in short slices, so a machine whose load changes during
    // the run (it is shared) weighs on both alike; the ratio is of the summed slices.
    const [noop, spread] = (await interleaved(ROUNDS, clients, durationMs / ROUNDS, [
      ping,
      post((w) => itemIds[w]!),
    ])) as [LoadResult, LoadResult];
    const hot = await loadTest(
      clients,
      durationMs,
      post(() => itemIds[0]!),
    );
    // PostgreSQL statements (round trips) per issue POST, audit entry included: sequential POSTs
    // counted at the pool, after a pause for the audit entries written after each response.
    const counter = countPoolStatements(deps.database.pool);
    const sample = 50;
    counter.start();
    for (let i = 0; i < sample; i++) await post(() => itemIds[i % clients]!)(0);
    await new Promise((r) => setTimeout(r, 500));
    const perPost = Math.round((counter.stop().length / sample) * 10) / 10;
    const rows = [
      {
        route: `GET /v1/ping (authenticated no-op), ${clients} clients`,
        'req/s': noop.rps,
        'p50 ms': noop.p50,
        'p99 ms': noop.p99,
        errors: noop.errors,
      },
      {
        route: `POST /v1/movements issue, ${clients} clients, own item each`,
        'req/s': spread.rps,
        'p50 ms': spread.p50,
        'p99 ms': spread.p99,
        errors: spread.errors,
      },
      {
        route: `POST /v1/movements issue, ${clients} clients, one shared item`,
        'req/s': hot.rps,
        'p50 ms': hot.p50,
        'p99 ms': hot.p99,
        errors: hot.errors,
      },
      {
        route: 'PostgreSQL statements per issue POST (auth and audit included)',
        'req/s': perPost,
        'p50 ms': '',
        'p99 ms': '',
        errors: '',
      },
      {
        route: 'movement POST rate / no-op rate',
        'req/s': Math.round((spread.rps / noop.rps) * 100) / 100,
        'p50 ms': '',
        'p99 ms': '',
        errors: '',
      },
    ];
    console.log(
      `\n## Movement POST under load (issues 3 and 10), ledger of ${ledger.toLocaleString('en')} rows\n\n${table(rows)}\n`,
    );
    return rows;
  } finally {
    await bench.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  await run({ seconds: Number(process.env.BENCH_SECONDS ?? 8) });
