import type { ProblemMessages } from './types.ts';

/** Notifications (bell, digest, group robots), exports and GS1 labels. */
export const notificationsMessages: ProblemMessages = {
  export_too_large: {
    'zh-CN': {
      title: '导出数据太多',
      detail: '导出超过 {max} 行，请选择院区、库房或缩短日期范围后再导出。',
    },
    en: {
      title: 'Export too large',
      detail: 'The export has more than {max} rows; choose a site, a location or a shorter date range.',
    },
  },
  export_range_invalid: {
    'zh-CN': { title: '日期范围不对', detail: '开始日期 {from} 晚于结束日期 {to}。' },
    en: { title: 'Invalid date range', detail: 'The first day {from} is after the last day {to}.' },
  },
  label_item_without_gtin: {
    'zh-CN': {
      title: '耗材没有条码',
      detail: '耗材 {itemCode} 没有维护 GTIN 商品条码，无法打印 GS1 标签，请先在耗材资料里补上条码。',
    },
    en: {
      title: 'Item has no GTIN',
      detail: 'Item {itemCode} has no GTIN, so no GS1 label can be printed for it; add its GTIN first.',
    },
  },
  label_not_encodable: {
    'zh-CN': {
      title: '标签内容无法编码',
      detail: '有内容不能写入 GS1 标签：批号只能含字母、数字和常用符号（最多 20 位），数量须为整数。',
    },
    en: {
      title: 'Label cannot be encoded',
      detail:
        'Some values cannot be written in a GS1 label: the lot may hold only letters, digits and common symbols (at most 20), the count is a whole number.',
    },
  },
  label_invalid_gtin: {
    'zh-CN': { title: '条码校验位不对', field: '耗材的 GTIN 条码校验位不对' },
    en: { title: 'Invalid GTIN', field: "the item's GTIN has a wrong check digit" },
  },
  label_invalid_date: {
    'zh-CN': { title: '效期格式不对', field: '效期应为 年-月-日' },
    en: { title: 'Invalid date', field: 'the expiry date must be YYYY-MM-DD' },
  },
  label_too_long: {
    'zh-CN': { title: '批号太长', field: '批号最多 20 位' },
    en: { title: 'Lot too long', field: 'a lot has at most 20 characters' },
  },
  label_invalid_characters: {
    'zh-CN': { title: '批号含不支持的字符', field: '批号只能含字母、数字和常用符号（不能有汉字或空格）' },
    en: { title: 'Unsupported characters', field: 'a lot may hold only letters, digits and common symbols' },
  },
  label_invalid_count: {
    'zh-CN': { title: '数量不对', field: '数量须为不超过 8 位的整数' },
    en: { title: 'Invalid count', field: 'the count is a whole number of at most 8 digits' },
  },
  quiet_hours_empty: {
    'zh-CN': {
      title: '免打扰时段不对',
      detail: '免打扰时段的开始和结束时间不能相同。',
      field: '结束时间不能与开始时间相同',
    },
    en: {
      title: 'Invalid quiet hours',
      detail: 'Quiet hours must start and end at different times.',
      field: 'equals the start time',
    },
  },
  robot_secret_dingtalk_only: {
    'zh-CN': {
      title: '只有钉钉机器人需要加签密钥',
      detail: '只有钉钉群机器人使用加签（SEC 开头的密钥）；企业微信群机器人不需要密钥。',
      field: '企业微信机器人不用填写密钥',
    },
    en: {
      title: 'Signing secret only for DingTalk',
      detail: 'Only DingTalk robots are signed (加签); a WeCom robot has no signing secret.',
      field: 'only for DingTalk robots',
    },
  },
};
