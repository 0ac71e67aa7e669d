import type { ItemUnits } from './unit-types.ts';

export type UnitIssueCode =
  | 'units.bad_code'
  | 'units.duplicate_code'
  | 'units.bad_factor'
  | 'units.unknown_contains'
  | 'units.not_multiple';

export interface UnitIssue {
  readonly code: UnitIssueCode;
  /** Where in the ItemUnits the problem is, e.g. 'packUnits[1].factor'. */
  readonly path: string;
  readonly message: string;
}

/** Lowercase, digits and hyphens: codes travel in URLs, CSV imports and API payloads. */
export const UNIT_CODE_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * Checks an item's unit definitions and returns every problem found (empty when valid), so an
 * import screen can show them all at once rather than one per attempt.
 */
export function validatePackUnits(units: ItemUnits): UnitIssue[] {
  const issues: UnitIssue[] = [];
  const base = units.baseUnit.code;
  if (!UNIT_CODE_PATTERN.test(base)) {
    issues.push({
      code: 'units.bad_code',
      path: 'baseUnit.code',
      message: `unit code '${base}' must match ${UNIT_CODE_PATTERN}`,
    });
  }
  const factors = new Map<string, number>([[base, 1]]);
  units.packUnits.forEach((pack, i) => {
    const path = `packUnits[${i}]`;
    if (!UNIT_CODE_PATTERN.test(pack.code)) {
      issues.push({
        code: 'units.bad_code',
        path: `${path}.code`,
        message: `unit code '${pack.code}' must match ${UNIT_CODE_PATTERN}`,
      });
    }
    if (factors.has(pack.code)) {
      issues.push({
        code: 'units.duplicate_code',
        path: `${path}.code`,
        message: `unit code '${pack.code}' is used more than once (base and pack units share one namespace)`,
      });
    }
    // Factor 1 would be a synonym of the base unit and make every breakdown ambiguous.
    if (!Number.isSafeInteger(pack.factor) || pack.factor < 2) {
      issues.push({
        code: 'units.bad_factor',
        path: `${path}.factor`,
        message: `factor of '${pack.code}' must be an integer of at least 2 base units, got ${pack.factor}`,
      });
    } else if (!factors.has(pack.code)) {
      factors.set(pack.code, pack.factor);
    }
  });
  units.packUnits.forEach((pack, i) => {
    if (pack.contains === undefined) return;
    const path = `packUnits[${i}].contains`;
    const inner = factors.get(pack.contains);
    if (inner === undefined || pack.contains === pack.code) {
      issues.push({
        code: 'units.unknown_contains',
        path,
        message: `'${pack.code}' contains '${pack.contains}', which is not another unit of this item`,
      });
      return;
    }
    if (!Number.isSafeInteger(pack.factor)) return; // already reported as bad_factor
    if (pack.factor <= inner || pack.factor % inner !== 0) {
      issues.push({
        code: 'units.not_multiple',
        path: `packUnits[${i}].factor`,
        message: `'${pack.code}' (${pack.factor}) contains '${pack.contains}' (${inner}), so its factor must be a larger whole multiple of ${inner}`,
      });
    }
  });
  return issues;
}
