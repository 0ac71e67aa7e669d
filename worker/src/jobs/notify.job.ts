import { createWorkerMailer, type WorkerMailer } from '../notifications/mailer.ts';
import { runNotifications } from '../notifications/run-notifications.ts';
import type { JobDefinition } from './job-context.ts';

// One transport per worker process (nodemailer pools nothing by default; creating it is cheap,
// but the configuration does not change while the worker runs).
let mailer: WorkerMailer | undefined;

export const notifyJob: JobDefinition<'notify'> = {
  description:
    'notifications: WeCom/DingTalk robot messages for critical alerts (retried), daily e-mail digests',
  async handle(ctx, job) {
    mailer ??= createWorkerMailer(ctx.config);
    return runNotifications(ctx.config, ctx.database, mailer, job.data.tenantId);
  },
};
