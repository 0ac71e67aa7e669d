import { type RowReason, rowReason } from '@medstock/contracts/imports/row-messages.ts';
import { unitFromWord } from '@medstock/core';
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
  /** The item's unit names as a sheet writes them (支, 盒, Box …, lowercased) → unit code. */
  unitNames: Map<string, string>;
  /** Unit code → the item's Chinese word for it, where it has one. */
  labelsZh: Map<string, string>;
}

/**
 * The unit a `unit` cell names for `item`: its code, or the item's own Chinese or English name
 * of it (支, 盒, box), case-insensitive; empty means the base unit. The item's names, not a
 * general dictionary: 支 is a syringe's piece but a vial elsewhere, and only the item knows.
 */
export function unitOfCell(
  item: ItemRef,
  cell: string,
): { ok: true; unit: string; factor: number } | { ok: false; reason: RowReason } {
  // The item's own names first; a common word (盒 → box) only for a unit the item defines.
  const unit =
    cell === ''
      ? item.baseUnit
      : (item.unitNames.get(cell.toLowerCase()) ?? commonUnitOf(item, cell) ?? cell);
  const factor = item.factors.get(unit);
  if (factor !== undefined) return { ok: true, unit, factor };
  const known = [...new Set([...item.factors.keys(), ...item.unitNames.keys()])].join(', ');
  const knownZh = [...item.factors.keys()].map((code) => unitWordZh(item, code)).join('、');
  return { ok: false, reason: rowReason('unit_unknown', { unit: cell, item: item.code, known, knownZh }) };
}

/** A unit in Chinese: the item's own word for it, else the usual word for the code (box → 盒). */
export function unitWordZh(item: ItemRef, code: string): string {
  return item.labelsZh.get(code) || unitFromWord(code)?.zh || code;
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

function commonUnitOf(item: ItemRef, cell: string): string | undefined {
  const code = unitFromWord(cell)?.code;
  return code !== undefined && item.factors.has(code) ? code : undefined;
}

/** Records a unit's names for `unitOfCell`; a name that is another unit's code stays that code. */
function nameUnit(ref: ItemRef, code: string, zh: string, en: string) {
  ref.unitNames.set(code.toLowerCase(), code);
  if (zh.trim() !== '') ref.labelsZh.set(code, zh.trim());
  for (const name of [zh, en]) {
    const key = name.trim().toLowerCase();
    if (key !== '' && !ref.unitNames.has(key)) ref.unitNames.set(key, code);
  }
}

/** Loads the maps. `siteIds` limits locations to the sites the submitter may see (null: all). */
export async function loadReferenceData(tx: Tx, siteIds: readonly string[] | null): Promise<ReferenceData> {
  const items = new Map<string, ItemRef>();
  const byId = new Map<string, ItemRef>();
  const itemRows = await tx.execute<{
    id: string;
    code: string;
    base_unit: string;
    base_unit_zh: string;
    base_unit_en: string;
    gtin: string | null;
    active: boolean;
  }>(sql`select id, code, base_unit, base_unit_zh, base_unit_en, gtin, active from items`);
  for (const r of itemRows.rows) {
    const ref: ItemRef = {
      id: r.id,
      code: r.code,
      baseUnit: r.base_unit,
      gtin: r.gtin,
      active: r.active,
      factors: new Map([[r.base_unit, 1]]),
      unitNames: new Map(),
      labelsZh: new Map(),
    };
    nameUnit(ref, r.base_unit, r.base_unit_zh, r.base_unit_en);
    items.set(r.code, ref);
    byId.set(r.id, ref);
  }
  const units = await tx.execute<{
    item_id: string;
    code: string;
    factor: number;
    name_zh: string;
    name_en: string;
  }>(sql`select item_id, code, factor, name_zh, name_en from item_units`);
  for (const u of units.rows) {
    const ref = byId.get(u.item_id);
    if (!ref) continue;
    ref.factors.set(u.code, Number(u.factor));
    nameUnit(ref, u.code, u.name_zh, u.name_en);
  }

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
