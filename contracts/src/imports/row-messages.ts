/**
 * The words of every problem an import finds in a file, in English and 简体中文, by a stable
 * code. Validators report a code and its params (`rowReason`); the English text is stored with
 * the error (events, logs) and the API answers in the reader's language from the same entry.
 * `{name}` is a param as given.
 */
export type ImportLocale = 'zh-CN' | 'en';

const MESSAGES = {
  required: { en: 'is required', zh: '必填' },
  length_between: { en: 'must be {min}-{max} characters', zh: '长度须为 {min}–{max} 个字符' },
  not_item_code: {
    en: "'{value}' is not an item code: 1-{max} letters, digits and _ . - /, starting with a letter or digit",
    zh: '「{value}」不是有效的耗材编码：须为 1–{max} 个字母、数字或 _ . - /，且以字母或数字开头',
  },
  too_long: { en: 'is longer than {max} characters', zh: '超过 {max} 个字符' },
  new_item_needs_name: { en: 'a new item needs name_zh or name_en', zh: '新耗材要填中文名称或英文名称' },
  unknown_category: { en: "unknown category '{value}'", zh: '没有「{value}」这个分类' },
  not_a_unit: {
    en: "'{value}' is not a unit: write a code like piece, ml, pair or a word like 支、盒、片",
    zh: '「{value}」不是单位：请写 piece、ml 这样的编码，或 支、盒、片 这样的单位名',
  },
  base_unit_fixed: {
    en: "item {item} counts in '{unit}'; a base unit cannot change (every stored quantity is in it)",
    zh: '耗材 {item} 的基本单位是「{unit}」，已有的数量都按它记，不能更改',
  },
  pack_unit_format: {
    en: "'{value}' is not unit=factor (e.g. box=100 or 盒=100)",
    zh: '「{value}」格式不对，应写成 单位=数量（如 盒=100）',
  },
  pack_unit_code: { en: 'pack unit {detail}', zh: '包装单位编码有误：{detail}' },
  pack_unit_duplicate: { en: 'pack unit {detail}', zh: '包装单位重复：{detail}' },
  pack_unit_factor: { en: 'pack unit {detail}', zh: '包装数量须为大于 1 的整数：{detail}' },
  pack_unit_nesting: { en: 'pack unit {detail}', zh: '包装层级不对：{detail}' },
  gtin_invalid: { en: '{detail}', zh: '商品条码（GTIN）无效：{value}' },
  not_ved: { en: "'{value}' is not V, E or D", zh: '「{value}」不是 V、E 或 D' },
  not_storage: {
    en: "'{value}' is not room, cool, cold or frozen",
    zh: '「{value}」不是 room（常温）、cool（阴凉）、cold（冷藏）或 frozen（冷冻）',
  },
  item_twice: { en: 'item {item} is already on line {line}', zh: '耗材 {item} 已在第 {line} 行出现' },
  gtin_twice: {
    en: 'GTIN {gtin} is also given to {item} on line {line}',
    zh: '条码 {gtin} 在第 {line} 行也给了耗材 {item}',
  },
  gtin_taken: { en: 'GTIN {gtin} belongs to item {item}', zh: '条码 {gtin} 已属于耗材 {item}' },
  plan_item_limit: {
    en: 'the file creates {count} new items, {over} more than the plan allows, so nothing was imported. {detail}',
    zh: '文件要新建 {count} 个耗材，比当前套餐允许的多 {over} 个，所以什么都没有导入。请升级套餐或减少新耗材。',
  },
  unknown_site: { en: "unknown site '{site}'", zh: '没有编码为「{site}」的院区' },
  unknown_location: {
    en: "unknown location '{location}' at site '{site}'",
    zh: '院区「{site}」没有编码为「{location}」的库位',
  },
  location_inactive: { en: 'the location or its site is inactive', zh: '该库位或其院区已停用' },
  unknown_item: { en: "unknown item '{item}'", zh: '没有编码为「{item}」的耗材' },
  unknown_supplier: { en: "unknown supplier '{supplier}'", zh: '没有编码为「{supplier}」的供应商' },
  unknown_type: {
    en: "'{value}' is not one of {allowed}",
    zh: '「{value}」不是可用的类型：入库、出库（领用）、调出、调入、调整、退货、报损、盘点',
  },
  count_negative: {
    en: 'a count must not be negative, got {value}',
    zh: '盘点数不能为负数（填的是 {value}）',
  },
  adjustment_zero: { en: 'an adjustment must not be 0', zh: '调整数量不能为 0' },
  must_be_positive: { en: 'must be positive, got {value}', zh: '必须大于 0（填的是 {value}）' },
  negative: { en: 'must not be negative, got {value}', zh: '不能为负数（填的是 {value}）' },
  whole_number_min1: {
    en: 'must be a whole number >= 1, got {value}',
    zh: '必须是不小于 1 的整数（填的是 {value}）',
  },
  whole_days: {
    en: 'must be a whole number of days >= 0, got {value}',
    zh: '须为不小于 0 的整数天数（填的是 {value}）',
  },
  not_a_number: { en: "'{value}' is not a number", zh: '「{value}」不是数字' },
  not_boolean: { en: "'{value}' is not true or false", zh: '「{value}」不是 是/否（true/false）' },
  not_a_date: {
    en: "'{value}' is not a date (YYYY-MM-DD)",
    zh: '「{value}」不是日期（可写 2026-08-01、2026/8/1 或 2026年8月1日）',
  },
  not_a_date_time: {
    en: "'{value}' is not a date (YYYY-MM-DD) or ISO date-time",
    zh: '「{value}」不是日期或时间（可写 2026-08-01、2026/8/1 08:30 或 2026年8月1日）',
  },
  in_future: { en: '{value} is in the future', zh: '{value} 是将来的时间，不能导入' },
  fraction_of_base: {
    en: '{quantity} {unit} is {exact} {base}; stock is counted in whole {base}',
    zh: '{quantity}{unitZh} 折合 {exact}{baseZh}，库存只能按整数{baseZh}记',
  },
  quantity_too_large: { en: '{quantity} {unit} is too large', zh: '{quantity}{unitZh} 数量太大' },
  unit_unknown: {
    en: "unit '{unit}' is not defined for item {item} (known: {known})",
    zh: '耗材 {item} 没有「{unit}」这个单位（可用：{knownZh}）',
  },
  expiry_needs_lot: { en: 'an expiry date needs a lot_number', zh: '填了效期就要填批号' },
  lot_expiry_differs: {
    en: 'lot {lot} of {item} has expiry {expected}, not {value}',
    zh: '耗材 {item} 的批号 {lot} 效期是 {expected}，不是 {value}',
  },
  lot_recorded_expiry: {
    en: 'lot {lot} is recorded with expiry {expected}, not {value}',
    zh: '批号 {lot} 登记的效期是 {expected}，不是 {value}',
  },
  lot_expiry_in_file: {
    en: 'lot {lot} has expiry {expected} on line {line}',
    zh: '批号 {lot} 在第 {line} 行的效期是 {expected}',
  },
  same_lot_counted: {
    en: 'the same location, item and lot is counted on line {line}',
    zh: '同一库位、耗材和批号已在第 {line} 行盘点',
  },
  whole_beside_lot: {
    en: 'a row without lot_number counts all lots of the item at this location, but line {line} counts a lot',
    zh: '不填批号表示盘点该库位此耗材的全部批号，但第 {line} 行盘点了单个批号',
  },
  lot_beside_whole: {
    en: 'line {line} counts all lots of the item at this location (no lot_number)',
    zh: '第 {line} 行已盘点该库位此耗材的全部批号（未填批号）',
  },
  below_zero_after_count: {
    en: "after the file's last count the rows would take stock below zero ({detail})",
    zh: '按文件最后一次盘点之后的流水，库存会变成负数',
  },
  before_ordered: { en: 'is before ordered_at', zh: '早于下单日期' },
  before_period_start: { en: 'is before period_start', zh: '早于期间开始日期' },
  po_other_supplier: {
    en: 'order {po} has another supplier on line {line}',
    zh: '采购单 {po} 在第 {line} 行的供应商不同',
  },
  po_other_location: {
    en: 'order {po} is received at another location on line {line}',
    zh: '采购单 {po} 在第 {line} 行的收货库位不同',
  },
  po_other_date: {
    en: 'order {po} has another order date on line {line}',
    zh: '采购单 {po} 在第 {line} 行的下单日期不同',
  },
  po_item_twice: {
    en: 'order {po} already has this item on line {line}',
    zh: '采购单 {po} 已在第 {line} 行有这个耗材',
  },
  po_exists: { en: 'purchase order {po} already exists', zh: '采购单 {po} 已存在' },
  period_twice: {
    en: 'the same item, location and period is on line {line}',
    zh: '同一耗材、库位和期间已在第 {line} 行',
  },
  not_email: { en: "'{value}' is not an e-mail address", zh: '「{value}」不是邮箱地址' },
  terms_need_item: { en: 'item terms need an item_code', zh: '填写供货条款时要同时填耗材编码' },
  supplier_named: {
    en: "supplier {supplier} is named '{name}' on line {line}",
    zh: '供应商 {supplier} 在第 {line} 行的名称是「{name}」',
  },
  supplier_twice: {
    en: 'supplier {supplier} is already on line {line}',
    zh: '供应商 {supplier} 已在第 {line} 行出现',
  },
  terms_twice: { en: 'these terms are already given on line {line}', zh: '这些供货条款已在第 {line} 行给出' },
  preferred_twice: {
    en: "the item's preferred supplier is already {supplier} (line {line})",
    zh: '该耗材的首选供应商已经是 {supplier}（第 {line} 行）',
  },
  column_twice: { en: "column '{column}' appears twice", zh: '「{column}」列出现了两次' },
  unknown_column: {
    en: "unknown column '{column}' (expected: {expected})",
    zh: '不认识「{column}」列（可用的列：{expectedZh}）',
  },
  column_missing: { en: "required column '{column}' is missing", zh: '缺少必填列「{columnZh}」' },
  field_count: {
    en: 'expected {expected} fields as in the header, found {found}',
    zh: '这一行有 {found} 列，表头有 {expected} 列',
  },
  not_csv: { en: 'not readable as CSV: {detail}', zh: '无法按 CSV 读取（{detail}）' },
  no_header: { en: 'the file is empty (no header line)', zh: '文件是空的（没有表头行）' },
  not_json: { en: 'not valid JSON: {detail}', zh: '不是有效的 JSON（{detail}）' },
  unknown_field: { en: 'unknown field (expected: {expected})', zh: '不认识的字段（可用的字段：{expected}）' },
  json_value: { en: 'must be a string, number or boolean', zh: '必须是文本、数字或布尔值' },
  json_after_close: { en: 'unexpected data after the closing ]', zh: '结尾的 ] 之后还有多余内容' },
  json_not_object: {
    en: "expected a JSON object, found '{found}'",
    zh: '这里应是一个 JSON 对象，却是「{found}」',
  },
  json_unfinished_object: {
    en: 'the file ends inside a JSON object',
    zh: '文件在一个 JSON 对象中间就结束了',
  },
  json_unclosed_array: { en: 'the JSON array is not closed with ]', zh: 'JSON 数组没有用 ] 结束' },
  empty_file: { en: 'the file is empty', zh: '文件是空的' },
  no_rows: { en: 'the file has no data rows', zh: '文件里没有数据行' },
  file_gone: {
    en: 'the uploaded file is no longer available; upload it again',
    zh: '上传的文件已经不在了，请重新上传',
  },
  row_changed: {
    en: 'the row changed between validation and apply',
    zh: '检查之后、导入之前这一行的数据有变动，请重新上传',
  },
  ledger_refused: { en: '{detail}', zh: '账目不接受这一行' },
  apply_duplicate: {
    en: 'nothing was imported: a record with the same code or number was created meanwhile; upload the file again',
    zh: '什么都没有导入：同编码或同单号的记录刚被别人建好，请重新上传',
  },
  apply_reference: {
    en: 'nothing was imported: a referenced record was deleted meanwhile; upload the file again',
    zh: '什么都没有导入：文件引用的记录刚被删除，请重新上传',
  },
  apply_rule: {
    en: 'nothing was imported: a value breaks a data rule',
    zh: '什么都没有导入：有数值不符合数据规则',
  },
  apply_conflict: {
    en: 'nothing was imported: a concurrent change conflicted; upload the file again',
    zh: '什么都没有导入：同时有别的修改冲突，请重新上传',
  },
  apply_failed: {
    en: 'nothing was imported: the import could not be applied',
    zh: '什么都没有导入：导入未能完成',
  },
} as const satisfies Record<string, { en: string; zh: string }>;

