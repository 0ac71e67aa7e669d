import { isValidGtin } from '../gs1/check-digit.ts';
import type { PackUnit } from '../units/unit-types.ts';
import { type UnitIssueCode, validatePackUnits } from '../units/validate-pack-units.ts';
import type { CatalogueTemplate } from './catalogue-types.ts';
import { isCategoryCode } from './categories.ts';

export type CatalogueIssueCode =
  | 'catalogue.not_object'
  | 'catalogue.missing_field'
  | 'catalogue.unknown_field'
  | 'catalogue.bad_type'
  | 'catalogue.bad_code'
  | 'catalogue.duplicate_code'
  | 'catalogue.missing_name'
  | 'catalogue.unknown_category'
  | 'catalogue.bad_ved'
  | 'catalogue.bad_storage'
  | 'catalogue.bad_unit'
  | 'catalogue.bad_cost'
  | 'catalogue.bad_usage'
  | 'catalogue.bad_gtin'
  | 'catalogue.duplicate_gtin'
  | 'catalogue.substitute_unit_mismatch'
  | UnitIssueCode;

export interface CatalogueIssue {
  readonly code: CatalogueIssueCode;
  /** JSON path into the template, e.g. 'items[12].packUnits[0].factor'. */
  readonly path: string;
  readonly message: string;
}

export class CatalogueValidationError extends Error {
  override readonly name = 'CatalogueValidationError';
  readonly issues: readonly CatalogueIssue[];

