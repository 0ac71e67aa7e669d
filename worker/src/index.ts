export { assertJobRegistry, JOB_REGISTRY, type JobName } from './jobs/job-registry.ts';
export { queueConcurrency } from './queues.ts';
export { staggerOffset, syncTenantSchedules } from './schedules/tenant-schedules.ts';
export { type RunningWorker, type ScheduleTick, type StartWorkerOptions, startWorker } from './worker.ts';
