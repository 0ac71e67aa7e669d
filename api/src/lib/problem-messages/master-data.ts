import type { ProblemMessages } from './types.ts';

/** Master data: items' codes and GTINs, sites and locations, members, the item stock card. */
export const masterDataMessages: ProblemMessages = {
  invalid_nhsa_code: {
    'zh-CN': {
      title: '医保耗材编码格式不对',
      detail: '“{value}”不是医保医用耗材编码：应为大写字母 C 加 19 位数字（共 20 位），或 27 位的完整编码。',
    },
    en: {
      title: 'Invalid NHSA consumable code',
      detail:
        "'{value}' is not an NHSA consumable code: it is the letter C and 19 digits (20 characters), or the 27-character full code.",
    },
  },
  invalid_udi_di: {
    'zh-CN': {
      title: 'UDI-DI 格式不对',
      detail: 'UDI-DI（产品标识）只能由字母、数字和常见符号组成，不含空格，最长 60 位。',
    },
    en: {
      title: 'Invalid UDI-DI',
      detail:
        'A UDI-DI (device identifier) is letters, digits and common symbols, without spaces, up to 60 characters.',
    },
  },
  gtin_taken: {
    'zh-CN': {
      title: '条码已被使用',
      detail: '条码 {gtin} 已属于耗材 {itemCode}，一个条码只能对应一个耗材。',
    },
    en: {
      title: 'GTIN already in use',
      detail: 'GTIN {gtin} already belongs to item {itemCode}; a GTIN marks one item only.',
    },
  },
  gtin_unit_unknown: {
    'zh-CN': {
      title: '没有这个包装单位',
      detail: '耗材 {itemCode} 没有包装单位“{unit}”，请先在耗材资料里添加。',
    },
    en: {
      title: 'Unknown pack unit',
      detail: "Item {itemCode} has no unit '{unit}'; add it to the item first.",
    },
  },
  location_has_stock: {
    'zh-CN': {
      title: '库房还有库存',
      detail: '“{name}”还有库存 {onHand}（按基本单位计），请先调拨或报损，再停用。',
    },
    en: {
      title: 'The location still holds stock',
      detail:
        "'{name}' still has {onHand} in stock (counted in base units); transfer or write it off before deactivating it.",
    },
  },
  site_has_stock: {
    'zh-CN': {
      title: '院区还有库存',
      detail: '院区“{name}”的库房还有库存 {onHand}（按基本单位计），请先调拨或报损，再停用。',
    },
    en: {
      title: 'The site still holds stock',
      detail:
        "Site '{name}' still has {onHand} in stock (counted in base units); transfer or write it off before deactivating it.",
    },
  },
  location_inactive: {
    'zh-CN': {
      title: '库房已停用',
      detail: '这个库房（或所在院区）已停用，不能再记出入库。请先启用，或选择其他库房。',
    },
    en: {
      title: 'The location is deactivated',
      detail:
        'This location (or its site) is deactivated and takes no new movements. Reactivate it or choose another location.',
    },
  },
};
