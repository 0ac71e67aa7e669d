import type { ProblemMessages } from './types.ts';

/** Ward requisitions (科室申领), departments, fixed-quantity packs (定数包) and lot recalls (召回). */
const t = (zh: string, en: string) => ({ 'zh-CN': { title: zh }, en: { title: en } });

export const requisitionMessages: ProblemMessages = {
  department_code_taken: {
    'zh-CN': { title: '科室编码已存在', detail: '已有科室使用这个编码，请换一个。', field: '编码已被使用' },
    en: { title: 'Conflict', detail: 'A department with this code already exists.', field: 'code taken' },
  },
  department_location_elsewhere: {
    'zh-CN': {
      title: '二级库不在本院区',
      detail: '科室的二级库必须是该科室所在院区的库位。',
      field: '不是本院区的库位',
    },
    en: {
      title: 'Unprocessable content',
      detail: "The department's store must be a location of the department's site.",
      field: 'not a location of this site',
    },
  },
  unknown_department: {
    'zh-CN': { title: '科室不存在', detail: '找不到该科室，或该科室已停用。', field: '没有这个科室' },
    en: {
      title: 'Unprocessable content',
      detail: 'The department does not exist or is inactive.',
      field: 'unknown department',
    },
  },
  destination_only_on_issue: {
    'zh-CN': {
      title: '只有出库才能指定去向',
      detail: '领用科室、成本中心和患者号只能填在出库（领用）单上。',
      field: '只有出库才能填写',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'Only an issue goes to a department, cost centre or patient.',
      field: 'only on an issue',
    },
  },
  requisition_status: {
    'zh-CN': {
      title: '申领单状态不允许此操作',
      detail: '这张申领单{@requisitionStatus}，现在不能{@requisitionAction}。',
    },
    en: {
      title: 'Conflict',
      detail: 'This requisition is {@requisitionStatus}; it cannot be {@requisitionAction} now.',
    },
  },
  requisition_over_issue: {
    'zh-CN': {
      title: '发放数量超过待发数量',
      detail: '第 {line} 行（{itemCode}）还剩 {remaining} 待发，不能发放 {quantity}。',
      field: '超过待发数量',
    },
    en: {
      title: 'Conflict',
      detail: 'Line {line} ({itemCode}) has {remaining} left to issue; {quantity} is more than that.',
      field: 'more than is left to issue',
    },
  },
  nothing_approved: {
    'zh-CN': {
      title: '没有批准任何数量',
      detail: '所有行的批准数量都是 0；如不发放，请驳回申领单并说明原因。',
      field: '没有批准任何数量',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'Every line would be approved with 0; reject the requisition instead, with a reason.',
      field: 'nothing approved',
    },
  },
  nothing_to_issue: {
    'zh-CN': {
      title: '没有要发放的数量',
      detail: '请至少填写一行大于 0 的发放数量。',
      field: '没有发放数量',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'Give at least one line with a quantity above 0.',
      field: 'nothing to issue',
    },
  },
  unknown_requisition_line: {
    'zh-CN': { title: '申领单上没有这一行', detail: '这一行不属于这张申领单。', field: '不是本申领单的行' },
    en: {
      title: 'Unprocessable content',
      detail: 'The line is not on this requisition.',
      field: 'not a line of this requisition',
    },
  },
  invalid_pack_label: {
    'zh-CN': {
      title: '不是定数包标签',
      detail: '“{label}”不是定数包标签（应为 MSPK:包编码，多个同样的包为 MSPK:包编码:序号）。',
      field: '不是定数包标签',
    },
    en: {
      title: 'Unprocessable content',
      detail: "'{label}' is not a fixed-pack label (MSPK:<code>, or MSPK:<code>:<copy>).",
      field: 'not a pack label',
    },
  },
  unknown_fixed_pack: {
    'zh-CN': { title: '定数包不存在', detail: '没有编码为 {code} 的启用中定数包。', field: '没有这个定数包' },
    en: {
      title: 'Unprocessable content',
      detail: "No active fixed pack has code '{code}'.",
      field: 'unknown pack',
    },
  },
  fixed_pack_code_taken: {
    'zh-CN': {
      title: '定数包编码已存在',
      detail: '已有定数包使用编码 {code}，请换一个。',
      field: '编码已被使用',
    },
    en: { title: 'Conflict', detail: "A fixed pack with code '{code}' already exists.", field: 'code taken' },
  },
  recall_already_open: {
    'zh-CN': {
      title: '该批号已在召回中',
      detail: '批号 {lot} 已经召回，无需重复操作。',
      field: '已在召回中',
    },
    en: { title: 'Conflict', detail: 'Lot {lot} is already recalled.', field: 'already recalled' },
  },
  recall_not_open: {
    'zh-CN': { title: '召回已解除', detail: '这次召回已经解除隔离，不能再次解除。' },
    en: { title: 'Conflict', detail: 'This recall was released already.' },
  },
  'forbidden.store_only': {
    'zh-CN': { title: '没有权限', detail: '科室护士只能提交申领；审批、拣货和发放由库房完成。' },
    en: { title: 'Forbidden', detail: 'A ward nurse requests stock; the store approves and issues it.' },
  },

  'term.resource.department': t('科室', 'department'),
  'term.resource.requisition': t('申领单', 'requisition'),
  'term.resource.recall': t('召回记录', 'recall'),
  'term.resource.fixed_pack': t('定数包', 'fixed pack'),
  'term.requisitionStatus.submitted': t('已提交、待审批', 'submitted'),
  'term.requisitionStatus.approved': t('已审批', 'approved'),
  'term.requisitionStatus.partially_issued': t('已部分发放', 'partially issued'),
  'term.requisitionStatus.issued': t('已全部发放', 'issued'),
  'term.requisitionStatus.rejected': t('已驳回', 'rejected'),
  'term.requisitionStatus.cancelled': t('已撤销', 'cancelled'),
  'term.requisitionAction.approved': t('审批', 'approved'),
  'term.requisitionAction.rejected': t('驳回', 'rejected'),
  'term.requisitionAction.cancelled': t('撤销', 'cancelled'),
  'term.requisitionAction.picked': t('拣货', 'picked'),
  'term.requisitionAction.issued': t('发放', 'issued'),

  'field.departmentId': t('科室', 'department'),
  'field.sourceLocationId': t('发放库房', 'issuing store'),
  'field.costCentre': t('成本中心', 'cost centre'),
  'field.patientRef': t('患者号（病历号）', 'patient reference'),
  'field.label': t('定数包标签', 'pack label'),
  'field.supplierReference': t('供应商召回通知编号', "supplier's recall notice number"),
};
