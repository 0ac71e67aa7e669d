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
  let perTx = cache.get(tx);
  const hit = perTx?.get(key);
  if (hit) return hit;
  const r = await tx.execute<{ timezone: string }>(
    organizationId
      ? sql`select timezone from control.organizations where id = ${organizationId}::uuid`
      : sql`select o.timezone from control.organizations o
             where o.id = case when current_schema() ~ '^tenant_[0-9a-f]{32}$' then substr(current_schema(), 8)::uuid end`,
  );
  const zone = canonicalTimeZone(r.rows[0]?.timezone) ?? DEFAULT_TIME_ZONE;
  if (!perTx) {
    perTx = new Map();
    cache.set(tx, perTx);
  }
  perTx.set(key, zone);
  return zone;
}

/** Today (YYYY-MM-DD) in the organisation's zone. */
export async function organizationToday(tx: Tx, organizationId?: string): Promise<string> {
  return localToday(await organizationTimeZone(tx, organizationId));
}
