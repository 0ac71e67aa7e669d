/**
 * Alert types, severities and feed kinds in the words of the people who receive robot messages
 * and digests (the web has its own copy in its message files; the worker cannot import the web).
 */
export const ALERT_TYPE_WORDS: Record<string, { zh: string; en: string }> = {
  stocked_out: { zh: '已缺货', en: 'Stocked out' },
  stockout_risk: { zh: '缺货风险', en: 'Stockout risk' },
  below_safety_stock: { zh: '低于安全库存', en: 'Below safety stock' },
  below_par_minimum: { zh: '低于基数下限', en: 'Below par minimum' },
  expired: { zh: '已过期', en: 'Expired' },
  expiry_risk: { zh: '近效期风险', en: 'Expiry risk' },
  overstock: { zh: '库存积压', en: 'Overstock' },
  dead_stock: { zh: '呆滞库存', en: 'Dead stock' },
  consumption_anomaly: { zh: '消耗异常', en: 'Consumption anomaly' },
  late_purchase_order: { zh: '采购单逾期未到', en: 'Late purchase order' },
  lead_time_drift: { zh: '到货周期变长', en: 'Lead time drift' },
};

export const SEVERITY_WORDS: Record<string, { zh: string; en: string }> = {
  critical: { zh: '紧急', en: 'Critical' },
  high: { zh: '高', en: 'High' },
  medium: { zh: '中', en: 'Medium' },
  low: { zh: '低', en: 'Low' },
};

export const FEED_KIND_WORDS: Record<string, { zh: string; en: string }> = {
  opened: { zh: '新的紧急预警', en: 'New critical alert' },
  updated: { zh: '预警升级为紧急', en: 'Alert escalated to critical' },
  reopened: { zh: '预警重新打开（紧急）', en: 'Critical alert reopened' },
};

export const words = (table: Record<string, { zh: string; en: string }>, key: string) =>
  table[key] ?? { zh: key, en: key };
