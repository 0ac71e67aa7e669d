import type { CategoryCode } from './categories.ts';

export interface LocalisedText {
  readonly zh: string;
  readonly en: string;
}

/** V = vital, E = essential, D = desirable; with ABC it sets the item's target service level. */
export type Ved = 'V' | 'E' | 'D';

/** room = 常温 (≤ 30 °C), cool = 阴凉 (≤ 20 °C), cold = 冷藏 (2–8 °C). */
export type StorageCondition = 'room' | 'cool' | 'cold';

export interface CatalogueCategory extends LocalisedText {
  readonly code: CategoryCode;
}

export interface CatalogueUnit extends LocalisedText {
  readonly code: string;
}

export interface CataloguePackUnit extends CatalogueUnit {
  /** Base units per pack, see units/unit-types.ts. */
  readonly factor: number;
  /** Code of the next smaller unit when this pack is made of it; its factor must divide ours. */
  readonly contains?: string;
  /** GTIN-14 printed on this packaging level (usually indicator digit 1–8), for receipt scanning. */
  readonly gtin?: string;
}

export interface CatalogueItem {
  /** Unique within the template, e.g. 'CHC-0001'. */
  readonly code: string;
  readonly name: LocalisedText;
  /** 规格: size, model, material as printed by the supplier, e.g. '5ml 带针 0.7×32mm'. */
  readonly specification: string;
  readonly category: CategoryCode;
  readonly baseUnit: CatalogueUnit;
  readonly packUnits: readonly CataloguePackUnit[];
  readonly ved: Ved;
  readonly storage: StorageCondition;
  /** Items in the same group can replace each other (same base unit); used for substitution advice. */
  readonly substituteGroup?: string;
  /** Typical purchase price in CNY per base unit; a starting point until real receipts exist. */
  readonly unitCost: number;
  /** GTIN-14 of the base unit. */
  readonly gtin?: string;
  /**
   * Typical use per site per month in base units, for a clinic of the kind the template is for: the
   * prior a new clinic's forecast leans on until its own history speaks (core/src/engine/priors.ts).
   */
  readonly typicalMonthlyUsage?: number;
  /** 高值医用耗材: tracked per piece (UDI, patient), tighter approval and reconciliation. */
  readonly highValue?: boolean;
  /** Implanted in the patient: lot and serial must be recorded against the procedure. */
  readonly implant?: boolean;
}

/** A starter catalogue a new tenant picks at sign-up (db/catalogue-templates/*.json). */
export interface CatalogueTemplate {
  /** kebab-case, equal to the file name without '.json'. */
  readonly code: string;
  readonly name: LocalisedText;
  readonly description: LocalisedText;
  readonly categories: readonly CatalogueCategory[];
  readonly items: readonly CatalogueItem[];
}
