import type { ProblemMessages } from './types.ts';

const f = (zh: string, en: string) => ({ 'zh-CN': { title: zh }, en: { title: en } });

/** Receiving (入库验收), returns to the supplier (退货), write-offs (报损) and consignment (寄售). */
export const receivingMessages: ProblemMessages = {
  'field.disposition': f('处理方式', 'disposition'),
  'field.shortDatedDays': f('近效期天数', 'short-dated days'),
  'field.consignment': f('寄售', 'consignment'),
  'field.month': f('月份', 'month'),
  lot_required: {
    'zh-CN': {
      title: '请填写批号',
      detail: '该耗材按批号管理，入库时必须填写批号和效期。',
      field: '请填写批号',
    },
    en: {
      title: 'Lot number required',
      detail: 'This item is lot-tracked: a receipt needs its lot number and expiry date.',
      field: 'required for a lot-tracked item',
    },
  },
  expiry_required: {
    'zh-CN': {
      title: '请填写效期',
      detail: '该耗材按批号管理，批号 {lot} 入库时必须填写效期。',
      field: '请填写效期',
    },
    en: {
      title: 'Expiry date required',
      detail: 'This item is lot-tracked: give the expiry date of lot {lot}.',
      field: 'required for a lot-tracked item',
    },
  },
  lot_short_dated: {
    'zh-CN': {
      title: '近效期批次',
      detail:
        '批号 {lot} 的效期是 {expiryDate}，距入库不足 {days} 天（近效期）。如确需入库，请勾选“仍然接收近效期批次”并填写原因。',
      field: '近效期，需确认并填写原因',
    },
    en: {
      title: 'Short-dated lot',
      detail:
        'Lot {lot} expires on {expiryDate}, within {days} days of the receipt. To receive it anyway, accept the short-dated lot and give a reason.',
      field: 'short-dated: accept it with a reason',
    },
  },
  lot_quarantined: {
    'zh-CN': {
      title: '批次在隔离中',
      detail:
        '批号 {lot} 在此库位有 {held} 个处于隔离（待验收或召回），不能出库或调拨；当前可用 {usable} 个。',
      field: '批次在隔离中',
    },
    en: {
      title: 'Lot in quarantine',
      detail:
        'Lot {lot} has {held} units in quarantine here (inspection pending or recalled); they cannot be issued or transferred. {usable} can be taken.',
      field: 'in quarantine',
    },
  },
  lot_ownership_mismatch: {
    'zh-CN': {
      title: '批次归属不一致',
      detail: '批号 {lot} 已属于本院或其他供应商；寄售库存与自有库存不能共用同一批号。',
      field: '批次归属不一致',
    },
    en: {
      title: 'Lot owned otherwise',
      detail:
        "Lot {lot} is owned otherwise: consignment stock and the hospital's own stock cannot share a lot.",
      field: 'owned otherwise',
    },
  },
  consignment_lot_required: {
    'zh-CN': {
      title: '寄售入库请填写批号',
      detail: '寄售耗材入库必须填写批号：按批号记录哪些库存属于供应商。',
      field: '请填写批号',
    },
    en: {
      title: 'Lot number required for consignment stock',
      detail: 'Consignment stock is received with its lot number: the lot is what stays the supplier’s.',
      field: 'required for consignment stock',
    },
  },
  inspection_decided: {
    'zh-CN': { title: '验收已处理', detail: '这条验收记录已处理（{@status}），不能重复处理。' },
    en: { title: 'Inspection already decided', detail: 'This inspection was already {@status}.' },
  },
  'term.status.pending': f('待验收', 'pending'),
  'term.status.released': f('已放行', 'released'),
  'term.status.rejected': f('已拒收', 'rejected'),
  supplier_required: {
    'zh-CN': {
      title: '请选择供应商',
      detail: '退货必须注明退给哪个供应商。',
      field: '请选择供应商',
    },
    en: {
      title: 'Supplier required',
      detail: 'A return to the supplier names the supplier.',
      field: 'required',
    },
  },
  write_off_reason_required: {
    'zh-CN': {
      title: '请选择报损原因',
      detail: '报损必须注明原因：破损、过期、丢失，或其他（并写明情况）。',
      field: '请选择报损原因',
    },
    en: {
      title: 'Write-off reason required',
      detail: 'A write-off says why: damaged, expired, lost, or other with a reason.',
      field: 'required',
    },
  },
  unknown_supplier: {
    'zh-CN': { title: '供应商不存在', detail: '所选供应商不存在。', field: '供应商不存在' },
    en: { title: 'Unknown supplier', detail: 'The supplier does not exist.', field: 'unknown supplier' },
  },
  unknown_purchase_order: {
    'zh-CN': { title: '采购单不存在', detail: '所选采购单不存在。', field: '采购单不存在' },
    en: {
      title: 'Unknown purchase order',
      detail: 'The purchase order does not exist.',
      field: 'unknown purchase order',
    },
  },
  purchase_order_supplier_mismatch: {
    'zh-CN': {
      title: '采购单供应商不一致',
      detail: '该采购单属于另一个供应商。',
      field: '不是该采购单的供应商',
    },
    en: {
      title: 'Purchase order of another supplier',
      detail: 'The purchase order is with another supplier.',
      field: 'not the order’s supplier',
    },
  },
  inspection_receipt_only: {
    'zh-CN': { title: '只有入库才能待验收', detail: '只有入库可以先放入待验收（隔离）。', field: '仅限入库' },
    en: {
      title: 'Inspection is for receipts',
      detail: 'Only a receipt can go into inspection.',
      field: 'receipts only',
    },
  },
  scan_not_on_order: {
    'zh-CN': {
      title: '条码不在采购单上',
      detail: '扫描的条码 {gtin} 不属于这张采购单上的任何耗材。',
      field: '条码 {gtin} 不在这张采购单上',
    },
    en: {
      title: 'Scanned item not on this order',
      detail: 'GTIN {gtin} is on no line of this order.',
      field: 'GTIN {gtin} is on no line of this order',
    },
  },
  scan_required: {
    'zh-CN': { title: '请扫码', detail: '请扫描或输入条码。', field: '请扫码' },
    en: { title: 'Scan required', detail: 'Give the scanned code.', field: 'required' },
  },
  scan_without_gtin: {
    'zh-CN': {
      title: '条码中没有产品标识',
      detail: '扫描的条码没有 GTIN（AI 01），无法识别耗材。',
      field: '条码中没有 GTIN',
    },
    en: {
      title: 'No GTIN in the code',
      detail: 'The scanned code carries no GTIN (AI 01).',
      field: 'the code carries no GTIN (AI 01)',
    },
  },
};
