export {
  JOB_NAMES,
  JOB_OPTIONS,
  JOB_QUEUES,
  type JobMeta,
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
export {
  createMetricsRegistry,
  metricsScrapeAllowed,
  registerPoolMetrics,
} from './observability/metrics-registry.ts';
export { currentRequestId, withRequestId } from './observability/request-context.ts';
export {
  queueTelemetry,
  type StartTracingOptions,
  type Tracing,
  tracingStarted,
} from './observability/tracing.ts';
export { PRODUCER_TIMEOUT_MS, producerConnection, workerConnection } from './redis-connections.ts';
