import type pg from 'pg';
import { tenantSchema } from '../tenant-schema.ts';

export interface RecalculationBacklog {
  /** Item-locations waiting in the outboxes (due now or deferred after a failure). */
  pending: number;
  /**
   * Seconds the oldest waiting item-location has waited, by the database's clock (0 when none
   * waits): the recalculation lag. A row's `requested_at` is its first unsettled change (a new
   * change bumps its version, not this), so an item-location that keeps changing but is never
   * recalculated ages, as does a failing one; a settled row is deleted and the next change
   * starts a new wait.
   */
  oldestAgeSeconds: number;
}

/**
 * The recalculation backlog of these organisations, all on the pool's database (one cell): one
 * query per chunk of schemas, for the worker's metrics. A schema that cannot be read (not
 * migrated yet) is left out rather than failing the others.
 */
export async function recalculationBacklog(
  pool: pg.Pool,
  tenantIds: readonly string[],
  chunk = 200,
): Promise<RecalculationBacklog> {
  let pending = 0;
  let oldestAgeSeconds = 0;
  const add = (rows: { pending: number | null; age: number | null }[]) => {
    pending += Number(rows[0]?.pending ?? 0);
    oldestAgeSeconds = Math.max(oldestAgeSeconds, Number(rows[0]?.age ?? 0));
  };
  const query = (ids: readonly string[]) =>
    pool.query<{ pending: number | null; age: number | null }>(
      `select sum(n)::int as pending, extract(epoch from now() - min(oldest))::float8 as age from (${ids
        .map(
          (id) =>
            `select count(*) as n, min(requested_at) as oldest from "${tenantSchema(id)}".recalculation_outbox`,
        )
        .join(' union all ')}) x`,
    );
  for (let i = 0; i < tenantIds.length; i += chunk) {
    const part = tenantIds.slice(i, i + chunk);
    try {
      add((await query(part)).rows);
    } catch (err) {
      if ((err as { code?: string }).code !== '42P01') throw err;
      for (const id of part) add((await query([id]).catch(() => ({ rows: [] }))).rows);
    }
  }
  return { pending, oldestAgeSeconds };
}
