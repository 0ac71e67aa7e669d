export { assertJobRegistry, JOB_REGISTRY, type JobName } from './jobs/job-registry.ts';
export { queueConnection, TENANT_QUEUE, type TenantJobData, tenantQueue } from './queues.ts';
export { staggerOffset, syncTenantSchedules } from './schedules/tenant-schedules.ts';
export { type RunningWorker, startWorker } from './worker.ts';
