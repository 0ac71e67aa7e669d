import type { ProblemMessages } from './types.ts';

/** Purchase orders, receipts, suppliers and their terms, purchase suggestions. */
export const purchasingProblems: ProblemMessages = {
  'invalid_transition.purchase_order': {
    'zh-CN': { title: '状态不允许', detail: '采购单 {number} 当前为“{@status}”，不能{@action}。' },
    en: { title: 'Conflict', detail: 'Purchase order {number} is {@status}; it cannot be {@action}.' },
  },
  not_draft: {
    'zh-CN': { title: '不是草稿', detail: '采购单 {number} 当前为“{@status}”，只有草稿可以修改。' },
    en: { title: 'Conflict', detail: 'Purchase order {number} is {@status}; only a draft can be edited.' },
  },
  number_taken: {
    'zh-CN': { title: '单号已存在', detail: '采购单号 {number} 已被使用。' },
    en: { title: 'Conflict', detail: 'A purchase order numbered {number} already exists.' },
  },
  'unknown_supplier.inactive': {
    'zh-CN': { title: '供应商已停用', detail: '该供应商已停用。', field: '该供应商已停用' },
    en: {
      title: 'Unprocessable content',
      detail: 'The supplier is inactive.',
      field: 'the supplier is inactive',
    },
  },
  approval_not_allowed: {
    'zh-CN': {
      title: '没有审批权限',
      detail: '审批采购单需要采购员角色或管理权限；采购类 API 密钥只能创建草稿。',
    },
    en: {
      title: 'Forbidden',
      detail:
        'Approving a purchase order needs the purchaser role or the admin scope; a purchasing API key may only create drafts.',
    },
  },
  self_approval: {
    'zh-CN': { title: '不能自己审批', detail: '这张采购单是您创建的，须由未创建也未修改过它的人审批。' },
    en: {
      title: 'Forbidden',
      detail: 'You created this purchase order; someone who neither created nor edited it must approve it.',
    },
  },
  approver_edited: {
    'zh-CN': { title: '不能自己审批', detail: '您修改过这张采购单，须由未创建也未修改过它的人审批。' },
    en: {
      title: 'Forbidden',
      detail: 'You edited this purchase order; someone who neither created nor edited it must approve it.',
    },
  },
  received_in_future: {
    'zh-CN': { title: '到货时间有误', detail: '到货时间不能晚于现在。', field: '不能晚于现在' },
    en: {
      title: 'Unprocessable content',
      detail: 'The receipt is dated in the future.',
      field: 'in the future',
    },
  },
  received_before_ordered: {
    'zh-CN': {
      title: '到货时间有误',
      detail: '到货时间早于下单时间（{orderedAt}）。',
      field: '早于下单时间',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'The receipt is dated before the order was placed ({orderedAt}).',
      field: 'before the order date',
    },
  },
  invalid_lines: {
    'zh-CN': { title: '明细有误', detail: '有的明细填写有误，均未保存。', field: '此行有误' },
    en: {
      title: 'Unprocessable content',
      detail: 'Some lines are not valid; nothing was saved.',
      field: 'not valid',
    },
  },
  unknown_line: {
    'zh-CN': { title: '明细不存在', field: '不是这张采购单的明细' },
    en: { title: 'Unprocessable content', field: 'not a line of this purchase order' },
  },
  over_receipt: {
    'zh-CN': {
      title: '超出未到货数量',
      detail: '收货数量超过了采购单的未到货数量，而该采购单不允许超收。',
      field: '{quantity} 超过了未到货的 {outstanding}',
    },
    en: {
      title: 'Conflict',
      detail:
        'The receipt exceeds what is still outstanding on the order, which does not allow over-receipt.',
      field: '{quantity} would exceed the {outstanding} still outstanding',
    },
  },
  invalid_scan: {
    'zh-CN': { title: '扫码无法识别', detail: '扫码内容无法对应到这张采购单的明细。', field: '无法识别' },
    en: {
      title: 'Unprocessable content',
      detail: 'The scan does not match a line of this purchase order.',
      field: 'not recognised',
    },
  },
  supplier_code_taken: {
    'zh-CN': { title: '编码已存在', detail: '供应商编码“{code}”已被使用。' },
    en: { title: 'Conflict', detail: "A supplier with code '{code}' already exists." },
  },
  pack_size_mismatch: {
    'zh-CN': {
      title: '包装数量不符',
      detail: '包装数量 {packSize} 与 1 {packUnit} = {factor} {baseUnit} 不符。',
      field: '每 1 {packUnit} 为 {factor} {baseUnit}',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'The pack size {packSize} differs from one {packUnit} ({factor} {baseUnit}).',
      field: 'one {packUnit} is {factor} {baseUnit}',
    },
  },
};
