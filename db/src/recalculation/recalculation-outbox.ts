import { type SQL, sql } from 'drizzle-orm';
import type pg from 'pg';
import type { Tx } from '../pool.ts';
import { tenantSchema } from '../tenant-schema.ts';

export interface ItemLocationRef {
  itemId: string;
  locationId: string;
}

export interface OutboxEntry extends ItemLocationRef {
  version: number;
  attempts: number;
}

/**
 * Records, in the caller's transaction, that these item-locations need recalculation: the
 * request commits or vanishes with the change that caused it. Coalesced per item-location (a
 * second change bumps `version` and makes the row due now). Rows are written in key order so two
 * transactions marking the same pairs queue instead of deadlocking.
 */
export async function requestRecalculation(tx: Tx, pairs: readonly ItemLocationRef[]): Promise<void> {
  if (pairs.length === 0) return;
  await tx.execute(
    markForRecalculation(
      sql`unnest(${sql.param(pairs.map((p) => p.itemId))}::uuid[], ${sql.param(pairs.map((p) => p.locationId))}::uuid[])`,
    ),
  );
}

/**
 * requestRecalculation as a statement over any row source with (item_id, location_id) columns, so
 * a statement that writes ledger rows can mark them in a CTE of its own (one round trip less).
 */
export function markForRecalculation(source: SQL): SQL {
  return sql`
    insert into recalculation_outbox (item_id, location_id)
    select item_id, location_id from ${source} as u(item_id, location_id)
     group by item_id, location_id
     order by item_id, location_id
    on conflict (item_id, location_id) do update
       set version = recalculation_outbox.version + 1, due_at = now()`;
}

/**
 * Takes up to `limit` due rows for this transaction. Each row is guarded by a transaction-level
 * advisory lock (released at commit, rollback or a lost connection), so two drainers never work
 * on the same item-location, while a change marking the row meanwhile is never blocked (it only
 * bumps the version). Rows another drainer holds are skipped.
 */
export async function takeDueRecalculations(tx: Tx, tenantId: string, limit: number): Promise<OutboxEntry[]> {
  const r = await tx.execute<{ item_id: string; location_id: string; version: number; attempts: number }>(sql`
    with candidates as materialized (
      select item_id, location_id, version, attempts, due_at from recalculation_outbox
       where due_at <= now() order by due_at limit ${limit})
    select item_id, location_id, version, attempts from candidates
     where pg_try_advisory_xact_lock(hashtext(${tenantSchema(tenantId)}), hashtext(item_id::text || location_id::text))
     order by due_at`);
  return r.rows.map((x) => ({
    itemId: x.item_id,
    locationId: x.location_id,
    version: Number(x.version),
    attempts: x.attempts,
  }));
}

/**
 * Deletes the rows whose recalculation this transaction computed, in the same transaction: a
 * row whose version moved on (a change arrived during the computation) stays for the next pass,
 * and so does one that a committing change holds right now (skip locked: never wait for it).
 */
export async function settleRecalculations(tx: Tx, entries: readonly OutboxEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.execute(sql`
    delete from recalculation_outbox o
     where (o.item_id, o.location_id, o.version) in (
       select x.item_id, x.location_id, x.version from recalculation_outbox x
         join unnest(${sql.param(entries.map((e) => e.itemId))}::uuid[], ${sql.param(entries.map((e) => e.locationId))}::uuid[],
                     ${sql.param(entries.map((e) => e.version))}::bigint[]) as c(item_id, location_id, version)
           on x.item_id = c.item_id and x.location_id = c.location_id and x.version = c.version
        for update of x skip locked)`);
}

/**
 * A failed recalculation waits before its next try: base·2^(attempts−1), capped. A row changed
 * since (another version) stays due now: the new change may be what fixes it.
 */
export async function deferRecalculations(
  tx: Tx,
  entries: readonly OutboxEntry[],
  error: string,
  backoff: { baseMs: number; maxMs: number },
): Promise<void> {
  if (entries.length === 0) return;
  await tx.execute(sql`
    update recalculation_outbox o
       set attempts = o.attempts + 1, last_error = ${error.slice(0, 500)},
           due_at = now() + make_interval(secs => least(${backoff.maxMs}::float8, ${backoff.baseMs}::float8 * 2 ^ o.attempts) / 1000)
      from unnest(${sql.param(entries.map((e) => e.itemId))}::uuid[], ${sql.param(entries.map((e) => e.locationId))}::uuid[],
                  ${sql.param(entries.map((e) => e.version))}::bigint[]) as c(item_id, location_id, version)
     where o.item_id = c.item_id and o.location_id = c.location_id and o.version = c.version`);
}

/** True when the tenant's outbox has a row due now. */
export async function hasDueRecalculations(tx: Tx): Promise<boolean> {
  const r = await tx.execute<{ due: boolean }>(
    sql`select exists (select 1 from recalculation_outbox where due_at <= now()) as due`,
  );
  return Boolean(r.rows[0]?.due);
}

/**
 * Which of these organisations have outbox rows due now: one query per chunk of schemas (an
 * index probe each), for the worker's periodic drain. An organisation whose schema cannot be read
 * (not migrated yet) is left out rather than failing the others.
 */
export async function tenantsWithDueRecalculations(
  pool: pg.Pool,
  tenantIds: readonly string[],
  chunk = 200,
): Promise<string[]> {
  const due: string[] = [];
  for (let i = 0; i < tenantIds.length; i += chunk) {
    const part = tenantIds.slice(i, i + chunk);
    const probe = (id: string, n: number) =>
      `select $${n}::uuid as id where exists (select 1 from "${tenantSchema(id)}".recalculation_outbox where due_at <= now())`;
    try {
      const r = await pool.query<{ id: string }>(part.map((id, n) => probe(id, n + 1)).join(' union all '), [
        ...part,
      ]);
      due.push(...r.rows.map((x) => x.id));
    } catch (err) {
      if ((err as { code?: string }).code !== '42P01') throw err;
      for (const id of part) {
        const r = await pool.query<{ id: string }>(probe(id, 1), [id]).catch(() => ({ rows: [] }));
        due.push(...r.rows.map((x) => x.id));
      }
    }
  }
  return due;
}
