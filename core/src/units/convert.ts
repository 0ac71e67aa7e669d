import { UnitConversionError } from './unit-error.ts';
import type { ItemUnits, PackQuantity, UnitLabel } from './unit-types.ts';

/**
 * Base units one `unitCode` stands for: 1 for the base unit, the pack factor otherwise.
 * Throws units.unknown_unit for a code the item does not define.
 */
export function unitFactor(units: ItemUnits, unitCode: string): number {
  if (unitCode === units.baseUnit.code) return 1;
  const pack = units.packUnits.find((p) => p.code === unitCode);
  if (!pack) {
    const known = [units.baseUnit.code, ...units.packUnits.map((p) => p.code)].join(', ');
    throw new UnitConversionError(
      'units.unknown_unit',
      `unit '${unitCode}' is not defined for this item (known: ${known})`,
      {
        unit: unitCode,
      },
    );
  }
  return pack.factor;
}

export interface ToBaseOptions {
  /** Stock adjustments (盘亏) may be negative; receipts and issues never are. Default false. */
  readonly allowNegative?: boolean;
}

/**
 * Converts `quantity` of `unitCode` into an integer number of base units.
 * 0.5 box of 100 is fine (50); 0.5 piece is not (units.not_integer).
 */
export function toBaseQuantity(
  units: ItemUnits,
  quantity: number,
  unitCode: string,
  options: ToBaseOptions = {},
): number {
  if (typeof quantity !== 'number' || !Number.isFinite(quantity)) {
    throw new UnitConversionError(
      'units.not_finite',
      `quantity must be a finite number, got ${String(quantity)}`,
      {
        unit: unitCode,
      },
    );
  }
  if (quantity < 0 && !options.allowNegative) {
    throw new UnitConversionError(
      'units.negative',
      `quantity must not be negative, got ${quantity} ${unitCode}`,
      {
        unit: unitCode,
        quantity,
      },
    );
  }
  const factor = unitFactor(units, unitCode);
  const exact = quantity * factor;
  const rounded = Math.round(exact);
  // Decimal input is binary floating point (0.3 × 10 = 3.0000000000000004), so allow a few ulps
  // of error; anything larger is a genuine fraction of a base unit.
  const tolerance = 8 * Number.EPSILON * Math.max(1, Math.abs(exact));
  if (Math.abs(exact - rounded) > tolerance) {
    throw new UnitConversionError(
      'units.not_integer',
      `${quantity} ${unitCode} is ${exact} ${units.baseUnit.code}; stock is counted in whole ${units.baseUnit.code}`,
      { unit: unitCode, quantity },
    );
  }
  if (!Number.isSafeInteger(rounded)) {
    throw new UnitConversionError(
      'units.out_of_range',
      `${quantity} ${unitCode} is too large to count exactly`,
      {
        unit: unitCode,
        quantity,
      },
    );
  }
  // Normalise -0 so that equality checks and JSON output stay boring.
  return rounded === 0 ? 0 : rounded;
}

export interface FromBaseOptions {
  /**
   * Pack units to express the quantity in (e.g. only the supplier's ordering unit). The base unit
   * always takes the remainder. Default: all pack units.
   */
  readonly units?: readonly string[];
}

/**
 * Expresses a base quantity as whole packs, largest first, plus a base-unit remainder:
 * 235 pieces with box = 100 and pack = 10 is [2 box, 3 pack, 5 piece]. Lines with zero are left
 * out; zero itself is [0 piece]. Packs with the same factor: the first declared wins.
 */
export function fromBaseQuantity(
  units: ItemUnits,
  baseQuantity: number,
  options: FromBaseOptions = {},
): PackQuantity[] {
  assertBaseQuantity(units, baseQuantity);
  if (options.units) for (const code of options.units) unitFactor(units, code);
  const packs = units.packUnits
    .map((p, index) => ({ p, index }))
    .filter(({ p }) => !options.units || options.units.includes(p.code))
    .sort((a, b) => b.p.factor - a.p.factor || a.index - b.index);
  const parts: PackQuantity[] = [];
  let rest = baseQuantity;
  for (const { p } of packs) {
    const whole = Math.floor(rest / p.factor);
    if (whole > 0) {
      parts.push({ unit: p.code, quantity: whole, factor: p.factor });
      rest -= whole * p.factor;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push({ unit: units.baseUnit.code, quantity: rest, factor: 1 });
  return parts;
}

/**
 * The smallest whole number of `unitCode` packs covering `baseQuantity`, in base units:
 * suppliers sell whole boxes, so an order for 130 pieces of a 100-piece box becomes 200.
 */
export function roundUpToPack(units: ItemUnits, baseQuantity: number, unitCode: string): number {
  assertBaseQuantity(units, baseQuantity);
  const factor = unitFactor(units, unitCode);
  return Math.ceil(baseQuantity / factor) * factor;
}

/**
 * Short display of a base quantity as packs, e.g. '2盒3包5支' or '2 box 3 pack 5 piece'.
 * Falls back to the unit code where a label is missing; English labels are not pluralised.
 */
export function formatQuantity(
  units: ItemUnits,
  baseQuantity: number,
  locale: 'zh' | 'en',
  options: FromBaseOptions = {},
): string {
  const labels = new Map<string, UnitLabel>([units.baseUnit, ...units.packUnits].map((u) => [u.code, u]));
  const parts = fromBaseQuantity(units, baseQuantity, options).map((part) => {
    const label = labels.get(part.unit)?.[locale] ?? part.unit;
    return locale === 'zh' ? `${part.quantity}${label}` : `${part.quantity} ${label}`;
  });
  return parts.join(locale === 'zh' ? '' : ' ');
}

function assertBaseQuantity(units: ItemUnits, baseQuantity: number): void {
  const base = units.baseUnit.code;
  if (typeof baseQuantity !== 'number' || !Number.isFinite(baseQuantity)) {
    throw new UnitConversionError(
      'units.not_finite',
      `base quantity must be a finite number, got ${String(baseQuantity)}`,
      {
        unit: base,
      },
    );
  }
  if (!Number.isInteger(baseQuantity)) {
    throw new UnitConversionError(
      'units.not_integer',
      `base quantity must be a whole number of ${base}, got ${baseQuantity}`,
      {
        unit: base,
        quantity: baseQuantity,
      },
    );
  }
  if (baseQuantity < 0) {
    throw new UnitConversionError(
      'units.negative',
      `base quantity must not be negative, got ${baseQuantity}`,
      {
        unit: base,
        quantity: baseQuantity,
      },
    );
  }
  if (!Number.isSafeInteger(baseQuantity)) {
    throw new UnitConversionError(
      'units.out_of_range',
      `base quantity ${baseQuantity} is too large to count exactly`,
      {
        unit: base,
        quantity: baseQuantity,
      },
    );
  }
}
