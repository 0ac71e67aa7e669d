export { PACK_LABEL_PREFIX, type PackLabel, packLabel, parsePackLabel } from './pack-label.ts';
export {
  fefoOrder,
  isExpiredOn,
  type LotPick,
  type PickableLot,
  type PickOptions,
  type PickResult,
  pickFirstExpiry,
} from './pick-list.ts';