export type RowMessageCode = keyof typeof MESSAGES;
export type RowParams = Record<string, string | number>;

/** What is wrong with a cell, a row or the file: a code and the values its words name. */
export interface RowReason {
  code: RowMessageCode;
  params: RowParams;
}

/**
 * A stored row error: the English words (for events and logs) with the code and params the API
 * says them from in the reader's language.
 */
export interface StoredRowError {
  line: number;
  field: string;
  reason: string;
  code: RowMessageCode;
  params: RowParams;
}

export const rowReason = (code: RowMessageCode, params: RowParams = {}): RowReason => ({ code, params });

export function isRowMessageCode(code: unknown): code is RowMessageCode {
  return typeof code === 'string' && Object.hasOwn(MESSAGES, code);
}

/** The words of a reason in `locale`; a placeholder without a value stays visible. */
export function rowReasonText(reason: RowReason, locale: ImportLocale = 'en'): string {
  const entry = MESSAGES[reason.code];
  const text = locale === 'zh-CN' ? entry.zh : entry.en;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    reason.params[name] === undefined ? whole : String(reason.params[name]),
  );
}

/** Every code and its two texts, for the test that both languages name the same params. */
export const ROW_MESSAGES: Readonly<Record<RowMessageCode, { en: string; zh: string }>> = MESSAGES;

/** A ledger refusal while applying a row: its words, and its code for the reader's language. */
export function ledgerReason(e: { code: string; message: string }): RowReason {
  return rowReason('ledger_refused', { ledgerCode: e.code, detail: e.message });
}
