import type { ProblemMessages } from './types.ts';

/**
 * Nouns a problem's words insert with `{@param}`: `term.<param>.<value>`. The values are the
 * API's own codes (a resource, a status, a role, a scope), so clients see them in `params`.
 */
const t = (zh: string, en: string) => ({ 'zh-CN': { title: zh }, en: { title: en } });

export const problemTerms: ProblemMessages = {
  // What a 404 names (notFound('The purchase order') → resource purchase_order).
  'term.resource.api_key': t('API 密钥', 'API key'),
  'term.resource.gtin': t('条码（GTIN）', 'GTIN'),
  'term.resource.alert': t('预警', 'alert'),
  'term.resource.anomaly': t('异常记录', 'anomaly'),
  'term.resource.backtest': t('回测', 'backtest'),
  'term.resource.catalogue_template': t('目录模板', 'catalogue template'),
  'term.resource.delivery': t('推送记录', 'delivery'),
  'term.resource.import': t('导入任务', 'import'),
  'term.resource.inspection': t('验收记录', 'inspection'),
  'term.resource.invitation': t('邀请', 'invitation'),
  'term.resource.item': t('耗材', 'item'),
  'term.resource.item_supplier_term': t('耗材供货条款', 'item–supplier term'),
  'term.resource.location': t('库位', 'location'),
  'term.resource.lot': t('批号', 'lot'),
  'term.resource.movement': t('出入库记录', 'movement'),
  'term.resource.organisation': t('机构', 'organisation'),
  'term.resource.par_level': t('库存上下限', 'par level'),
  'term.resource.procedure_type': t('手术/操作类型', 'procedure type'),
  'term.resource.purchase_order': t('采购单', 'purchase order'),
  'term.resource.robot_channel': t('群机器人', 'robot channel'),
  'term.resource.scheduled_procedure': t('手术排程', 'scheduled procedure'),
  'term.resource.session': t('登录会话', 'session'),
  'term.resource.site': t('院区', 'site'),
  'term.resource.stock_report': t('库存报表', 'stock report'),
  'term.resource.stocktake_session': t('盘点单', 'stocktake session'),
  'term.resource.supplier_terms': t('供货条款', 'supplier terms'),
  'term.resource.supplier': t('供应商', 'supplier'),
  'term.resource.user': t('用户', 'user'),
  'term.resource.webhook_endpoint': t('Webhook 接收地址', 'webhook endpoint'),
  // Plan limits count these.
  'term.resource.sites': t('院区', 'sites'),
  'term.resource.items': t('耗材品目', 'items'),

  'term.role.owner': t('所有者', 'owner'),
  'term.role.admin': t('管理员', 'admin'),
  'term.role.purchaser': t('采购员', 'purchaser'),
  'term.role.storekeeper': t('库管员', 'storekeeper'),
  'term.role.nurse': t('护士', 'nurse'),
  'term.role.viewer': t('只读用户', 'viewer'),

  'term.scopes.read': t('查看', 'read'),
  'term.scopes.stock:write': t('库存操作', 'stock:write'),
  'term.scopes.purchasing': t('采购', 'purchasing'),
  'term.scopes.admin': t('管理', 'admin'),

  // Purchase order, alert and procedure states.
  'term.status.draft': t('草稿', 'a draft'),
  'term.status.approved': t('已审批', 'approved'),
  'term.status.sent': t('已发送', 'sent'),
  'term.status.partially_received': t('部分到货', 'partially received'),
  'term.status.received': t('已到货', 'received'),
  'term.status.cancelled': t('已取消', 'cancelled'),
  'term.status.open': t('待处理', 'open'),
  'term.status.acknowledged': t('已确认', 'acknowledged'),
  'term.status.snoozed': t('已暂缓', 'snoozed'),
  'term.status.resolved': t('已解除', 'resolved'),
  'term.status.dismissed': t('已驳回', 'dismissed'),
  'term.status.scheduled': t('已排程', 'scheduled'),
  'term.status.done': t('已完成', 'done'),

  // What cannot be done to a purchase order or a procedure in its state.
  'term.action.approved': t('审批', 'approved'),
  'term.action.sent': t('发送', 'sent'),
  'term.action.cancelled': t('取消', 'cancelled'),
  'term.action.received against': t('收货', 'received against'),
  'term.action.e-mailed': t('通过邮件发送', 'e-mailed'),
  'term.action.completed': t('完成', 'completed'),

  // Movement types.
  'term.type.receipt': t('入库', 'a receipt'),
  'term.type.issue': t('领用出库', 'an issue'),
  'term.type.transfer': t('调拨', 'a transfer'),
  'term.type.adjustment': t('库存调整', 'an adjustment'),
  'term.type.stocktake': t('盘点', 'a stocktake'),
  'term.type.write_off': t('报损', 'a write-off'),
  'term.type.return': t('退货', 'a return'),

  // Plans.
  'term.plan.free': t('免费版', 'Free (免费版)'),
  'term.plan.clinic': t('诊所版', 'Clinic (诊所版)'),
  'term.plan.chain': t('连锁版', 'Chain (连锁版)'),
  'term.upgrades.clinic': t(
    '诊所版（最多 3 个院区、5,000 个品目）',
    'Clinic (诊所版): up to 3 sites and 5,000 items',
  ),
  'term.upgrades.chain': t(
    '连锁版（按院区计费，品目不限）',
    'Chain (连锁版): priced per site, unlimited items',
  ),

  // The part of a request a validation problem is about.
  'term.part.body': t('提交的信息', 'body'),
  'term.part.querystring': t('查询参数', 'query string'),
  'term.part.params': t('路径参数', 'path'),
  'term.part.headers': t('请求头', 'headers'),

  // Backtest steps.
  'term.step.weekly': t('周', 'weekly'),
  'term.step.monthly': t('月', 'monthly'),
  'term.step.daily': t('日', 'daily'),
};
