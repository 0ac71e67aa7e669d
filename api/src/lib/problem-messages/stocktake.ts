import type { ProblemMessages } from './types.ts';

/** Stocktake sessions (盘点单): count sheets, counts, review, approval and posting. */
export const stocktakeMessages: ProblemMessages = {
  'term.stocktake_session': {
    'zh-CN': { title: '盘点单' },
    en: { title: 'stocktake session' },
  },
  'term.stocktake_status_counting': { 'zh-CN': { title: '盘点中' }, en: { title: 'counting' } },
  'term.stocktake_status_submitted': { 'zh-CN': { title: '待审核' }, en: { title: 'submitted' } },
  'term.stocktake_status_approved': { 'zh-CN': { title: '已审核' }, en: { title: 'approved' } },
  'term.stocktake_status_posted': { 'zh-CN': { title: '已过账' }, en: { title: 'posted' } },
  'term.stocktake_status_cancelled': { 'zh-CN': { title: '已作废' }, en: { title: 'cancelled' } },
  'term.stocktake_action_submit': { 'zh-CN': { title: '提交' }, en: { title: 'submitted' } },
  'term.stocktake_action_reopen': { 'zh-CN': { title: '退回重盘' }, en: { title: 'sent back to counting' } },
  'term.stocktake_action_approve': { 'zh-CN': { title: '审核' }, en: { title: 'approved' } },
  'term.stocktake_action_cancel': { 'zh-CN': { title: '作废' }, en: { title: 'cancelled' } },
  'term.stocktake_action_post': { 'zh-CN': { title: '过账' }, en: { title: 'posted' } },
  stocktake_scope_required: {
    'zh-CN': { title: '请选择盘点范围', detail: '请选择要盘点的库位或院区。', field: '请选择库位或院区' },
    en: {
      title: 'Choose what to count',
      detail: 'Give the location or the site to count.',
      field: 'required',
    },
  },
  stocktake_unknown_location: {
    'zh-CN': { title: '库位不存在', detail: '所选库位不存在。', field: '库位不存在' },
    en: { title: 'Unknown location', detail: 'The location does not exist.', field: 'unknown location' },
  },
  stocktake_location_not_in_site: {
    'zh-CN': { title: '库位不属于该院区', detail: '所选库位不在所选院区内。', field: '不属于该院区' },
    en: {
      title: 'Location not at this site',
      detail: 'The location is not at the site given.',
      field: 'not at this site',
    },
  },
  stocktake_not_counting: {
    'zh-CN': {
      title: '盘点单已不能录入',
      detail: '盘点单 {number} 当前状态为“{@statusTerm}”，只有“盘点中”的盘点单才能录入或修改盘点数。',
    },
    en: {
      title: 'Counts can no longer be entered',
      detail: 'Session {number} is {@statusTerm}; counts are entered only while it is counting.',
    },
  },
  stocktake_unknown_line: {
    'zh-CN': {
      title: '盘点表上没有这一行',
      detail: '这一行不在本盘点单的盘点表上。',
      field: '不在本盘点表上',
    },
    en: {
      title: 'Line not on the sheet',
      detail: 'The line is not on this count sheet.',
      field: 'not on this sheet',
    },
  },
  stocktake_location_required: {
    'zh-CN': {
      title: '请选择库位',
      detail: '本盘点单覆盖多个库位，请说明这个数是哪个库位盘的。',
      field: '请选择库位',
    },
    en: { title: 'Location required', detail: 'Say which location this count is of.', field: 'required' },
  },
  stocktake_location_outside: {
    'zh-CN': {
      title: '库位不在盘点范围内',
      detail: '这个库位不在本盘点单的盘点范围内。',
      field: '不在盘点范围内',
    },
    en: {
      title: 'Location outside the session',
      detail: 'The location is not part of this stocktake session.',
      field: 'not counted in this session',
    },
  },
  stocktake_unknown_item: {
    'zh-CN': { title: '耗材不存在', detail: '找不到这个耗材。', field: '耗材不存在' },
    en: { title: 'Unknown item', detail: 'The item does not exist.', field: 'unknown item' },
  },
  stocktake_negative_count: {
    'zh-CN': { title: '盘点数不能为负', detail: '盘点数量不能小于 0。', field: '不能小于 0' },
    en: { title: 'Negative count', detail: 'A count cannot be below zero.', field: 'below zero' },
  },
  stocktake_quantity_required: {
    'zh-CN': { title: '请填写盘点数', detail: '请填写实盘数量。', field: '请填写数量' },
    en: { title: 'Quantity required', detail: 'Give the counted quantity.', field: 'required' },
  },
  stocktake_count_mode_conflict: {
    'zh-CN': {
      title: '不能同时按批号和按品种盘点',
      detail:
        '耗材 {itemCode} 在这个库位上已用另一种方式盘点（按批号或整个品种）。同一耗材只能选一种方式：请先清除另一种方式的盘点数。',
      field: '两种方式都盘了',
    },
    en: {
      title: 'Counted both by lot and as a whole',
      detail:
        'Item {itemCode} is already counted the other way at this location (lot by lot, or as a whole); count it one way only: clear the other counts first.',
      field: 'counted both ways',
    },
  },
  stocktake_invalid_transition: {
    'zh-CN': {
      title: '当前状态不能这样操作',
      detail: '盘点单 {number} 当前状态为“{@statusTerm}”，现在不能{@actionTerm}。',
    },
    en: {
      title: 'Not possible in this state',
      detail: 'Session {number} is {@statusTerm}; it cannot be {@actionTerm} now.',
    },
  },
  stocktake_approval_not_allowed: {
    'zh-CN': {
      title: '无权审核盘点',
      detail: '审核盘点差异需要库管员角色或管理权限；科室人员和只有出入库权限的接口密钥只能录入盘点数。',
    },
    en: {
      title: 'Not allowed to approve',
      detail: 'Approving a stocktake needs the storekeeper role or the admin scope.',
    },
  },
  stocktake_self_approval: {
    'zh-CN': {
      title: '不能审核自己的盘点',
      detail: '盘点单 {number} 由您创建、录入或提交，须由另一位同事审核。',
    },
    en: {
      title: 'Someone else must approve',
      detail: 'You created, counted or submitted session {number}; someone else must approve it.',
    },
  },
  stocktake_nothing_counted: {
    'zh-CN': { title: '还没有盘点数', detail: '盘点单 {number} 还没有录入任何盘点数，不能提交。' },
    en: { title: 'Nothing counted yet', detail: 'Nothing is counted in session {number} yet.' },
  },
};
