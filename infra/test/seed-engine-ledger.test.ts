import { organizationToday, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../api/test/support/test-app.ts';
import { createChain, type SeededLedger, seedEngineLedger } from '../bench/seed-engine-ledger.ts';

// The engine benchmark's figures are only as good as its ledger: check it is one the product
// could have written (the invariant, no negative stock, one issue a day) with the demand mix it claims.
const ITEMS = 10;
const DAYS = 400;
let t: TestApp;
let org: { organizationId: string };
let seeded: SeededLedger;
beforeAll(async () => {
  t = await startTestApp();
  const chain = await createChain(t.app, t.deps, 'seed-test');
  org = { organizationId: chain.organizationId };
  seeded = await seedEngineLedger(
    t.deps.database,
    t.databaseUrl,
    chain.organizationId,
    chain.locationIds,
    ITEMS,
    DAYS,
  );
});
afterAll(async () => {
  await t?.close();
});

const query = <T extends Record<string, unknown>>(q: ReturnType<typeof sql>) =>
  withTenantDb(t.deps.database.db, org, async (tx) => (await tx.execute<T>(q)).rows);

describe('the engine benchmark ledger', () => {
  it('stocks every item at three locations, on-hand = the sum of its movements per lot', async () => {
    expect(seeded.itemLocations).toBe(ITEMS * 3);
    const [r] = await query<{ rows: number; off: number }>(sql`
      select count(*)::int as rows,
             count(*) filter (where s.on_hand is distinct from m.q)::int as off
        from stock s full join (select location_id, item_id, lot_id, sum(quantity) as q from movements group by 1, 2, 3) m
          using (location_id, item_id, lot_id)`);
    expect(r).toEqual({ rows: ITEMS * 3, off: 0 });
  });

  it('never lets stock go below zero, and has at most one issue row per item-location and day', async () => {
    const [r] = await query<{ min_balance: number; max_issues: number }>(sql`
      select (select min(b) from (select sum(quantity) over (partition by item_id, location_id, lot_id order by occurred_at, id) as b
                                    from movements) x)::int as min_balance,
             (select max(n) from (select count(*) as n from movements where type = 'issue'
                                   group by item_id, location_id, (occurred_at at time zone 'Asia/Shanghai')::date) y)::int as max_issues`);
    expect(r!.min_balance).toBeGreaterThanOrEqual(0);
    expect(r!.max_issues).toBe(1);
  });

  it('covers the days requested, ending yesterday', async () => {
    const today = await withTenantDb(t.deps.database.db, org, (tx) => organizationToday(tx));
    const [r] = await query<{ first: string; last: string }>(sql`
      select to_char(min((occurred_at at time zone 'Asia/Shanghai')::date), 'YYYY-MM-DD') as first,
             to_char(max((occurred_at at time zone 'Asia/Shanghai')::date), 'YYYY-MM-DD') as last from movements`);
    const day = (n: number) =>
      new Date(Date.parse(`${today}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
    expect(r).toEqual({ first: day(DAYS), last: day(1) });
  });

  it('mixes smooth, weekly-seasonal and intermittent demand', async () => {
    // Items are numbered: n % 5 < 2 smooth, = 2 seasonal, > 2 intermittent.
    const rows = await query<{ kind: string; day_share: number; weekly_swing: number }>(sql`
      with issues as (
        select m.item_id, m.location_id, (m.occurred_at at time zone 'Asia/Shanghai')::date as d, -m.quantity as q,
               case when substr(i.code, 5)::int % 5 < 2 then 'smooth' when substr(i.code, 5)::int % 5 = 2 then 'seasonal'
                    else 'intermittent' end as kind
          from movements m join items i on i.id = m.item_id where m.type = 'issue'),
      by_il as (
        select kind, item_id, location_id, count(*)::float8 / ${DAYS} as day_share,
               (select max(a) / nullif(min(a), 0) from (select avg(q) as a from issues j
                   where j.item_id = i.item_id and j.location_id = i.location_id group by extract(dow from d)) w) as weekly_swing
          from issues i group by 1, 2, 3)
      select kind, min(day_share)::float8 as day_share, min(weekly_swing)::float8 as weekly_swing
        from by_il where kind <> 'intermittent' group by 1
      union all
      select kind, max(day_share), max(weekly_swing) from by_il where kind = 'intermittent' group by 1`);
    const k = Object.fromEntries(rows.map((r) => [r.kind, r]));
    expect(Object.keys(k).sort()).toEqual(['intermittent', 'seasonal', 'smooth']);
    // Smooth and seasonal series have demand nearly every day, intermittent ones on few days.
    expect(k.smooth!.day_share).toBeGreaterThan(0.8);
    expect(k.seasonal!.day_share).toBeGreaterThan(0.8);
    expect(k.intermittent!.day_share).toBeLessThan(0.4);
    // Seasonal: the busiest weekday's mean issue is well above the quietest's, for every series.
    expect(k.seasonal!.weekly_swing).toBeGreaterThan(1.3);
  });

  it('gives every item one preferred supplier with a lead time', async () => {
    const [r] = await query<{ items: number; with_supplier: number }>(sql`
      select (select count(*) from items)::int as items,
             (select count(distinct isup.item_id) from item_suppliers isup join suppliers s on s.id = isup.supplier_id
               where isup.preferred and s.nominal_lead_time_days > 0)::int as with_supplier`);
    expect(r).toEqual({ items: ITEMS, with_supplier: ITEMS });
  });
});
