import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { enqueueRecalculation } from '../../lib/enqueue-recalculation.ts';
import type { AuthContext } from '../../plugins/access.ts';

/**
 * A catalogue change the engine reads (VED class, cost, supplier lead time and pack, par level)
 * makes the item's policies stale wherever it is stocked or has a par level: ask the worker to
 * recalculate those item-locations now rather than at the next scheduled full run.
 */
export async function recalculateItem(deps: AppDeps, auth: AuthContext, itemId: string): Promise<void> {
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<{ location_id: string }>(sql`
      select location_id from stock where item_id = ${itemId}
      union select location_id from par_levels where item_id = ${itemId}`),
  );
  await enqueueRecalculation(
    deps,
    auth.organizationId,
    r.rows.map((row) => ({ itemId, locationId: row.location_id })),
  );
}
