import type { Tx } from '@medstock/db';
import { sql } from 'drizzle-orm';

export interface ItemRef {
  id: string;
  code: string;
  baseUnit: string;
  gtin: string | null;
  active: boolean;
  /** Pack unit code → base units per pack (the base unit itself maps to 1). */
  factors: Map<string, number>;
}

export interface LocationRef {
  id: string;
  siteId: string;
  active: boolean;
}

export interface LotRef {
  id: string;
  expiryDate: string | null;
  /** Created by this import (inserted when it applies). */
  isNew: boolean;
  itemId: string;
  lotNumber: string;
}

/**
 * The codes a file refers to, resolved once into memory: items (with their unit factors),
 * locations by site code + location code, suppliers. Their size follows the catalogue, never the
 * file, so a million-row history is validated with a few thousand map entries.
 */
export interface ReferenceData {
  items: Map<string, ItemRef>;
  locations: Map<string, LocationRef>;
  siteCodes: Set<string>;
  suppliers: Map<string, string>;
}

export const locationKey = (siteCode: string, locationCode: string) => `${siteCode}\u0000${locationCode}`;
export const lotKey = (itemId: string, lotNumber: string) => `${itemId}\u0000${lotNumber}`;

/** Loads the maps. `siteIds` limits locations to the sites the submitter may see (null: all). */
export async function loadReferenceData(tx: Tx, siteIds: readonly string[] | null): Promise<ReferenceData> {
  const items = new Map<string, ItemRef>();
  const byId = new Map<string, ItemRef>();
  const itemRows = await tx.execute<{
    id: string;
    code: string;
    base_unit: string;
    gtin: string | null;
    active: boolean;
  }>(sql`select id, code, base_unit, gtin, active from items`);
  for (const r of itemRows.rows) {
    const ref: ItemRef = {
      id: r.id,
      code: r.code,
      baseUnit: r.base_unit,
      gtin: r.gtin,
      active: r.active,
      factors: new Map([[r.base_unit, 1]]),
    };
    items.set(r.code, ref);
    byId.set(r.id, ref);
  }
  const units = await tx.execute<{ item_id: string; code: string; factor: number }>(
    sql`select item_id, code, factor from item_units`,
  );
  for (const u of units.rows) byId.get(u.item_id)?.factors.set(u.code, Number(u.factor));

  const locations = new Map<string, LocationRef>();
  const siteCodes = new Set<string>();
  const locRows = await tx.execute<{
    id: string;
    site_id: string;
    site_code: string;
    code: string;
    active: boolean;
  }>(sql`
    select l.id, l.site_id, s.code as site_code, l.code, (l.active and s.active) as active
      from locations l join sites s on s.id = l.site_id
     where ${siteIds === null}::boolean or l.site_id = any(${sql.param(siteIds ?? [])}::uuid[])`);
  for (const r of locRows.rows) {
    siteCodes.add(r.site_code);
    locations.set(locationKey(r.site_code, r.code), { id: r.id, siteId: r.site_id, active: r.active });
  }

  const suppliers = new Map<string, string>();
  const supRows = await tx.execute<{ id: string; code: string }>(sql`select id, code from suppliers`);
  for (const r of supRows.rows) suppliers.set(r.code, r.id);
  return { items, locations, siteCodes, suppliers };
}

/** Every lot of the organisation by item and lot number (the ledger kinds check expiry against it). */
export async function loadLots(tx: Tx): Promise<Map<string, LotRef>> {
  const lots = new Map<string, LotRef>();
  const r = await tx.execute<{ id: string; item_id: string; lot_number: string; expiry_date: string | null }>(
    sql`select id, item_id, lot_number, to_char(expiry_date, 'YYYY-MM-DD') as expiry_date from lots`,
  );
  for (const l of r.rows) {
    lots.set(lotKey(l.item_id, l.lot_number), {
      id: l.id,
      expiryDate: l.expiry_date,
      isNew: false,
      itemId: l.item_id,
      lotNumber: l.lot_number,
    });
  }
  return lots;
}
