import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { benchApp, loadTest, table } from './harness.ts';

/**
 * Issue 3 figure (2): single-movement POST under 32 concurrent clients (requests/s and p99),
 * beside an authenticated no-op route of the same app in the same run. Each client issues one
 * piece at a time of its own item (FEFO over three lots), so the figure measures the ledger path,
 * not contention on one row; a second run has all 32 clients on one item.
 */
export async function run(opts: { seconds?: number; clients?: number } = {}) {
  const clients = opts.clients ?? 32;
  const durationMs = (opts.seconds ?? 8) * 1000;
  const bench = await benchApp('movements');
  const { deps, base, headers } = bench;
  try {
    const org = { organizationId: bench.organizationId };
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
    const noop = await loadTest(
      clients,
      durationMs,
      async () => (await fetch(`${base}/v1/ping`, { headers })).status === 200,
    );
    const post = (item: (w: number) => string) => async (w: number) =>
      (
        await fetch(`${base}/v1/movements`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ type: 'issue', itemId: item(w), locationId, quantity: 1 }),
        })
      ).status === 201;
    const spread = await loadTest(
      clients,
      durationMs,
      post((w) => itemIds[w]!),
    );
    const hot = await loadTest(
      clients,
      durationMs,
      post(() => itemIds[0]!),
    );
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
        route: 'movement POST rate / no-op rate',
        'req/s': Math.round((spread.rps / noop.rps) * 100) / 100,
        'p50 ms': '',
        'p99 ms': '',
        errors: '',
      },
    ];
    console.log(`\n## Movement POST under load (issue 3)\n\n${table(rows)}\n`);
    return rows;
  } finally {
    await bench.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  await run({ seconds: Number(process.env.BENCH_SECONDS ?? 8) });
