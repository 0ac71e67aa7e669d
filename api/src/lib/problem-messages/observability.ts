import type { ProblemMessages } from './types.ts';

/** Operating the service: the Prometheus scrape of /metrics. */
export const observabilityMessages: ProblemMessages = {
  metrics_unauthorized: {
    'zh-CN': { title: '需要监控令牌', detail: '读取 /metrics 需要 Authorization: Bearer <METRICS_TOKEN>。' },
    en: {
      title: 'Metrics token required',
      detail: 'Reading /metrics needs Authorization: Bearer <METRICS_TOKEN>.',
    },
  },
};
