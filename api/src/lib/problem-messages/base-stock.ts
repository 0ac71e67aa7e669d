import type { ProblemMessages } from './types.ts';

/**
 * The ledger and what feeds it: movements, lots, scans, units, items, par levels, sites and
 * locations, stock reports and KPI ranges.
 */
export const stockProblems: ProblemMessages = {
  // Ledger refusals (db/src/ledger).
  lot_expiry_mismatch: {
    'zh-CN': {
      title: '效期不符',
      detail: '批号 {lot} 登记的效期是 {recorded}，不是 {given}。',
      field: '与已登记的效期 {recorded} 不符',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'Lot {lot} is recorded with expiry {recorded}, not {given}.',
      field: 'differs from the recorded expiry {recorded}',
    },
  },
  lot_expired_on_receipt: {
    'zh-CN': {
      title: '批次已过期',
      detail: '批号 {lot} 已于 {expiryDate} 过期。如确需入库，请勾选“接收过期批次”并填写原因。',
      field: '已于 {expiryDate} 过期',
    },
    en: {
      title: 'Conflict',
      detail:
        'Lot {lot} expired on {expiryDate}; it is received only when the receipt accepts an expired lot explicitly (acceptExpired, with a reason).',
      field: 'expired on {expiryDate}',
    },
  },
  reason_required: {
    'zh-CN': { title: '请填写原因', detail: '接收过期批次需要填写原因。', field: '请填写原因' },
    en: {
      title: 'Unprocessable content',
      detail: 'Accepting an expired lot needs a reason.',
      field: 'a reason is required',
    },
  },
  unknown_lot: {
    'zh-CN': {
      title: '批号不存在',
      detail: '该耗材的批号 {lot} 在任何库位都没有库存。',
      field: '没有此批号的库存',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'Lot {lot} of this item is not in stock anywhere.',
      field: 'no stock of this lot',
    },
  },
  insufficient_stock: {
    'zh-CN': {
      title: '库存不足',
      detail: '此库位可用（未过期）库存只有 {available}，需要 {quantity}。',
      field: '可用库存只有 {available}',
    },
    en: {
      title: 'Conflict',
      detail:
        'Only {available} usable (unexpired) units are in stock at this location; {quantity} were requested.',
      field: 'only {available} usable in stock',
    },
  },
  'insufficient_stock.quarantined': {
    'zh-CN': {
      title: '库存不足',
      detail: '此库位可用库存只有 {available}（另有 {quarantined} 在隔离批次中），需要 {quantity}。',
      field: '可用库存只有 {available}',
    },
    en: {
      title: 'Conflict',
      detail:
        'Only {available} usable units are in stock at this location ({quarantined} more are in quarantined lots); {quantity} were requested.',
      field: 'only {available} usable in stock',
    },
  },
  'insufficient_stock.lot': {
    'zh-CN': {
      title: '库存不足',
      detail: '此库位批号 {lot} 的库存不足 {quantity}。',
      field: '此批号库存不足',
    },
    en: {
      title: 'Conflict',
      detail: "Not enough stock of lot '{lot}' at this location for {quantity}.",
      field: 'not enough stock of this lot',
    },
  },
  'insufficient_stock.kit': {
    'zh-CN': { title: '库存不足', detail: '此库位库存不足，无法按套包出库：{items}。' },
    en: { title: 'Conflict', detail: 'The kit cannot be issued from this location: {items} are short.' },
  },
  'insufficient_stock.kit_item': {
    'zh-CN': { title: '库存不足', field: '需要 {required} {unit}，可用（未过期）只有 {available}' },
    en: { title: 'Conflict', field: 'needs {required} {unit}, {available} usable (unexpired) in stock' },
  },
  lot_expired: {
    'zh-CN': {
      title: '批次已过期',
      detail: '批号 {lot} 已于 {expiryDate} 过期，不能出库，请做报损。',
      field: '已于 {expiryDate} 过期',
    },
    en: {
      title: 'Conflict',
      detail: 'Lot {lot} expired on {expiryDate} and cannot be issued; write it off.',
      field: 'expired on {expiryDate}',
    },
  },
  'lot_expired.then': {
    'zh-CN': {
      title: '批次已过期',
      detail: '批号 {lot} 在所填日期前已于 {expiryDate} 过期，当时不能出库。',
      field: '当时已过期（{expiryDate}）',
    },
    en: {
      title: 'Conflict',
      detail: 'Lot {lot} had expired on {expiryDate} and could not be issued then.',
      field: 'had expired on {expiryDate}',
    },
  },
  unknown_item: {
    'zh-CN': { title: '耗材不存在', detail: '找不到该耗材（编号或条码不存在）。', field: '没有这个耗材' },
    en: { title: 'Unprocessable content', detail: 'The item does not exist.', field: 'unknown item' },
  },
  item_inactive: {
    'zh-CN': { title: '耗材已停用', detail: '该耗材已停用，请先启用。', field: '该耗材已停用' },
    en: { title: 'Unprocessable content', detail: 'The item is inactive.', field: 'the item is inactive' },
  },
  unknown_location: {
    'zh-CN': { title: '库位不存在', detail: '库位不存在或已停用。', field: '库位不存在或已停用' },
    en: {
      title: 'Unprocessable content',
      detail: 'The location does not exist or is inactive.',
      field: 'unknown or inactive location',
    },
  },
  invalid_quantity: {
    'zh-CN': {
      title: '数量无效',
      detail: '{@type}的数量不能是 {quantity}。',
      field: '数量不能是 {quantity}',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'A quantity of {quantity} is not valid for {@type}.',
      field: '{quantity} is not valid here',
    },
  },
  'invalid_quantity.whole': {
    'zh-CN': {
      title: '数量无效',
      detail: '数量必须是基本单位的整数（{quantity} 不是）。',
      field: '必须是基本单位的整数',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'A quantity must be a whole number of base units; {quantity} is not.',
      field: 'must be a whole number of base units',
    },
  },
  'invalid_quantity.whole_not_negative': {
    'zh-CN': {
      title: '数量无效',
      detail: '数量必须是不小于 0 的基本单位整数（{quantity} 不是）。',
      field: '必须是不小于 0 的整数',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'A quantity must be a whole number of base units, 0 or more; {quantity} is not.',
      field: 'must be a whole number, 0 or more',
    },
  },
  invalid_transfer: {
    'zh-CN': { title: '调拨无效', detail: '调拨需要选择另一个调入库位。', field: '请选择另一个库位' },
    en: {
      title: 'Unprocessable content',
      detail: 'A transfer needs a different destination location.',
      field: 'must differ from the source location',
    },
  },
  occurred_in_future: {
    'zh-CN': { title: '日期无效', detail: '出入库记录的时间不能晚于现在。', field: '不能晚于现在' },
    en: {
      title: 'Unprocessable content',
      detail: 'A movement cannot be dated in the future.',
      field: 'in the future',
    },
  },

  // Movements as the API receives them.
  scan_mismatch: {
    'zh-CN': {
      title: '扫码不一致',
      detail: '扫码得到的{@field}（{scanned}）与填写的（{given}）不一致。',
      field: '与扫码结果不一致',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'The scanned {@field} ({scanned}) differs from the one given ({given}).',
      field: 'differs from the scanned code',
    },
  },
  item_required: {
    'zh-CN': { title: '请选择耗材', detail: '请选择耗材、填写条码或扫码。', field: '请选择耗材' },
    en: { title: 'Unprocessable content', detail: 'Give itemId, gtin or a GS1 scan.', field: 'required' },
  },
  quantity_required: {
    'zh-CN': { title: '请填写数量', detail: '请填写数量（或扫描带数量的条码）。', field: '请填写数量' },
    en: {
      title: 'Unprocessable content',
      detail: 'Give a quantity (or scan a code with AI 30).',
      field: 'required',
    },
  },
  duplicate_item: {
    'zh-CN': { title: '耗材重复', detail: '同一耗材出现了两次。', field: '同一耗材出现了两次' },
    en: {
      title: 'Unprocessable content',
      detail: 'The same item appears twice.',
      field: 'the same item appears twice',
    },
  },
  item_mismatch: {
    'zh-CN': { title: '耗材不符', detail: '耗材编码与所选耗材不符。', field: '与所选耗材的编码不符' },
    en: {
      title: 'Unprocessable content',
      detail: 'The item code is not the code of the item given.',
      field: 'is not the code of itemId',
    },
  },

  // Units (core's UnitConversionError and pack-unit checks).
  units_unknown_unit: {
    'zh-CN': { title: '单位无效', detail: '该耗材没有“{unit}”这个单位。', field: '该耗材没有这个单位' },
    en: {
      title: 'Unprocessable content',
      detail: "The unit '{unit}' is not defined for this item.",
      field: 'unknown unit for this item',
    },
  },
  units_not_integer: {
    'zh-CN': {
      title: '数量无效',
      detail: '换算成基本单位后不是整数，请换一个单位或数量。',
      field: '换算后不是整数',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'The quantity is not a whole number of base units.',
      field: 'not a whole number of base units',
    },
  },
  units_negative: {
    'zh-CN': { title: '数量无效', detail: '数量不能为负数。', field: '不能为负数' },
    en: {
      title: 'Unprocessable content',
      detail: 'The quantity must not be negative.',
      field: 'must not be negative',
    },
  },
  units_not_finite: {
    'zh-CN': { title: '数量无效', detail: '数量必须是有效数字。', field: '必须是有效数字' },
    en: {
      title: 'Unprocessable content',
      detail: 'The quantity must be a finite number.',
      field: 'must be a number',
    },
  },
  units_out_of_range: {
    'zh-CN': { title: '数量无效', detail: '数量过大。', field: '数量过大' },
    en: { title: 'Unprocessable content', detail: 'The quantity is too large.', field: 'too large' },
  },
  invalid_units: {
    'zh-CN': { title: '单位设置有误', detail: '单位设置中有 {count} 处错误。', field: '单位设置有误' },
    en: {
      title: 'Unprocessable content',
      detail: 'The units are not valid ({count} problems).',
      field: 'not valid',
    },
  },
  units_bad_code: {
    'zh-CN': { title: '单位设置有误', field: '单位代码只能用小写字母、数字和下划线' },
    en: { title: 'Unprocessable content', field: 'not a valid unit code' },
  },
  units_duplicate_code: {
    'zh-CN': { title: '单位设置有误', field: '单位代码重复' },
    en: { title: 'Unprocessable content', field: 'the same unit code appears twice' },
  },
  units_bad_factor: {
    'zh-CN': { title: '单位设置有误', field: '换算系数必须是大于 1 的整数' },
    en: { title: 'Unprocessable content', field: 'the factor must be a whole number above 1' },
  },
  units_unknown_contains: {
    'zh-CN': { title: '单位设置有误', field: '所含单位不存在' },
    en: { title: 'Unprocessable content', field: 'contains an unknown unit' },
  },
  units_not_multiple: {
    'zh-CN': { title: '单位设置有误', field: '换算系数必须是所含单位的整数倍' },
    en: { title: 'Unprocessable content', field: 'the factor is not a multiple of the contained unit' },
  },

  // GS1 barcodes (core's Gs1ParseError).
  gs1_empty: {
    'zh-CN': { title: '条码无效', detail: '扫码内容为空。', field: '扫码内容为空' },
    en: { title: 'Unprocessable content', detail: 'The barcode is empty.', field: 'empty barcode' },
  },
  gs1_not_gs1: {
    'zh-CN': { title: '条码无效', detail: '这不是 GS1 条码（可能是 HIBC 码）。', field: '不是 GS1 条码' },
    en: { title: 'Unprocessable content', detail: 'This is not a GS1 barcode.', field: 'not a GS1 barcode' },
  },
  gs1_bad_syntax: {
    'zh-CN': { title: '条码无效', detail: '条码格式不正确。', field: '条码格式不正确' },
    en: { title: 'Unprocessable content', detail: 'The barcode is malformed.', field: 'malformed barcode' },
  },
  gs1_unknown_ai: {
    'zh-CN': {
      title: '条码无效',
      detail: '条码中含有无法识别的应用标识符（AI）。',
      field: '含有无法识别的应用标识符',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'The barcode holds an unknown application identifier.',
      field: 'unknown application identifier',
    },
  },
  gs1_truncated: {
    'zh-CN': { title: '条码无效', detail: '条码不完整，请重新扫码。', field: '条码不完整' },
    en: {
      title: 'Unprocessable content',
      detail: 'The barcode is incomplete; scan it again.',
      field: 'incomplete barcode',
    },
  },
  gs1_too_long: {
    'zh-CN': { title: '条码无效', detail: '条码中某一项过长。', field: '某一项过长' },
    en: {
      title: 'Unprocessable content',
      detail: 'An element of the barcode is too long.',
      field: 'too long',
    },
  },
  gs1_bad_char: {
    'zh-CN': { title: '条码无效', detail: '条码中含有不允许的字符。', field: '含有不允许的字符' },
    en: {
      title: 'Unprocessable content',
      detail: 'The barcode holds a character it may not.',
      field: 'bad character',
    },
  },
  gs1_bad_length: {
    'zh-CN': { title: '条码无效', detail: '条码中某一项的长度不正确。', field: '长度不正确' },
    en: {
      title: 'Unprocessable content',
      detail: 'An element of the barcode has the wrong length.',
      field: 'wrong length',
    },
  },
  gs1_check_digit: {
    'zh-CN': {
      title: '条码无效',
      detail: '条码校验位不正确，请核对后重新输入或扫码。',
      field: '校验位不正确',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'The check digit of the GTIN is wrong.',
      field: 'wrong check digit',
    },
  },
  gs1_bad_date: {
    'zh-CN': { title: '条码无效', detail: '条码中的日期无效。', field: '日期无效' },
    en: {
      title: 'Unprocessable content',
      detail: 'A date in the barcode is not valid.',
      field: 'invalid date',
    },
  },
  gs1_duplicate_ai: {
    'zh-CN': {
      title: '条码无效',
      detail: '条码中同一应用标识符出现了两次。',
      field: '同一应用标识符出现了两次',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'An application identifier appears twice in the barcode.',
      field: 'an application identifier appears twice',
    },
  },

  // Items.
  item_code_taken: {
    'zh-CN': { title: '编码已存在', detail: '耗材编码“{code}”已被使用。' },
    en: { title: 'Conflict', detail: "An item with code '{code}' already exists." },
  },
  'gtin_taken.unnamed': {
    'zh-CN': { title: '条码已被使用', detail: '此条码已属于另一个耗材。' },
    en: { title: 'Conflict', detail: 'Another item already has this GTIN.' },
  },
  substitute_unit_mismatch: {
    'zh-CN': {
      title: '替代组单位不一致',
      detail: '替代组“{group}”按“{groupUnit}”计量（耗材 {itemCode}），而此耗材按“{baseUnit}”计量。',
      field: '该替代组的基本单位是“{groupUnit}”',
    },
    en: {
      title: 'Unprocessable content',
      detail:
        "Substitute group '{group}' counts in '{groupUnit}' (item {itemCode}); this item counts in '{baseUnit}'.",
      field: "the group counts in '{groupUnit}'",
    },
  },
  base_unit_in_use: {
    'zh-CN': {
      title: '不能修改基本单位',
      detail:
        '该耗材已有按“{baseUnit}”计量的库存、出入库记录或上下限，修改基本单位会改变这些数量。请新建一个耗材。',
    },
    en: {
      title: 'Conflict',
      detail:
        "The item already has stock, movements or par levels counted in '{baseUnit}'; changing the base unit would rescale them. Create a new item instead.",
    },
  },

  // Par levels.
  max_below_min: {
    'zh-CN': {
      title: '上下限有误',
      detail: '库存上限（{maxQty}）不能低于下限（{minQty}）。',
      field: '不能低于库存下限',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'The maximum ({maxQty}) is below the minimum ({minQty}).',
      field: 'must be at least the minimum',
    },
  },

  // Sites and locations.
  unknown_site: {
    'zh-CN': { title: '院区不存在', detail: '有的院区不存在于本机构。', field: '院区 {siteId} 不存在' },
    en: {
      title: 'Unprocessable content',
      detail: 'Some site ids do not exist in this organisation.',
      field: 'unknown site {siteId}',
    },
  },

  // Stock reports (db/src/ledger/stock-reports.ts and the route).
  invalid_report: {
    'zh-CN': { title: '报表有误', detail: '报表中有 {count} 处错误，均未过账。' },
    en: { title: 'Unprocessable content', detail: '{count} problem(s) in the report; nothing was posted.' },
  },
  invalid_period: {
    'zh-CN': { title: '期间有误', detail: '期末日期早于期初日期。', field: '早于期初日期' },
    en: {
      title: 'Unprocessable content',
      detail: 'The period ends before it starts.',
      field: 'before the start',
    },
  },
  'invalid_period.too_long': {
    'zh-CN': {
      title: '期间有误',
      detail: '一份报表最多覆盖 {max} 天，此报表覆盖 {days} 天。',
      field: '最多 {max} 天',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'A report covers at most {max} days; this one covers {days}.',
      field: 'at most {max} days',
    },
  },
  invalid_stockout_days: {
    'zh-CN': {
      title: '缺货天数有误',
      detail: '缺货天数（{stockoutDays}）超过了期间的 {days} 天。',
      field: '不能超过 {days} 天',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'Stock-out days ({stockoutDays}) exceed the {days} days of the period.',
      field: 'at most {days}',
    },
  },
  period_not_ended: {
    'zh-CN': {
      title: '期间未结束',
      detail: '期末日期 {periodEnd} 在今天之后：请在期末盘点完成后再过账。',
      field: '在今天之后',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'The period ends on {periodEnd}, after today: post the report once the closing count is done.',
      field: 'after today',
    },
  },
  report_exists: {
    'zh-CN': {
      title: '报表已存在',
      detail:
        '该耗材和库位自 {periodStart} 起的期间已有一份不同的报表（{reportId}）。请改为过账一次盘点或库存调整。',
      field: '该期间已有报表',
    },
    en: {
      title: 'Conflict',
      detail:
        'A different report of this item and location for the period from {periodStart} is already posted ({reportId}); post a correcting stocktake or adjustment instead.',
      field: 'a report of this period exists',
    },
  },
  report_overlaps: {
    'zh-CN': {
      title: '期间重叠',
      detail: '此期间与 {periodStart} 至 {periodEnd} 的报表（{reportId}）重叠。',
      field: '与已有报表的期间重叠',
    },
    en: {
      title: 'Conflict',
      detail: 'The period overlaps the report of {periodStart} to {periodEnd} ({reportId}).',
      field: 'overlaps a posted report',
    },
  },
  duplicate_report: {
    'zh-CN': { title: '报表重复', field: '与第 {first} 份报表的耗材、库位和期间相同' },
    en: { title: 'Unprocessable content', field: 'the same item, location and period as report {first}' },
  },

  // Date ranges of reports (KPIs, planned procedures).
  invalid_range: {
    'zh-CN': { title: '日期范围有误', detail: '开始日期不能晚于结束日期。', field: '开始日期晚于结束日期' },
    en: {
      title: 'Unprocessable content',
      detail: '`from` must be on or before `to`.',
      field: 'after `to`',
    },
  },
  range_too_long: {
    'zh-CN': { title: '日期范围过长', detail: '一次最多查询 {max} 天。', field: '最多 {max} 天' },
    en: {
      title: 'Unprocessable content',
      detail: 'Ask for at most {max} days at a time.',
      field: 'at most {max} days',
    },
  },
};
