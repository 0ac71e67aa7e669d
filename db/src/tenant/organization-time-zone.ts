import { canonicalTimeZone, DEFAULT_TIME_ZONE, localToday } from '@medstock/core';
import { sql } from 'drizzle-orm';
import type { Tx } from '../pool.ts';

// One look-up per transaction: postMovement asks for every line it posts, an import for every row.
const cache = new WeakMap<Tx, Map<string, string>>();

/**
 * The organisation's IANA time zone (control.organizations.timezone), which defines its local
 * days. Without an id: the organisation whose schema `tx` is bound to by withTenantDb (the schema
 * name is tenant_<id without dashes>, see tenantSchema). A missing organisation, or a zone the
 * runtime does not know, reads as the default (Asia/Shanghai) rather than failing every query
 * that buckets by day.
 */
export async function organizationTimeZone(tx: Tx, organizationId?: string): Promise<string> {
  const key = organizationId ?? '';
  const hit = cache.get(tx)?.get(key);
  if (hit) return hit;
  const r = await tx.execute<{ timezone: string }>(
    organizationId
      ? sql`select timezone from control.organizations where id = ${organizationId}::uuid`
      : sql`select ${CURRENT_ORGANIZATION_TIME_ZONE} as timezone`,
  );
  return remember(tx, key, r.rows[0]?.timezone);
}

function remember(tx: Tx, key: string, stored: string | null | undefined): string {
  const zone = canonicalTimeZone(stored) ?? DEFAULT_TIME_ZONE;
  let perTx = cache.get(tx);
  if (!perTx) {
    perTx = new Map();
    cache.set(tx, perTx);
  }
  perTx.set(key, zone);
  return zone;
}

/**
 * The stored zone of the organisation whose schema the transaction is bound to, as an SQL
 * expression: a statement that reads other things anyway can bring it along (one round trip
 * less), then hand it to rememberOrganizationTimeZone.
 */
export const CURRENT_ORGANIZATION_TIME_ZONE = sql`(select o.timezone from control.organizations o
   where o.id = case when current_schema() ~ '^tenant_[0-9a-f]{32}$' then substr(current_schema(), 8)::uuid end)`;

/** Caches a zone read with CURRENT_ORGANIZATION_TIME_ZONE for the rest of the transaction. */
export function rememberOrganizationTimeZone(tx: Tx, stored: string | null | undefined): string {
  return remember(tx, '', stored);
}

/** Today (YYYY-MM-DD) in the organisation's zone. */
export async function organizationToday(tx: Tx, organizationId?: string): Promise<string> {
  return localToday(await organizationTimeZone(tx, organizationId));
}
