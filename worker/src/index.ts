export { startWorker, type RunningWorker } from './worker.ts';
export { JOB_REGISTRY, assertJobRegistry, type JobName } from './jobs/job-registry.ts';
export { tenantQueue, queueConnection, TENANT_QUEUE, type TenantJobData } from './queues.ts';
export { syncTenantSchedules, staggerOffset } from './schedules/tenant-schedules.ts';
