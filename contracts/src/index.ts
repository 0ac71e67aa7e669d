export {
  JOB_NAMES,
  JOB_OPTIONS,
  JOB_QUEUES,
  type JobName,
  type JobPayloads,
  jobIds,
  NOTIFY_EVERY_MS,
  QUEUE_NAMES,
  type QueueName,
  schedulerIds,
  type TenantJobData,
  WEBHOOK_ATTEMPTS_CEILING,
  WEBHOOK_BACKOFF_TYPE,
} from './job-contracts.ts';
export { JobProducer, QueueUnavailableError } from './job-producer.ts';
export { PRODUCER_TIMEOUT_MS, producerConnection, workerConnection } from './redis-connections.ts';
