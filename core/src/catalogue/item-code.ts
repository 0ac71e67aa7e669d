/**
 * The one item-code rule: the API's schema (api/src/routes/items/item.schemas.ts) and the items
 * importer both take it from here, so a file cannot create a code the API would refuse.
 * Item codes are what storekeepers type, print on shelf labels and scan back: a letter or digit,
 * then letters, digits and _ . - / — no spaces, no punctuation a label printer or a URL mangles.
 */
export const ITEM_CODE_MIN_LENGTH = 1;
export const ITEM_CODE_MAX_LENGTH = 60;
/** As a JSON Schema `pattern` string (TypeBox, OpenAPI). */
export const ITEM_CODE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.\\-/]*$';
const ITEM_CODE = new RegExp(ITEM_CODE_PATTERN);

/** True when `code` is a valid item code (the pattern implies the minimum length). */
export function isItemCode(code: string): boolean {
  return code.length <= ITEM_CODE_MAX_LENGTH && ITEM_CODE.test(code);
}
