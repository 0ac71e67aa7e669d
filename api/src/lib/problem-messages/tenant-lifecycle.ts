import type { ProblemMessages } from './types.ts';

/** An organisation waiting out the grace period before its erasure (pnpm tenant delete). */
export const tenantLifecycleMessages: ProblemMessages = {
  organization_pending_deletion: {
    'zh-CN': {
      title: '机构已申请删除',
      detail: '该机构已申请删除，将于 {dueAt} 起永久删除，期间无法登录或使用。如需恢复，请联系运维人员。',
    },
    en: {
      title: 'Organisation scheduled for deletion',
      detail:
        'This organisation has been asked to be deleted and will be erased from {dueAt}; until then it cannot be signed in to or used. Contact your operator to withdraw the request.',
    },
  },
};
