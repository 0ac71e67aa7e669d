import { tenantSchema } from '@medstock/db';
import pg from 'pg';
import type { Operation } from './workload.ts';

/**
 * Reads the truth from PostgreSQL after a run: which requests reached the ledger (each request's
 * Idempotency-Key is also its movement `reference`), which idempotency records are still
 * in progress, and whether the engine's view of every touched item-location is current.
 */
export class LedgerAudit {
  private pool: pg.Pool;

  constructor(databaseUrl: string) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    // The database is restarted under our feet: a dropped idle client is not an error here.
    this.pool.on('error', () => {});
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  /** Posted movements per reference (distinct group ids: a transfer or a two-lot issue is one posting). */
  async postingsByReference(organizationId: string, runTag: string): Promise<Map<string, number>> {
    const schema = tenantSchema(organizationId);
    const r = await this.pool.query<{ reference: string; postings: number }>(
      `select reference, count(distinct group_id)::int as postings from "${schema}".movements
        where reference like $1 group by reference`,
      [`${runTag}-%`],
    );
    return new Map(r.rows.map((row) => [row.reference, row.postings]));
  }

  async ledgerFigures(organizationId: string, runTag: string, operations: Operation[]) {
    const postings = await this.postingsByReference(organizationId, runTag);
    // A request the server confirmed as applied (2xx, or "applied, response lost") must be in the ledger.
    const accepted = operations.filter(
      (o) => o.outcome?.kind === 'accepted' || o.outcome?.kind === 'confirmed',
    );
    const lostKeys = accepted.filter((o) => !postings.has(o.key)).map((o) => o.key);
    const doubledKeys = [...postings].filter(([, n]) => n > 1).map(([k]) => k);
    const acceptedKeys = new Set(accepted.map((o) => o.key));
    return {
      applied: postings.size,
      lost: lostKeys.length,
      doubled: doubledKeys.length,
      /** In the ledger although the client never got a 2xx (it gave up): it believes the write failed. */
      appliedUnconfirmed: [...postings.keys()].filter((k) => !acceptedKeys.has(k)).length,
      samples: { lost: lostKeys.slice(0, 5), doubled: doubledKeys.slice(0, 5) },
      postings,
    };
  }

  /** Keys of this run whose idempotency record is still `in_progress` (a retry gets 409 for ever). */
  async stuckKeys(runTag: string): Promise<string[] | { error: string }> {
    try {
      const r = await this.pool.query<{ key: string }>(
        `select key from control.idempotency_keys where key like $1 and state = 'in_progress'`,
        [`${runTag}-%`],
      );
      return r.rows.map((x) => x.key);
    } catch (err) {
      return { error: (err as Error).message };
    }
  }

  /**
   * Item-locations whose engine state is stale. Current means: the policy row was computed after
   * the item-location's last movement and shows the ledger's on-hand, and an item-location at 0
   * with demand has a live `stocked_out` alert (one with stock has none). The engine writes
   * policy and alerts in one transaction, so a current policy means current alerts.
   */
  async staleItemLocations(organizationId: string, referencePattern: string): Promise<string[]> {
    const s = `"${tenantSchema(organizationId)}"`;
    const r = await this.pool.query<{ item_id: string; location_id: string; why: string | null }>(
      `with touched as (
         select item_id, location_id, max(recorded_at) as last_at from ${s}.movements
          where reference like $1 group by 1, 2),
       on_hand as (select item_id, location_id, sum(on_hand)::bigint as q from ${s}.stock group by 1, 2)
       select t.item_id, t.location_id,
              case
                when p.item_id is null then 'no policy'
                when p.computed_at < t.last_at then 'computed before the last movement'
                when p.on_hand <> coalesce(o.q, 0) then 'on-hand ' || p.on_hand || ' vs ledger ' || coalesce(o.q, 0)
                when coalesce(o.q, 0) = 0 and p.daily_mean > 0 and not a.live then 'stocked out without alert'
                when coalesce(o.q, 0) > 0 and a.live then 'stocked_out alert with stock'
              end as why
         from touched t
         left join ${s}.item_location_policies p using (item_id, location_id)
         left join on_hand o using (item_id, location_id)
         cross join lateral (select exists (select 1 from ${s}.alerts x where x.item_id = t.item_id
                and x.location_id = t.location_id and x.type = 'stocked_out'
                and x.status in ('open', 'acknowledged', 'snoozed')) as live) a`,
      [referencePattern],
    );
    return r.rows.filter((x) => x.why !== null).map((x) => `${x.item_id}@${x.location_id}: ${x.why}`);
  }

  /** Item-locations of this run at 0 on hand, and how many of them have a live `stocked_out` alert. */
  async stockedOut(organizationId: string, runTag: string): Promise<{ stockedOut: number; alerted: number }> {
    const s = `"${tenantSchema(organizationId)}"`;
    const r = await this.pool.query<{ stocked_out: number; alerted: number }>(
      `with touched as (select distinct item_id, location_id from ${s}.movements where reference like $1),
            zero as (select t.* from touched t
                      where coalesce((select sum(on_hand) from ${s}.stock x
                                       where x.item_id = t.item_id and x.location_id = t.location_id), 0) = 0)
       select count(*)::int as stocked_out,
              count(*) filter (where exists (select 1 from ${s}.alerts a where a.item_id = z.item_id
                and a.location_id = z.location_id and a.type = 'stocked_out'
                and a.status in ('open', 'acknowledged', 'snoozed')))::int as alerted
         from zero z`,
      [`${runTag}-%`],
    );
    return { stockedOut: r.rows[0]!.stocked_out, alerted: r.rows[0]!.alerted };
  }
}
