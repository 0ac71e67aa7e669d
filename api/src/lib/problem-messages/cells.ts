import type { ProblemMessages } from './types.ts';

/** Tenant placement on database cells: an organisation being moved to another cell. */
export const cellsProblems: ProblemMessages = {
  tenant_moving: {
    'zh-CN': {
      title: '服务暂不可用',
      detail: '本机构的数据正在迁移到另一台数据库服务器，暂时只能查看、不能修改；请 {seconds} 秒后重试。',
    },
    en: {
      title: 'Service unavailable',
      detail:
        "This organisation's data is being moved to another database server; changes are paused. Retry in {seconds} seconds.",
    },
  },
};
