import type { ProblemMessages } from './types.ts';

/** Alerts and their rules, the engine and backtests, imports, procedures, webhooks. */
export const operationsProblems: ProblemMessages = {
  // Alerts.
  invalid_transition: {
    'zh-CN': {
      title: '状态不允许',
      detail: '该预警当前为“{@status}”，只有待处理、已确认或已暂缓的预警可以更改。',
    },
    en: {
      title: 'Conflict',
      detail: 'The alert is {@status}; only open, acknowledged or snoozed alerts can change.',
    },
  },
  snooze_in_past: {
    'zh-CN': { title: '时间有误', detail: '暂缓到的时间必须晚于现在。' },
    en: { title: 'Conflict', detail: 'Snooze until a time in the future.' },
  },
  rule_set_changed: {
    'zh-CN': {
      title: '规则已被修改',
      detail: '预警规则已更新到第 {current} 版（您编辑的是第 {expected} 版），请刷新后重新修改。',
    },
    en: {
      title: 'Conflict',
      detail: 'The rules are at version {current}, not {expected}: reload them and apply your change again.',
    },
  },

  // Backtests.
  invalid_backtest: {
    'zh-CN': { title: '回测参数有误', detail: '回测参数中有 {count} 处错误。' },
    en: {
      title: 'Unprocessable content',
      detail: 'The backtest parameters are not valid ({count} problems).',
    },
  },
  horizon_conflict: {
    'zh-CN': { title: '回测参数有误', field: '预测天数和预测周期数只能填一个' },
    en: { title: 'Unprocessable content', field: 'give horizonDays or horizonPeriods, not both' },
  },
  horizon_too_long: {
    'zh-CN': { title: '回测参数有误', field: '{periods} 个周期共 {days} 天，最多 {max} 天' },
    en: { title: 'Unprocessable content', field: '{periods} periods are {days} days; at most {max}' },
  },
  lead_time_days_required: {
    'zh-CN': { title: '回测参数有误', field: '固定供货周期需要填写天数' },
    en: { title: 'Unprocessable content', field: 'a fixed lead time needs days' },
  },
  lead_time_days_unexpected: {
    'zh-CN': { title: '回测参数有误', field: '只有固定供货周期才填写天数' },
    en: { title: 'Unprocessable content', field: 'days only go with mode fixed' },
  },
  'invalid_period.backtest_order': {
    'zh-CN': { title: '回测参数有误', field: '不能早于开始日期' },
    en: { title: 'Unprocessable content', field: 'must not be before from' },
  },
  'invalid_period.backtest_horizon': {
    'zh-CN': { title: '回测参数有误', field: '不能晚于 {latest}：每个回测日之后的 {days} 天必须已经过去' },
    en: {
      title: 'Unprocessable content',
      field: 'must be on or before {latest}: the {days}-day horizon after each as-of date must have passed',
    },
  },
  too_many_dates: {
    'zh-CN': { title: '回测参数有误', field: '共 {dates} 个回测日，最多 {max} 个（请加大步长或缩短期间）' },
    en: {
      title: 'Unprocessable content',
      field: '{dates} as-of dates; at most {max} (use a longer step or a shorter period)',
    },
  },

  // Imports.
  file_too_large: {
    'zh-CN': { title: '文件过大', detail: '文件超过了 {limitMiB} MiB 的导入上限。' },
    en: { title: 'Content too large', detail: 'The file is larger than the {limitMiB} MiB import limit.' },
  },
  upload_interrupted: {
    'zh-CN': { title: '上传中断', detail: '文件未完整上传，请重试。' },
    en: { title: 'Bad request', detail: 'The upload ended before the whole file arrived.' },
  },
  empty_file: {
    'zh-CN': { title: '文件为空', detail: '上传的内容为空，请将文件作为请求内容发送。' },
    en: { title: 'Bad request', detail: 'The request body is empty: send the file as the body.' },
  },
  format_required: {
    'zh-CN': {
      title: '请指定文件格式',
      detail: '以 application/octet-stream 上传时，请指定 format=csv 或 format=json。',
      field: '以 application/octet-stream 上传时必填',
    },
    en: {
      title: 'Bad request',
      detail: 'Give `format=csv` or `format=json` for an application/octet-stream upload.',
      field: 'required for application/octet-stream',
    },
  },

  // Procedures.
  code_taken: {
    'zh-CN': { title: '编码已存在', detail: '手术/操作类型编码 {code} 已被使用。' },
    en: { title: 'Conflict', detail: 'A procedure type with code {code} already exists.' },
  },
  unknown_procedure_type: {
    'zh-CN': { title: '类型不存在', detail: '手术/操作类型不存在。', field: '手术/操作类型不存在' },
    en: {
      title: 'Unprocessable content',
      detail: 'The procedure type does not exist.',
      field: 'unknown procedure type',
    },
  },
  external_ref_taken: {
    'zh-CN': {
      title: '外部编号已存在',
      detail: '外部编号为 {externalRef} 的手术排程已存在，请用批量导入接口更新。',
      field: '外部编号已被使用',
    },
    en: {
      title: 'Conflict',
      detail: 'A scheduled procedure with externalRef {externalRef} exists; use the bulk route to update it.',
      field: 'already taken',
    },
  },
  duplicate_external_ref: {
    'zh-CN': { title: '外部编号重复', field: '本批中出现了两次' },
    en: { title: 'Unprocessable content', field: 'appears twice in this batch' },
  },
  invalid_rows: {
    'zh-CN': { title: '数据有误', detail: '有的行填写有误，均未保存。', field: '此行有误' },
    en: {
      title: 'Unprocessable content',
      detail: 'Some rows are not valid; nothing was saved.',
      field: 'not valid',
    },
  },
  'invalid_transition.procedure': {
    'zh-CN': { title: '状态不允许', detail: '该手术排程当前为“{@status}”，不能{@action}。' },
    en: { title: 'Conflict', detail: 'The procedure is {@status}; it cannot be {@action}.' },
  },
  done_in_future: {
    'zh-CN': { title: '时间有误', detail: '完成时间不能晚于现在。', field: '不能晚于现在' },
    en: {
      title: 'Unprocessable content',
      detail: 'The completion is dated in the future.',
      field: 'in the future',
    },
  },

  // Webhooks.
  invalid_webhook_url: {
    'zh-CN': {
      title: '网址无效',
      detail: '接收地址不可用：请填写可从外网访问的 http 或 https 网址。',
      field: '不可用的网址',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'The endpoint URL cannot be used: give a public http or https URL.',
      field: 'cannot be used',
    },
  },
  'invalid_webhook_url.not_url': {
    'zh-CN': { title: '网址无效', detail: '接收地址不是有效的网址。', field: '不是有效的网址' },
    en: { title: 'Unprocessable content', detail: 'The endpoint URL is not a URL.', field: 'is not a URL' },
  },
  'invalid_webhook_url.scheme': {
    'zh-CN': {
      title: '网址无效',
      detail: '接收地址必须以 http 或 https 开头。',
      field: '必须是 http 或 https 网址',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'The endpoint URL must be an http or https URL.',
      field: 'must be an http or https URL',
    },
  },
  'invalid_webhook_url.credentials': {
    'zh-CN': { title: '网址无效', detail: '接收地址中不能包含用户名或密码。', field: '不能包含用户名或密码' },
    en: {
      title: 'Unprocessable content',
      detail: 'The endpoint URL must not contain credentials.',
      field: 'must not contain credentials',
    },
  },
  'invalid_webhook_url.private': {
    'zh-CN': { title: '网址无效', detail: '接收地址指向内网或本机地址。', field: '指向内网或本机地址' },
    en: {
      title: 'Unprocessable content',
      detail: 'The endpoint URL points to a private or loopback address.',
      field: 'points to a private or loopback address',
    },
  },
  'invalid_webhook_url.unresolved': {
    'zh-CN': { title: '网址无效', detail: '接收地址的域名无法解析。', field: '域名无法解析' },
    en: {
      title: 'Unprocessable content',
      detail: 'The endpoint URL has a host name that could not be resolved.',
      field: 'has a host name that could not be resolved',
    },
  },
  'invalid_webhook_url.other': {
    'zh-CN': { title: '网址无效', detail: '接收地址不可用。', field: '不可用' },
    en: {
      title: 'Unprocessable content',
      detail: 'The endpoint URL cannot be used.',
      field: 'cannot be used',
    },
  },
  webhook_endpoint_inactive: {
    'zh-CN': { title: '接收地址已停用', detail: '该接收地址已停用，请先启用再重新推送。' },
    en: { title: 'Conflict', detail: 'The endpoint is deactivated; activate it before redelivering.' },
  },
};
