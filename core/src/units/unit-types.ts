/**
 * Every stock quantity in medstock is an integer count of the item's base unit (the smallest unit
 * that is issued: 支, 片, 只, 双, …). Consumables are counted, not measured, so a fractional base
 * quantity is always a data-entry error or a base unit chosen too large; integers also keep sums
 * of movements exact. Pack units exist only at the edges (receiving, ordering, display).
 */
export interface UnitLabel {
  /** Stable lowercase code, e.g. 'piece', 'box'. Labels vary per item (支 vs 只); codes do not. */
  readonly code: string;
  readonly zh?: string;
  readonly en?: string;
}

export interface PackUnit extends UnitLabel {
  /** How many base units one of this pack holds: a positive integer greater than 1. */
  readonly factor: number;
  /**
   * Optional nesting: the code of the next smaller unit this pack is made of (e.g. a box that
   * contains packs). When declared, the factor must be a whole multiple of that unit's factor.
   */
  readonly contains?: string;
}

export interface ItemUnits {
  readonly baseUnit: UnitLabel;
  readonly packUnits: readonly PackUnit[];
}

/** One line of a pack breakdown: `quantity` whole `unit`s, each worth `factor` base units. */
export interface PackQuantity {
  readonly unit: string;
  readonly quantity: number;
  readonly factor: number;
}
