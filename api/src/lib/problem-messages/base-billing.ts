import type { ProblemMessages } from './types.ts';

/** Plans, plan limits, checkout and the Stripe webhook. */
export const billingProblems: ProblemMessages = {
  'plan_limit_reached.upgrade': {
    'zh-CN': {
      title: '已达套餐上限',
      detail:
        '{@plan}最多可有 {limit} 个{@resource}，本机构已有 {used} 个。请升级套餐：{@upgrades}（接口：POST /v1/billing/checkout {example}）。',
    },
    en: {
      title: 'Plan limit reached',
      detail:
        'On the {@plan} plan, the number of {@resource} is limited to {limit}; this organisation has {used}. Upgrade with POST /v1/billing/checkout {example} (plans: GET /v1/billing/plans) — {@upgrades}.',
    },
  },
  'plan_limit_reached.portal': {
    'zh-CN': {
      title: '已达套餐上限',
      detail: '{@plan}已购买 {limit} 个{@resource}，本机构已有 {used} 个。请在账单管理中增加院区数量后重试。',
    },
    en: {
      title: 'Plan limit reached',
      detail:
        'On the {@plan} plan, the number of {@resource} is limited to {limit} (the sites paid for); this organisation has {used}. Add sites to the subscription in the customer portal (POST /v1/billing/portal), then retry.',
    },
  },
  billing_disabled: {
    'zh-CN': { title: '未启用计费', detail: '此部署未启用计费：不限制套餐，也无需购买。' },
    en: {
      title: 'Billing is disabled',
      detail:
        'Billing is off on this deployment (no Stripe key is configured): no plan limits apply and there is nothing to buy.',
    },
  },
  billing_not_configured: {
    'zh-CN': { title: '计费配置不完整', detail: '此部署未配置 {setting}。' },
    en: {
      title: 'Billing is not fully configured',
      detail: '{setting} is not configured on this deployment.',
    },
  },
  stripe_unavailable: {
    'zh-CN': { title: '支付服务暂不可用', detail: '暂时无法连接支付服务（Stripe），请稍后重试。' },
    en: {
      title: 'Bad gateway',
      detail: 'Stripe could not be reached or refused the request; try again shortly.',
    },
  },
  already_subscribed: {
    'zh-CN': {
      title: '已订阅',
      detail: '本机构已订阅{@plan}（{status}）。如需更换套餐或院区数量，请在账单管理中操作。',
    },
    en: {
      title: 'Conflict',
      detail:
        'This organisation already has a {@plan} subscription ({status}); change its plan or number of sites in the customer portal (POST /v1/billing/portal).',
    },
  },
  sites_below_usage: {
    'zh-CN': {
      title: '院区数不足',
      detail: '本机构已有 {sites} 个院区，至少需购买 {sites} 个。',
      field: '不能少于 {sites}',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'The organisation already has {sites} sites; buy at least that many.',
      field: 'must be at least {sites}',
    },
  },
  sites_not_applicable: {
    'zh-CN': {
      title: '无需院区数',
      detail: '只有连锁版按院区计费；选择诊所版时请不要填写院区数。',
      field: '仅连锁版需要',
    },
    en: {
      title: 'Unprocessable content',
      detail: 'Only the Chain plan is priced per site; omit `sites` for the Clinic plan.',
      field: 'only for the chain plan',
    },
  },
  plan_too_small: {
    'zh-CN': {
      title: '套餐不够用',
      detail:
        '诊所版最多 {siteLimit} 个院区、{itemLimit} 个品目；本机构已有 {sites} 个院区、{items} 个品目。请选择连锁版。',
      field: '{@resource}超出诊所版上限',
    },
    en: {
      title: 'Unprocessable content',
      detail:
        'The Clinic plan allows {siteLimit} sites and {itemLimit} items; this organisation has {sites} sites and {items} items. Choose the Chain plan.',
      field: '{@resource} exceed the Clinic plan',
    },
  },
  no_billing_account: {
    'zh-CN': { title: '尚未订阅', detail: '本机构从未订阅过，请先选择套餐。' },
    en: {
      title: 'Conflict',
      detail: 'This organisation has never subscribed; start with POST /v1/billing/checkout.',
    },
  },
  invalid_signature: {
    'zh-CN': { title: '签名无效', detail: 'Stripe-Signature 与内容不符，或时间戳已过期。' },
    en: {
      title: 'Bad request',
      detail: 'The Stripe-Signature header does not match the payload, or its timestamp is too old.',
    },
  },
};
