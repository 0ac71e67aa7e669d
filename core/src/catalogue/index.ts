export type {
  CatalogueCategory,
  CatalogueItem,
  CataloguePackUnit,
  CatalogueTemplate,
  CatalogueUnit,
  LocalisedText,
  StorageCondition,
  Ved,
} from './catalogue-types.ts';
export {
  CATALOGUE_CATEGORIES,
  type CategoryCode,
  isCategoryCode,
} from './categories.ts';
export { buildGtinIndex, findByGtin, type GtinMatch } from './gtin-index.ts';
export {
  ITEM_CODE_MAX_LENGTH,
  ITEM_CODE_MIN_LENGTH,
  ITEM_CODE_PATTERN,
  isItemCode,
} from './item-code.ts';
export {
  assertCatalogueTemplate,
  type CatalogueIssue,
  type CatalogueIssueCode,
  CatalogueValidationError,
  TEMPLATE_CODE_PATTERN,
  TEMPLATE_ITEM_CODE_PATTERN,
  validateCatalogueTemplate,
} from './validate-template.ts';
