import type { ProblemMessages } from './types.ts';

/** The purchaser's day: editing suggestions, cancelling with a reason, e-mailing orders to suppliers. */
export const purchasingDayMessages: ProblemMessages = {
  cancel_reason_required: {
    'zh-CN': {
      title: '请填写取消原因',
      detail: '取消采购单 {number} 需要填写原因。',
      field: '请填写原因',
    },
    en: {
      title: 'Give a reason',
      detail: 'Say why purchase order {number} is cancelled.',
      field: 'required',
    },
  },
  po_not_approved: {
    'zh-CN': {
      title: '采购单尚未审批',
      detail: '采购单 {number} 还未审批，审批后才能发给供应商。',
    },
    en: {
      title: 'Not approved yet',
      detail: 'Purchase order {number} is not approved yet; only an approved order can go to the supplier.',
    },
  },
  supplier_email_missing: {
    'zh-CN': {
      title: '供应商没有邮箱',
      detail: '供应商“{supplier}”没有登记邮箱，请在供应商资料中补充，或填写收件邮箱。',
      field: '请填写收件邮箱',
    },
    en: {
      title: 'No e-mail address',
      detail: 'Supplier {supplier} has no e-mail address; add one to the supplier or give the recipient.',
      field: 'required: the supplier has no e-mail address',
    },
  },
  unknown_suggestion: {
    'zh-CN': {
      title: '建议已变化',
      detail: '部分修改的行已不在当前采购建议中，未生成任何采购单。请刷新后重试。',
      field: '已不在当前采购建议中',
    },
    en: {
      title: 'Suggestions changed',
      detail:
        'Some edited lines are not among the current purchase suggestions; nothing was drafted. Reload and try again.',
      field: 'not among the current purchase suggestions',
    },
  },
  'field.packs': { 'zh-CN': { title: '包装数' }, en: { title: 'packs' } },
  'field.to': { 'zh-CN': { title: '收件邮箱' }, en: { title: 'recipient' } },
};
