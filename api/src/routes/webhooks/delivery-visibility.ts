import { sql } from 'drizzle-orm';
import type { AuthContext } from '../../plugins/access.ts';

/**
 * Which deliveries a caller may see (in `DELIVERY_SELECT`, whose event is `ev`). A delivery is at
 * the sites its event names: `siteId` and `toSiteId` (movements, purchase orders) and the site of
 * `locationId` (alerts). A site-limited caller sees a delivery only when its event names at least
 * one site and every site it names is theirs — a transfer from A to B is visible with both.
 * Events that name no site (import.finished, which may span sites) are for all-sites callers;
 * a `ping` carries nothing but its endpoint id and is visible to whoever sees the endpoint.
 */
export function deliveryVisibleTo(auth: AuthContext) {
  if (auth.siteIds === null) return sql`true`;
  const mine = sql`${sql.param([...auth.siteIds])}::uuid[]`;
  return sql`(ev.type = 'ping' or coalesce((
      select bool_and(s::uuid = any(${mine}))
        from unnest(array[ev.payload->>'siteId', ev.payload->>'toSiteId',
                          (select l.site_id::text from locations l where l.id::text = ev.payload->>'locationId')]) as s
       where s is not null), false))`;
}