  constructor(issues: readonly CatalogueIssue[]) {
    const shown = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`);
    const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
    super(`catalogue template is invalid: ${shown.join('; ')}${more}`);
    this.issues = issues;
  }
}

export const TEMPLATE_CODE_PATTERN = /^[a-z][a-z0-9-]{1,63}$/;
/**
 * The shipped templates' house style for item codes — uppercase, digits, hyphens, at most 32 —
 * a stricter subset of the item-code rule (item-code.ts) every item must pass anyway.
 */
export const TEMPLATE_ITEM_CODE_PATTERN = /^[A-Z0-9][A-Z0-9-]{0,31}$/;
const VED = new Set(['V', 'E', 'D']);
const STORAGE = new Set(['room', 'cool', 'cold']);

const TEMPLATE_KEYS = new Set(['code', 'name', 'description', 'categories', 'items']);
const CATEGORY_KEYS = new Set(['code', 'zh', 'en']);
const UNIT_KEYS = new Set(['code', 'zh', 'en']);
const PACK_KEYS = new Set(['code', 'zh', 'en', 'factor', 'contains', 'gtin']);
const ITEM_KEYS = new Set([
  'code',
  'name',
  'specification',
  'category',
  'baseUnit',
  'packUnits',
  'ved',
  'storage',
  'substituteGroup',
  'unitCost',
  'typicalMonthlyUsage',
  'gtin',
  'highValue',
  'implant',
]);

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/**
 * Checks a parsed catalogue template file and returns every problem found; an empty list means it
 * can be loaded. Pure and total: any JSON value is accepted as input and never throws, so the same
 * function serves the template test suite and a tenant uploading its own catalogue.
 */
export function validateCatalogueTemplate(json: unknown): CatalogueIssue[] {
  const issues: CatalogueIssue[] = [];
  const add: Add = (code, path, message) => {
    issues.push({ code, path, message });
  };

  if (!isObject(json)) {
    add('catalogue.not_object', '', 'template must be a JSON object');
    return issues;
  }
  checkUnknownKeys(json, TEMPLATE_KEYS, '', add);
  if (!isNonEmptyString(json.code)) {
    add('catalogue.missing_field', 'code', 'template code is required');
  } else if (!TEMPLATE_CODE_PATTERN.test(json.code)) {
    add('catalogue.bad_code', 'code', `template code '${json.code}' must be kebab-case`);
  }
  checkLocalised(json.name, 'name', 'catalogue.missing_name', add);
  checkLocalised(json.description, 'description', 'catalogue.missing_field', add);

  const categories = new Set<string>();
  if (!Array.isArray(json.categories) || json.categories.length === 0) {
    add('catalogue.missing_field', 'categories', 'categories must be a non-empty array');
  } else {
    json.categories.forEach((category: unknown, i) => {
      const path = `categories[${i}]`;
      if (!isObject(category)) {
        add('catalogue.not_object', path, 'category must be an object');
        return;
      }
      checkUnknownKeys(category, CATEGORY_KEYS, path, add);
      const code = category.code;
      if (typeof code !== 'string' || !isCategoryCode(code)) {
        add(
          'catalogue.unknown_category',
          `${path}.code`,
          `'${String(code)}' is not a medstock category code`,
        );
      } else if (categories.has(code)) {
        add('catalogue.duplicate_code', `${path}.code`, `category '${code}' is listed twice`);
      } else {
        categories.add(code);
      }
      checkLocalised(category, path, 'catalogue.missing_name', add);
    });
  }

  if (!Array.isArray(json.items) || json.items.length === 0) {
    add('catalogue.missing_field', 'items', 'items must be a non-empty array');
    return issues;
  }
  const itemCodes = new Map<string, number>();
  const gtins = new Map<string, string>();
  const substituteBaseUnits = new Map<string, { unit: string; path: string }>();
  json.items.forEach((item: unknown, i) => {
    const path = `items[${i}]`;
    if (!isObject(item)) {
      add('catalogue.not_object', path, 'item must be an object');
      return;
    }
    checkUnknownKeys(item, ITEM_KEYS, path, add);

    const code = item.code;
    if (!isNonEmptyString(code)) {
      add('catalogue.missing_field', `${path}.code`, 'item code is required');
    } else if (!TEMPLATE_ITEM_CODE_PATTERN.test(code)) {
      add(
        'catalogue.bad_code',
        `${path}.code`,
        `item code '${code}' must match ${TEMPLATE_ITEM_CODE_PATTERN}`,
      );
    } else if (itemCodes.has(code)) {
      add(
        'catalogue.duplicate_code',
        `${path}.code`,
        `item code '${code}' is also used by items[${itemCodes.get(code)}]`,
      );
    } else {
      itemCodes.set(code, i);
    }
    const label = isNonEmptyString(code) ? code : path;

    checkLocalised(item.name, `${path}.name`, 'catalogue.missing_name', add);
    if (!isNonEmptyString(item.specification)) {
      add('catalogue.missing_field', `${path}.specification`, `${label}: specification (规格) is required`);
    }
    if (typeof item.category !== 'string' || !categories.has(item.category)) {
      add(
        'catalogue.unknown_category',
        `${path}.category`,
        `${label}: category '${String(item.category)}' is not in this template's categories`,
      );
    }
    if (typeof item.ved !== 'string' || !VED.has(item.ved)) {
      add(
        'catalogue.bad_ved',
        `${path}.ved`,
        `${label}: VED class must be 'V', 'E' or 'D', got ${JSON.stringify(item.ved)}`,
      );
    }
    if (typeof item.storage !== 'string' || !STORAGE.has(item.storage)) {
      add(
        'catalogue.bad_storage',
        `${path}.storage`,
        `${label}: storage must be 'room', 'cool' or 'cold', got ${JSON.stringify(item.storage)}`,
      );
    }
    if (typeof item.unitCost !== 'number' || !Number.isFinite(item.unitCost) || item.unitCost <= 0) {
      add(
        'catalogue.bad_cost',
        `${path}.unitCost`,
        `${label}: unitCost must be a positive CNY amount per base unit`,
      );
    }
    const usage = item.typicalMonthlyUsage;
    if (usage !== undefined && (typeof usage !== 'number' || !Number.isFinite(usage) || usage < 0)) {
      add(
        'catalogue.bad_usage',
        `${path}.typicalMonthlyUsage`,
        `${label}: typicalMonthlyUsage must be a number of base units per month, 0 or more`,
      );
    }
    for (const flag of ['highValue', 'implant'] as const) {
      if (item[flag] !== undefined && typeof item[flag] !== 'boolean') {
        add('catalogue.bad_type', `${path}.${flag}`, `${label}: ${flag} must be true or false`);
      }
    }
    checkGtin(item.gtin, `${path}.gtin`, label, gtins, add);

    const units = checkUnits(item, path, label, gtins, add);
    if (item.substituteGroup !== undefined) {
      if (!isNonEmptyString(item.substituteGroup)) {
        add(
          'catalogue.bad_type',
          `${path}.substituteGroup`,
          `${label}: substituteGroup must be a non-empty string`,
        );
      } else if (units) {
        // Substitution advice compares stock in base units, which only works within one unit.
        const first = substituteBaseUnits.get(item.substituteGroup);
        if (!first) {
          substituteBaseUnits.set(item.substituteGroup, { unit: units, path });
        } else if (first.unit !== units) {
          add(
            'catalogue.substitute_unit_mismatch',
            `${path}.substituteGroup`,
            `${label}: substitute group '${item.substituteGroup}' uses base unit '${first.unit}' (${first.path}), this item uses '${units}'`,
          );
        }
      }
    }
  });
  return issues;
}

