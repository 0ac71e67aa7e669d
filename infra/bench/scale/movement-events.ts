import { tenantSchema } from '@medstock/db';
import type pg from 'pg';
import { AttemptStats, postUntilDefinitive } from '../../chaos/http-client.ts';
import type { ChaosTenant } from '../../chaos/tenant-setup.ts';

/** An organisation of the scale run: where its schema lives (its cell's pool). */
export interface ScaleTenant extends ChaosTenant {
  pool: pg.Pool;
  cell: string;
}

export interface Posted {
  accepted: number;
  refused: number;
  gaveUp: number;
  /** Accepted movements per API process: every one of them must lead to exactly one webhook. */
  byApi: number[];
  writes: AttemptStats;
}

/**
 * Posts `count` movements as integrations do (API key, Idempotency-Key, retried until a definitive
 * answer), spread round-robin over the organisations, their item-locations and both API
 * processes: receipts of 2 and issues of 1 in turn, so stock never runs out and nothing is refused
 * for a business reason. The reference (`<tag>-<n>`) finds each movement in the ledger later.
 */
export async function postMovements(
  apis: readonly string[],
  tenants: readonly ScaleTenant[],
  tag: string,
  count: number,
  concurrency: number,
): Promise<Posted> {
  const posted: Posted = {
    accepted: 0,
    refused: 0,
    gaveUp: 0,
    byApi: apis.map(() => 0),
    writes: new AttemptStats(),
  };
  let next = 0;
  const giveUpAt = Date.now() + 10 * 60_000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const n = next++;
        const api = n % apis.length;
        const t = tenants[Math.floor(n / apis.length) % tenants.length]!;
        const k = Math.floor(n / (apis.length * tenants.length));
        const receipt = Math.floor(k / (2 * t.itemIds.length)) % 2 === 0;
        const reference = `${tag}-${n}`;
        const outcome = await postUntilDefinitive(
          apis[api]!,
          '/v1/movements',
          {
            token: t.apiKey,
            idempotencyKey: reference,
            body: {
              type: receipt ? 'receipt' : 'issue',
              itemId: t.itemIds[Math.floor(k / 2) % t.itemIds.length],
              locationId: k % 2 === 0 ? t.centralId : t.wardId,
              quantity: receipt ? 2 : 1,
              reference,
            },
          },
          posted.writes,
          () => giveUpAt,
        );
        if (outcome.kind === 'accepted' || outcome.kind === 'confirmed') {
          posted.accepted++;
          posted.byApi[api]!++;
        } else if (outcome.kind === 'refused') posted.refused++;
        else posted.gaveUp++;
      }
    }),
  );
  return posted;
}

/** One statement per cell over every organisation's schema on it (a hundred small reads in one round trip). */
async function perCell<R extends pg.QueryResultRow>(
  tenants: readonly ScaleTenant[],
  select: (schema: string) => string,
  params: unknown[] = [],
): Promise<R[]> {
  const byPool = new Map<pg.Pool, string[]>();
  for (const t of tenants)
    byPool.set(t.pool, [...(byPool.get(t.pool) ?? []), `(${select(`"${tenantSchema(t.organizationId)}"`)})`]);
  const rows: R[] = [];
  for (const [pool, parts] of byPool)
    rows.push(...(await pool.query<R>(parts.join(' union all '), params)).rows);
  return rows;
}

/** The movement groups the ledgers hold for references starting with `tag-`: what was committed. */
export async function committedGroups(tenants: readonly ScaleTenant[], tag: string): Promise<Set<string>> {
  const rows = await perCell<{ group_id: string }>(
    tenants,
    (s) => `select distinct group_id::text from ${s}.movements where reference like $1`,
    [`${tag}-%`],
  );
  return new Set(rows.map((r) => r.group_id));
}

/** Item-locations still waiting for a recalculation, over every organisation. */
export async function outboxLeft(tenants: readonly ScaleTenant[]): Promise<number> {
  const rows = await perCell<{ n: string }>(
    tenants,
    (s) => `select count(*) as n from ${s}.recalculation_outbox`,
  );
  return rows.reduce((a, r) => a + Number(r.n), 0);
}

/**
 * Item-locations the run's movements touched, and how many of them have a policy computed from
 * inputs read after their last such movement (the recalculation that covers it).
 */
export async function recalculationCoverage(
  tenants: readonly ScaleTenant[],
  tagPrefix: string,
): Promise<{ moved: number; recalculated: number }> {
  const rows = await perCell<{ moved: string; recalculated: string }>(
    tenants,
    (s) => `select count(*) as moved, count(*) filter (where p.inputs_at >= m.last) as recalculated
      from (select item_id, location_id, max(recorded_at) as last from ${s}.movements
             where reference like $1 group by item_id, location_id) m
      left join ${s}.item_location_policies p using (item_id, location_id)`,
    [`${tagPrefix}%`],
  );
  return {
    moved: rows.reduce((a, r) => a + Number(r.moved), 0),
    recalculated: rows.reduce((a, r) => a + Number(r.recalculated), 0),
  };
}

/** The delivery log: deliveries by status, and attempts made (an attempt beyond one per delivery is a retry). */
export async function deliveryLog(
  tenants: readonly ScaleTenant[],
): Promise<{ deliveries: number; succeeded: number; pending: number; failed: number; attempts: number }> {
  const rows = await perCell<{ status: string; n: string; attempts: string }>(
    tenants,
    (s) =>
      `select status, count(*) as n, sum(attempts) as attempts from ${s}.webhook_deliveries group by status`,
  );
  const out = { deliveries: 0, succeeded: 0, pending: 0, failed: 0, attempts: 0 };
  for (const r of rows) {
    out.deliveries += Number(r.n);
    out.attempts += Number(r.attempts);
    if (r.status === 'succeeded' || r.status === 'pending' || r.status === 'failed')
      out[r.status] += Number(r.n);
  }
  return out;
}
