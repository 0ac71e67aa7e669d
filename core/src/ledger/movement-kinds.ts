/**
 * What a caller posts (a transfer is one request) and what the ledger stores (a transfer is a
 * transfer_out and a transfer_in row): the one list each for the database types, the API's
 * schemas, the importers and (through the OpenAPI document) the web app.
 */
export const MOVEMENT_KINDS = [
  'receipt',
  'issue',
  'transfer',
  'adjustment',
  'stocktake',
  'return',
  'write_off',
] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

export const LEDGER_TYPES = [
  'receipt',
  'issue',
  'transfer_out',
  'transfer_in',
  'adjustment',
  'stocktake',
  'return',
  'write_off',
] as const;
export type LedgerType = (typeof LEDGER_TYPES)[number];
