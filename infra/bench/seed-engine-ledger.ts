import type { buildApp } from '@medstock/api/app.ts';
import type { AppDeps } from '@medstock/api/deps.ts';
import { createOrganizationWithOwner } from '@medstock/api/routes/auth/signup.service.ts';
import {
  type Database,
  organizationTimeZone,
  organizationToday,
  tenantSchema,
  withTenantDb,
} from '@medstock/db';
import pg from 'pg';

type App = Awaited<ReturnType<typeof buildApp>>;

/**
 * One organisation ("chain") with three sites, made the way a customer makes them: signed up
 * through the signup service, the two further sites through the API; one location per site.
 */
export async function createChain(app: App, deps: AppDeps, name: string) {
  const su = await createOrganizationWithOwner(deps, {
    organizationName: `Chain ${name}`,
    email: `chain-${name}@example.org`,
    password: 'bench-lantern-orchard-1',
  });
  const headers = { authorization: `Bearer ${su.tokens.accessToken}` };
  const siteIds: string[] = [
    (await app.inject({ method: 'GET', url: '/v1/sites', headers })).json().items[0].id,
  ];
  for (const code of ['EAST', 'WEST']) {
    const r = await app.inject({ method: 'POST', url: '/v1/sites', headers, payload: { code, name: code } });
    if (r.statusCode !== 201) throw new Error(`site ${code}: ${r.statusCode} ${r.body}`);
    siteIds.push(r.json().id);
  }
  const locationIds: string[] = [];
  for (const s of siteIds)
    locationIds.push(
      (await app.inject({ method: 'GET', url: `/v1/sites/${s}/locations`, headers })).json().items[0].id,
    );
  return { organizationId: su.organizationId, headers, locationIds };
}

export interface SeededLedger {
  itemLocations: number;
  movements: number;
  seconds: number;
}

/**
 * A realistic ledger for the engine benchmark, set-based (generate_series), in the organisation's
 * schema: `items` items stocked at every given location, `days` days of history ending yesterday.
 *
 * - Demand: 40% of items smooth (noisy around a level), 20% seasonal (weekly × yearly), 40%
 *   intermittent (a demand on 5–30% of days). At most one issue row per item-location and day.
 * - Replenishment: periodic review, order-up-to S every R days (7–21, staggered): the receipt on
 *   the first day of a period brings back what the previous one issued, so stock restarts at S.
 *   Demand beyond what is on hand is lost (a stock-out day), so stock never goes below zero and is
 *   positive most days (S ≈ 1.3 × the period's mean demand plus two sd).
 * - One lot per item; stock rows are the per-lot sums of the movements (the ledger invariant
 *   stock.on_hand = sum(movements.quantity)); one preferred supplier per item, lead time 3–21 days.
 *
 * Runs on its own connection (temporary tables, a larger work_mem) and analyses what it wrote.
 */
