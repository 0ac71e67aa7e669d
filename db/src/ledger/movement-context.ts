import { sql } from 'drizzle-orm';
import type { Tx } from '../pool.ts';
import { executePrepared } from '../prepared-statement.ts';
import {
  CURRENT_ORGANIZATION_TIME_ZONE,
  rememberOrganizationTimeZone,
} from '../tenant/organization-time-zone.ts';
import { type FirstExpiryRow, firstExpiryRows, lockedStock } from './first-expiry.ts';

export interface MovementContextItem {
  id: string;
  code: string;
  active: boolean;
  baseUnit: string;
  /** numeric as text, as stored */
  unitCost: string;
  packUnits: { code: string; factor: number }[];
  /**
   * The pack unit the GTIN it was found by marks (a box's own GTIN, item_gtins.unit_code); null
   * when found by id, by its main GTIN, or by a GTIN of the base unit. A scanned box counts boxes.
   */
  gtinUnit: string | null;
}

export interface MovementContextLocation {
  siteId: string;
  active: boolean;
}

/**
 * What posting a movement needs to know before it locks anything: the item (by id or GTIN, with
 * its pack units), the locations it names and the organisation's time zone. Read in one
 * statement, so a POST does not look the item and the locations up twice (the API checks site
 * limits and units with it, postMovement checks existence and activity with it).
 */
export interface MovementContext {
  item: MovementContextItem | null;
  locations: ReadonlyMap<string, MovementContextLocation>;
  /**
   * Asked for when the movement takes first-expiry-first-out: the item's stock rows at the
   * locations are locked (the ledger's lock order) in the same statement, and these are the
   * source location's lots in expiry order, as postMovement would have locked and read them.
   */
  firstExpiry?: { itemId: string; locationId: string; lockedLocationIds: string[]; rows: FirstExpiryRow[] };
}

type Row = {
  item: {
    id: string;
    code: string;
    active: boolean;
    base_unit: string;
    unit_cost: string;
    units: { code: string; factor: number }[] | null;
    gtin_unit: string | null;
  } | null;
  locations: { id: string; site_id: string; active: boolean }[] | null;
  timezone: string | null;
  first_expiry: FirstExpiryRow[] | null;
};

export async function loadMovementContext(
  tx: Tx,
  item: { id: string } | { gtin: string } | null,
  locationIds: readonly string[],
  opts: { lockFirstExpiryAt?: string } = {},
): Promise<MovementContext> {
  // A GTIN is the item's main one or one linked later (item_gtins: a box, a pack scanned unknown).
  const itemWhere = !item
    ? sql`false`
    : 'id' in item
      ? sql`i.id = ${item.id}`
      : sql`(i.gtin = ${item.gtin} or i.id = (select g.item_id from item_gtins g where g.gtin = ${item.gtin}))`;
  const itemId = sql`(select i.id from items i where ${itemWhere} limit 1)`;
  const lockAt = opts.lockFirstExpiryAt;
  // A prepared statement: it runs on every movement POST (its text varies only with the options).
  const r = await executePrepared<Row>(
    tx,
    sql`
    ${lockAt === undefined ? sql`` : sql`with ${lockedStock(itemId, locationIds)}`}
    select
      (select json_build_object('id', i.id, 'code', i.code, 'active', i.active, 'base_unit', i.base_unit,
                                'unit_cost', i.unit_cost::text,
                                'units', (select json_agg(json_build_object('code', u.code, 'factor', u.factor))
                                            from item_units u where u.item_id = i.id),
                                'gtin_unit', ${item && 'gtin' in item ? sql`(select g.unit_code from item_gtins g where g.gtin = ${item.gtin} and g.item_id = i.id)` : sql`null`})
         from items i where ${itemWhere} limit 1) as item,
      (select json_agg(json_build_object('id', l.id, 'site_id', l.site_id,
                                         'active', l.active and (select s.active from sites s where s.id = l.site_id)))
         from locations l where l.id = any(${sql.param([...locationIds])}::uuid[])) as locations,
      ${CURRENT_ORGANIZATION_TIME_ZONE} as timezone,
      ${lockAt === undefined ? sql`null` : sql`(select json_agg(f order by f.ord) from (${firstExpiryRows(lockAt, sql`locked`, undefined, true)}) f)`} as first_expiry`,
  );
  const row = r.rows[0]!;
  rememberOrganizationTimeZone(tx, row.timezone);
  const i = row.item;
  return {
    item: i && {
      id: i.id,
      code: i.code,
      active: i.active,
      baseUnit: i.base_unit,
      unitCost: i.unit_cost,
      packUnits: (i.units ?? []).map((u) => ({ code: u.code, factor: Number(u.factor) })),
      gtinUnit: i.gtin_unit,
    },
    locations: new Map((row.locations ?? []).map((l) => [l.id, { siteId: l.site_id, active: l.active }])),
    firstExpiry:
      lockAt === undefined || !i
        ? undefined
        : {
            itemId: i.id,
            locationId: lockAt,
            lockedLocationIds: [...locationIds],
            rows: (row.first_expiry ?? []).map((f) => ({ ...f, on_hand: Number(f.on_hand) })),
          },
  };
}
