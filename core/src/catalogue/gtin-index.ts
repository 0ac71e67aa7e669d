import { normaliseGtin } from '../gs1/check-digit.ts';
import type { CatalogueItem } from './catalogue-types.ts';

/** What a scanned GTIN means: which item, and which of its units one scan stands for. */
export interface GtinMatch {
  readonly itemCode: string;
  /** The base unit code, or the pack unit whose GTIN was scanned (a box GTIN → 'box'). */
  readonly unitCode: string;
}

/**
 * Index from GTIN-14 to item and unit. Every packaging level has its own GTIN, so scanning a box
 * at receipt must book the box's factor in base units, not one piece.
 */
export function buildGtinIndex(items: readonly CatalogueItem[]): ReadonlyMap<string, GtinMatch> {
  const index = new Map<string, GtinMatch>();
  for (const item of items) {
    if (item.gtin) index.set(item.gtin, { itemCode: item.code, unitCode: item.baseUnit.code });
    for (const pack of item.packUnits) {
      if (pack.gtin) index.set(pack.gtin, { itemCode: item.code, unitCode: pack.code });
    }
  }
  return index;
}

/** Looks up any GTIN-8/12/13/14; undefined when unknown or not a valid GTIN. */
export function findByGtin(index: ReadonlyMap<string, GtinMatch>, gtin: string): GtinMatch | undefined {
  try {
    return index.get(normaliseGtin(gtin));
  } catch {
    return undefined;
  }
}
