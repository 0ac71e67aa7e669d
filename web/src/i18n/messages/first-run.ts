/** The landing page, the first-run checklist, and the dashboard's KPIs with their definitions. */
export const firstRunEn = {
  'chart.noData': 'No data yet',

  'landing.title': 'Stock early warning for clinics and hospitals',
  'landing.lead':
    'Record receipts, issues and counts; medstock warns you before a consumable runs out or expires, says why, and drafts the order.',
  'landing.point.warn':
    'Warnings from the first day: an empty shelf or stock below your par level, even before any history.',
  'landing.point.explain': 'Every alert explains itself: the rule, the numbers and what to do.',
  'landing.point.scan': 'Scan GS1 barcodes on boxes and pieces; quantities count what you scanned.',
  'landing.signup': 'Create your organisation',
  'landing.login': 'Sign in',
  'landing.forgot': 'Forgotten your password?',

  'onboarding.lead': 'What a storekeeper does first. Each step is ticked when it is done.',
  'onboarding.firstStock': 'Record your first receipt or stock count',
  'onboarding.parLevels': 'Set par levels (minimum stock) for the items you keep',
  'onboarding.inviteColleagues': 'Invite colleagues',
  'onboarding.importHistory': 'Import past usage (optional, sharpens forecasts)',

  'kpi.supplierOnTime': 'Supplier on-time rate',
  'kpi.supplierOnTime.help':
    'Receipts against purchase orders on or before their expected date ÷ all such receipts.',
  'kpi.expiryLoss': 'Expiry and write-off loss',
  'kpi.expiryLoss.help': 'Written-off quantity × the item’s unit cost, in the period.',
  'kpi.poCycleTime': 'Purchase cycle time',
  'kpi.poCycleTime.help':
    'Mean days from a purchase order created to fully received, for orders received in the period.',
  'kpi.poCycleTime.value': '{days} days',
  'kpi.stockoutRate.help': 'Item-location days with no stock ÷ all item-location days.',
  'kpi.turnoverDays.help': 'Average inventory value ÷ daily consumption value.',
  'kpi.inventoryValue.help': 'On hand × item unit cost.',
  'kpi.alertPrecision.help': 'Alerts closed in the period: 1 − false alarms ÷ (false alarms + resolved).',
  'kpi.period': 'last {n} weeks',
} as const;

export const firstRunZh: Record<keyof typeof firstRunEn, string> = {
  'chart.noData': '暂无数据',

  'landing.title': '诊所与医院的耗材库存预警',
  'landing.lead':
    '登记入库、出库和盘点；耗材快用完或快过期之前，medstock 提前预警、说明原因，并生成采购单草稿。',
  'landing.point.warn': '从第一天起就预警：货架空了或低于基数即提醒，无需历史数据。',
  'landing.point.explain': '每条预警都说明依据：规则、数值和建议操作。',
  'landing.point.scan': '扫描整盒或单支的 GS1 条码，数量按所扫包装计算。',
  'landing.signup': '注册机构',
  'landing.login': '登录',
  'landing.forgot': '忘记密码？',

  'onboarding.lead': '库管员的第一步。每完成一项自动打勾。',
  'onboarding.firstStock': '登记第一笔入库或盘点',
  'onboarding.parLevels': '为常备耗材设置基数（最低库存）',
  'onboarding.inviteColleagues': '邀请同事',
  'onboarding.importHistory': '导入历史用量（可选，让预测更准）',

  'kpi.supplierOnTime': '供应商准时率',
  'kpi.supplierOnTime.help': '按采购单到货且不晚于预计到货日的次数 ÷ 全部按采购单到货次数。',
  'kpi.expiryLoss': '过期及报损损失',
  'kpi.expiryLoss.help': '期间内报损数量 × 耗材单价。',
  'kpi.poCycleTime': '采购周期',
  'kpi.poCycleTime.help': '期间内全部到货的采购单，从创建到全部到货的平均天数。',
  'kpi.poCycleTime.value': '{days} 天',
  'kpi.stockoutRate.help': '无库存的“耗材×库位”天数 ÷ 全部“耗材×库位”天数。',
  'kpi.turnoverDays.help': '平均库存金额 ÷ 日均消耗金额。',
  'kpi.inventoryValue.help': '在库数量 × 耗材单价。',
  'kpi.alertPrecision.help': '期间内关闭的预警中：1 − 误报数 ÷（误报数 + 已解除数）。',
  'kpi.period': '近 {n} 周',
};
