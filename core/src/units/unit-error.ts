/** Stable codes, mapped to translated messages by the API and web client. */
export type UnitErrorCode =
  | 'units.unknown_unit'
  | 'units.not_integer'
  | 'units.negative'
  | 'units.not_finite'
  | 'units.out_of_range';

export class UnitConversionError extends Error {
  override readonly name = 'UnitConversionError';
  readonly code: UnitErrorCode;
  readonly unit: string | undefined;
  readonly quantity: number | undefined;

  constructor(code: UnitErrorCode, message: string, details: { unit?: string; quantity?: number } = {}) {
    super(message);
    this.code = code;
    this.unit = details.unit;
    this.quantity = details.quantity;
  }
}
