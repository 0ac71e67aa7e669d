import { type Explained, fmt } from './explain.ts';

/** EOQ = √(2·D·S / H): D annual demand (units), S cost per order, H holding cost per unit-year. */
export function economicOrderQuantity(inputs: {
  annualDemand: number;
  orderCost: number;
  holdingCostPerUnitYear: number;
}): Explained<{ annualDemand: number; orderCost: number; holdingCostPerUnitYear: number }> {
  const { annualDemand: D, orderCost: S, holdingCostPerUnitYear: H } = inputs;
  const value = H > 0 && D > 0 ? Math.sqrt((2 * D * S) / H) : 0;
  return {
    value,
    formula: 'EOQ = √(2·D·S / H)',
    substituted: `EOQ = √(2·${fmt(D)}·${fmt(S)} / ${fmt(H)}) = ${fmt(value)}`,
    inputs: { ...inputs },
  };
}

export interface PackRules {
  /** Supplier pack size in base units; orders are whole packs. Default 1. */
  readonly packSize?: number;
  /** Minimum order quantity in base units. Default 0. */
  readonly moq?: number;
}

/**
 * Rounds a required quantity up to the supplier's rules: at least the MOQ, then up to whole packs
 * (rounding down could leave the ward short, which is the risk being ordered against). A
 * requirement ≤ 0 means no order.
 */
export function roundOrderQuantity(
  quantity: number,
  rules: PackRules = {},
): Explained<{ required: number; packSize: number; moq: number; packs: number }> {
  const packSize = rules.packSize && rules.packSize > 0 ? rules.packSize : 1;
  const moq = Math.max(0, rules.moq ?? 0);
  if (!(quantity > 0)) {
    return {
      value: 0,
      formula: 'Q = 0 (nothing required)',
      substituted: `Q = 0 (required ${fmt(quantity)})`,
      inputs: { required: quantity, packSize, moq, packs: 0 },
    };
  }
  const base = Math.max(quantity, moq);
  // Tolerance so 30.000000000000004 units of a 10-pack stay 3 packs, not 4.
  const packs = Math.ceil(base / packSize - 1e-9);
  const value = packs * packSize;
  return {
    value,
    formula: 'Q = ⌈max(required, MOQ) / pack⌉·pack',
    substituted: `Q = ⌈max(${fmt(quantity)}, ${fmt(moq)}) / ${fmt(packSize, 0)}⌉·${fmt(packSize, 0)} = ${packs}·${fmt(packSize, 0)} = ${fmt(value, 0)}`,
    inputs: { required: quantity, packSize, moq, packs },
  };
}

/** Order for an order-up-to policy: S − position, then pack/MOQ rounding. */
export function orderUpToQuantity(inputs: { orderUpTo: number; position: number } & PackRules): Explained<{
  orderUpTo: number;
  position: number;
  required: number;
  packSize: number;
  moq: number;
  packs: number;
}> {
  const required = Math.max(0, inputs.orderUpTo - inputs.position);
  const rounded = roundOrderQuantity(required, inputs);
  return {
    value: rounded.value,
    formula: `Q = S − position; ${rounded.formula}`,
    substituted: `Q = ${fmt(inputs.orderUpTo)} − ${fmt(inputs.position)} = ${fmt(required)}; ${rounded.substituted}`,
    inputs: { orderUpTo: inputs.orderUpTo, position: inputs.position, ...rounded.inputs },
  };
}