/** Throws CatalogueValidationError unless the template is valid; narrows the type for callers. */
export function assertCatalogueTemplate(json: unknown): asserts json is CatalogueTemplate {
  const issues = validateCatalogueTemplate(json);
  if (issues.length > 0) throw new CatalogueValidationError(issues);
}

type Add = (code: CatalogueIssueCode, path: string, message: string) => void;

function checkUnknownKeys(obj: Json, allowed: ReadonlySet<string>, path: string, add: Add): void {
  // Unknown keys are usually typos ('substitueGroup') that would silently drop data.
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key))
      add('catalogue.unknown_field', path ? `${path}.${key}` : key, `unknown field '${key}'`);
  }
}

function checkLocalised(value: unknown, path: string, code: CatalogueIssueCode, add: Add): void {
  if (!isObject(value)) {
    add(code, path, `${path || 'value'} must be an object with 'zh' and 'en'`);
    return;
  }
  for (const locale of ['zh', 'en'] as const) {
    if (!isNonEmptyString(value[locale])) {
      add(code, path ? `${path}.${locale}` : locale, `${path ? `${path}.` : ''}${locale} text is required`);
    }
  }
}

function checkGtin(value: unknown, path: string, label: string, seen: Map<string, string>, add: Add): void {
  if (value === undefined) return;
  // Templates store the 14-digit form only, so lookups never need to normalise.
  if (typeof value !== 'string' || value.length !== 14 || !isValidGtin(value)) {
    add(
      'catalogue.bad_gtin',
      path,
      `${label}: ${JSON.stringify(value)} is not a GTIN-14 with a valid check digit`,
    );
    return;
  }
  const other = seen.get(value);
  if (other !== undefined) {
    add('catalogue.duplicate_gtin', path, `${label}: GTIN ${value} is already used at ${other}`);
  } else {
    seen.set(value, path);
  }
}

/** Validates baseUnit and packUnits; returns the base unit code when the structure is usable. */
function checkUnits(
  item: Json,
  path: string,
  label: string,
  gtins: Map<string, string>,
  add: Add,
): string | undefined {
  const base = item.baseUnit;
  let structureOk = true;
  if (!isObject(base)) {
    add(
      'catalogue.bad_unit',
      `${path}.baseUnit`,
      `${label}: baseUnit must be an object with code, zh and en`,
    );
    structureOk = false;
  } else {
    checkUnknownKeys(base, UNIT_KEYS, `${path}.baseUnit`, add);
    structureOk = checkUnitLabel(base, `${path}.baseUnit`, label, add) && structureOk;
  }
  const packs = item.packUnits;
  if (!Array.isArray(packs)) {
    add(
      'catalogue.bad_unit',
      `${path}.packUnits`,
      `${label}: packUnits must be an array (empty when sold singly)`,
    );
    return undefined;
  }
  packs.forEach((pack: unknown, j) => {
    const packPath = `${path}.packUnits[${j}]`;
    if (!isObject(pack)) {
      add('catalogue.bad_unit', packPath, `${label}: pack unit must be an object`);
      structureOk = false;
      return;
    }
    checkUnknownKeys(pack, PACK_KEYS, packPath, add);
    structureOk = checkUnitLabel(pack, packPath, label, add) && structureOk;
    if (typeof pack.factor !== 'number') {
      add('catalogue.bad_unit', `${packPath}.factor`, `${label}: factor must be a number`);
      structureOk = false;
    }
    if (pack.contains !== undefined && typeof pack.contains !== 'string') {
      add('catalogue.bad_unit', `${packPath}.contains`, `${label}: contains must be a unit code`);
      structureOk = false;
    }
    checkGtin(pack.gtin, `${packPath}.gtin`, label, gtins, add);
  });
  if (!structureOk || !isObject(base)) return undefined;
  const unitIssues = validatePackUnits({
    baseUnit: { code: base.code as string },
    packUnits: packs as PackUnit[],
  });
  for (const issue of unitIssues) add(issue.code, `${path}.${issue.path}`, `${label}: ${issue.message}`);
  return base.code as string;
}

function checkUnitLabel(unit: Json, path: string, label: string, add: Add): boolean {
  let ok = true;
  if (typeof unit.code !== 'string') {
    add('catalogue.bad_unit', `${path}.code`, `${label}: unit code is required`);
    ok = false;
  }
  for (const locale of ['zh', 'en'] as const) {
    if (!isNonEmptyString(unit[locale])) {
      add('catalogue.bad_unit', `${path}.${locale}`, `${label}: unit ${locale} label is required`);
    }
  }
  return ok;
}