export async function seedEngineLedger(
  database: Database,
  postgresUrl: string,
  organizationId: string,
  locationIds: string[],
  items: number,
  days = 1096,
): Promise<SeededLedger> {
  const t0 = performance.now();
  const { zone, today } = await withTenantDb(database.db, { organizationId }, async (tx) => ({
    zone: await organizationTimeZone(tx),
    today: await organizationToday(tx),
  }));
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const q = async (text: string, values: unknown[] = []) => {
      const s0 = performance.now();
      const r = await client.query(text, values);
      if (process.env.BENCH_SEED_VERBOSE)
        console.error(`[seed] ${((performance.now() - s0) / 1000).toFixed(1)} s ${text.trim().slice(0, 60)}`);
      return r;
    };
    await q(`set search_path = "${tenantSchema(organizationId)}"`);
    await q(`set work_mem = '256MB'`);
    await q('select setseed(0.4242)');
    await q('begin');
    await q(`
      insert into suppliers (code, name, nominal_lead_time_days)
      select 'SUP-' || g, 'Supplier ' || g, (array[3, 5, 7, 10, 14, 21])[g] from generate_series(1, 6) g`);
    await q(
      `insert into items (code, name_zh, name_en, base_unit, unit_cost, ved)
       select 'ENG-' || lpad(g::text, 6, '0'), '耗材 ' || g, 'Consumable ' || g, 'piece', 0.5 + (g % 97) * 0.75,
              (array['V','E','E','D'])[1 + g % 4]
         from generate_series(1, $1::int) g`,
      [items],
    );
    await q(`
      insert into item_suppliers (item_id, supplier_id, pack_price, pack_size, moq_packs, preferred)
      select i.id, s.id, i.unit_cost * p.size, p.size, 1, true
        from items i
        cross join lateral (select (array[1, 5, 10, 20])[1 + substr(i.code, 5)::int % 4] as size) p
        join suppliers s on s.code = 'SUP-' || (1 + substr(i.code, 5)::int % 6)
       where i.code like 'ENG-%'`);
    await q(`
      insert into lots (item_id, lot_number, expiry_date)
      select id, 'B' || substr(code, 5), current_date + 200 + substr(code, 5)::int % 500 from items where code like 'ENG-%'`);
    // One row per item-location with its demand pattern and replenishment parameters.
    await q(
      `create temp table bench_il on commit drop as
       select row_number() over (order by i.code, l.ord)::int as n, i.id as item_id, l.loc as location_id, lo.id as lot_id,
              case when g % 5 < 2 then 'smooth' when g % 5 = 2 then 'seasonal' else 'intermittent' end as kind,
              1 + random() * 25 as mean, 0.05 + random() * 0.25 as p, 2 + floor(random() * 10)::int as size_max,
              7 + floor(random() * 15)::int as r, floor(random() * 21)::int as off,
              random() * 2 * pi() as pw, random() * 2 * pi() as py
         from items i join lots lo on lo.item_id = i.id
         cross join lateral (select substr(i.code, 5)::int as g) x
         cross join unnest($1::uuid[]) with ordinality as l(loc, ord)
        where i.code like 'ENG-%'`,
      [locationIds],
    );
    await q(`alter table bench_il add column s int`);
    await q(`
      update bench_il set s = ceil(case kind
        when 'intermittent' then 1.3 * r * p * (1 + size_max) / 2 + 2 * sqrt(r * p) * size_max / 2 + size_max
        else 1.3 * r * mean + 2 * sqrt(r * mean) + 2 end)`);
    await q('create unique index on bench_il (n)');
    // Daily demand (only days with demand); sd of the smooth noise ≈ sqrt(level), Poisson-like.
    await q(
      `create temp table bench_demand on commit drop as
       select il.n, t, x.q
         from bench_il il cross join generate_series(0, $1::int - 1) t
         cross join lateral (
           select case when il.kind = 'intermittent'
                       then case when random() < il.p then 1 + floor(random() * il.size_max)::int else 0 end
                       else greatest(0, round(mu + sqrt(mu) * (random() + random() + random() + random() - 2) * 1.732))::int end as q
             from (select il.mean * case when il.kind = 'seasonal'
                     then (1 + 0.35 * sin(2 * pi() * t / 7 + il.pw)) * (1 + 0.4 * sin(2 * pi() * t / 365.25 + il.py))
                     else 1 end as mu) m) x
        where x.q > 0`,
      [days],
    );
    // What could be issued: the period's cumulative demand capped at S (the rest is lost).
    await q(`
      create temp table bench_issue on commit drop as
      select n, t, period, least(cum, s) - least(cum - q, s) as issued
        from (select d.n, d.t, d.q, il.s, (d.t + il.off) / il.r as period,
                     sum(d.q) over (partition by d.n, (d.t + il.off) / il.r order by d.t) as cum
                from bench_demand d join bench_il il using (n)) x
       where least(cum, s) - least(cum - q, s) > 0`);
    // The ledger, appended in time order as it would have been: the opening receipt of S, the
    // period receipts at 07:30, issues through the working day.
    // Local midnight of each day once (a zone conversion per row would dominate the insert).
    await q(
      `create temp table bench_day on commit drop as
       select t, ((($2::date - ($3::int - t))::timestamp) at time zone $1::text) as midnight
         from generate_series(0, $3::int) t`,
      [zone, today, days],
    );
    // Bulk load: the secondary indexes are built after the rows are in, and the per-row triggers
    // (foreign-key checks, the default lot) are off for this session — every id comes from the
    // rows above, so the end state is what row-by-row inserts would have left.
    const indexes = await q(
      `select indexname, indexdef from pg_indexes
        where schemaname = current_schema() and tablename = 'movements' and indexname <> 'movements_pkey'`,
    );
    for (const ix of indexes.rows) await q(`drop index "${ix.indexname}"`);
    await q(`set session_replication_role = replica`);
    await q(
      `insert into movements (type, item_id, location_id, lot_id, quantity, source, occurred_at)
       select x.type, il.item_id, il.location_id, il.lot_id, x.quantity, 'import', d.midnight + x.time
         from (
           select n, 0 as t, 'receipt' as type, s::bigint as quantity, interval '7:30' as time from bench_il
           union all
           select n, min(rt), 'receipt', sum(issued), interval '7:30'
             from (select i.n, i.period, i.issued, (i.period + 1) * il.r - il.off as rt
                     from bench_issue i join bench_il il using (n)) r
            where rt < $1::int group by n, period
           union all
           select n, t, 'issue', -issued, interval '9:00' + ((n * 37 + t * 11) % 540) * interval '1 minute'
             from bench_issue
         ) x join bench_il il using (n) join bench_day d using (t)
        order by x.t, x.time, x.n`,
      [days],
    );
    await q(`set session_replication_role = origin`);
    await q(`set maintenance_work_mem = '512MB'`);
    for (const ix of indexes.rows) await q(ix.indexdef);
    // The organisation is new: every movement is the seeding's.
    await q(`
      insert into stock (location_id, item_id, lot_id, on_hand)
      select location_id, item_id, lot_id, sum(quantity) from movements group by 1, 2, 3`);
    await q('commit');
    // Vacuum too, so autovacuum does not start on the fresh tables in the middle of a measurement.
    for (const t of ['movements', 'stock', 'lots', 'items', 'item_suppliers', 'suppliers'])
      await q(`vacuum (analyze) ${t}`);
    const r = await q(
      `select (select count(*) from stock)::int as il, (select count(*) from movements)::bigint as m`,
    );
    return {
      itemLocations: Number(r.rows[0].il),
      movements: Number(r.rows[0].m),
      seconds: (performance.now() - t0) / 1000,
    };
  } catch (e) {
    await client.query('rollback').catch(() => {});
    throw e;
  } finally {
    await client.end();
  }
}
