import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { insertDailyHistory } from '../../../api/test/support/engine-fixtures.ts';
import { insertItem } from '../../../api/test/support/fixtures.ts';
import type { SignedUp, TestApp } from '../../../api/test/support/test-app.ts';

/** Polls `fn` until it returns something truthy (no timing is asserted, only the outcome). */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false>,
  what: string,
  ms = 45_000,
): Promise<T> {
  const end = Date.now() + ms;
  let lastError: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastError = err; // the database may be restarting
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An item with 60 days of steady demand (5 a day) at the location and no stock yet. */
export async function itemWithDemand(t: TestApp, org: SignedUp, locationId: string, code: string) {
  const itemId = await insertItem(t, org.organizationId, { code, ved: 'V' });
  await insertDailyHistory(t, org.organizationId, itemId, locationId, 60, () => 5);
  return itemId;
}

/** Posts a movement through the API; returns the status code. */
export async function move(
  t: TestApp,
  org: SignedUp,
  body: { type: 'receipt' | 'issue'; itemId: string; locationId: string; quantity: number },
): Promise<number> {
  const r = await t.app.inject({ method: 'POST', url: '/v1/movements', headers: org.headers, payload: body });
  if (r.statusCode !== 201) throw new Error(`movement refused: ${r.statusCode} ${r.body}`);
  return r.statusCode;
}

/** The live alert types of an item-location, read from the database. */
export async function liveAlerts(t: TestApp, org: SignedUp, itemId: string, locationId: string) {
  const r = await withTenantDb(t.deps.database.db, org, (tx) =>
    tx.execute<{ type: string }>(sql`
      select type from alerts where item_id = ${itemId} and location_id = ${locationId}
         and status in ('open', 'acknowledged', 'snoozed') order by type`),
  );
  return r.rows.map((x) => x.type);
}

export async function outboxRows(t: TestApp, org: SignedUp) {
  const r = await withTenantDb(t.deps.database.db, org, (tx) =>
    tx.execute<{ item_id: string; location_id: string; version: number; attempts: number }>(
      sql`select item_id, location_id, version, attempts from recalculation_outbox order by item_id`,
    ),
  );
  return r.rows;
}

export async function fullRuns(t: TestApp, org: SignedUp): Promise<number> {
  const r = await withTenantDb(t.deps.database.db, org, (tx) =>
    tx.execute<{ n: number }>(sql`select count(*)::int as n from recalc_runs`),
  );
  return r.rows[0]!.n;
}

/** Environment for a worker child process: the test's configuration as strings. */
export function configEnv(config: object, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(config)) if (v !== undefined) env[k] = String(v);
  return { ...env, ...extra };
}
