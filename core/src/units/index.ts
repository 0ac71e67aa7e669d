export {
  type FromBaseOptions,
  formatQuantity,
  fromBaseQuantity,
  roundUpToPack,
  type ToBaseOptions,
  toBaseQuantity,
  unitFactor,
} from './convert.ts';
export { UnitConversionError, type UnitErrorCode } from './unit-error.ts';
export { unitFromWord } from './unit-names.ts';
export type { ItemUnits, PackQuantity, PackUnit, UnitLabel } from './unit-types.ts';
export {
  UNIT_CODE_PATTERN,
  type UnitIssue,
  type UnitIssueCode,
  validatePackUnits,
} from './validate-pack-units.ts';
