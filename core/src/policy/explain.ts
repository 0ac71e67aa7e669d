/**
 * Every number an alert may quote is returned with the formula that produced it and the same
 * formula with the numbers filled in, so "reorder now" can always answer "why?".
 */
export interface Explained<I extends object = Record<string, number>> {
  readonly value: number;
  /** The formula in symbols, e.g. 'SS = z·√(L̄·σd² + d̄²·σL²)'. */
  readonly formula: string;
  /** The formula with the inputs substituted and the result, e.g. 'SS = 1.645·√(7.00·4.00 + …) = 9.63'. */
  readonly substituted: string;
  readonly inputs: I;
}

/** Fixed-decimal formatting for explanations; ∞ and n/a instead of 'Infinity' / 'NaN'. */
export function fmt(x: number, digits = 2): string {
  if (Number.isNaN(x)) return 'n/a';
  if (x === Number.POSITIVE_INFINITY) return '∞';
  if (x === Number.NEGATIVE_INFINITY) return '−∞';
  return x.toFixed(digits);
}

/** Percentage with one decimal, e.g. 0.9512 → '95.1%'. */
export function pct(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : fmt(x);
}
