import type { JobsOptions } from 'bullmq';

/**
 * One queue per kind of work, each with its own concurrency in the worker, so a slow kind (a
 * full recalculation, an import, a hanging webhook receiver) never holds the slots of another.
 */
export const QUEUE_NAMES = [
  'recalculate',
  'recalculate-drain',
  'import',
  'backtest',
  'webhook-delivery',
  'notify',
  'housekeeping',
] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Job data carries the tenant id and record ids only, never secrets; handlers re-read state. */
export interface JobPayloads {
  /**
   * A recalculation of one organisation: `changed` (the scheduled cycle) only the item-locations
   * whose inputs changed since their last computation; `full` (after a rule change, an import, on
   * request; also when absent) every item-location, resumable from its cursor.
   */
  recalculate: { tenantId: string; scope?: 'full' | 'changed' };
  /** Drains the organisation's recalculation outbox (item-locations a change marked in PostgreSQL). */
  'recalculate-drain': { tenantId: string };
  import: { tenantId: string; importId: string };
  backtest: { tenantId: string; runId: string };
  'webhook-delivery': { tenantId: string; deliveryId: string };
  housekeeping: { tenantId: string };
  'webhook-sweep': { tenantId: string };
  /**
   * The organisation's notifications (issue 11): group-robot messages for critical alerts opened
   * or escalated since the last run (with their retries) and the daily e-mail digests that are due.
   */
  notify: { tenantId: string };
}
export type JobName = keyof JobPayloads;
/**
 * What any job may carry besides its payload: the X-Request-Id of the API request (or of the job)
 * that enqueued it, so the job's log lines and the request's are found together. Absent for
 * scheduled jobs; a job whose id collapsed several enqueues keeps the first one's.
 */
export interface JobMeta {
  requestId?: string;
}
export type TenantJobData = JobPayloads[JobName] & JobMeta;

/** The queue each job runs on. */
export const JOB_QUEUES: { readonly [N in JobName]: QueueName } = {
  recalculate: 'recalculate',
  'recalculate-drain': 'recalculate-drain',
  import: 'import',
  backtest: 'backtest',
  'webhook-delivery': 'webhook-delivery',
  housekeeping: 'housekeeping',
  // The sweeper re-enqueues lost deliveries: bookkeeping, not a delivery itself.
  'webhook-sweep': 'housekeeping',
  // Its own queue: a slow robot endpoint or SMTP server never holds webhook or housekeeping slots.
  notify: 'notify',
};
export const JOB_NAMES = Object.keys(JOB_QUEUES) as JobName[];

/**
 * The backoff type of webhook deliveries. The worker computes the delay from its own
 * WEBHOOK_BACKOFF_BASE_MS (and stops at its own WEBHOOK_MAX_ATTEMPTS), so the retry schedule
 * never depends on which process enqueued the delivery.
 */
export const WEBHOOK_BACKOFF_TYPE = 'webhook';
/** A ceiling only (the largest WEBHOOK_MAX_ATTEMPTS the configuration accepts). */
export const WEBHOOK_ATTEMPTS_CEILING = 30;

/** Options every job of a kind is enqueued with. Deterministic ids make repeated enqueues collapse. */
export const JOB_OPTIONS: { readonly [N in JobName]: JobsOptions } = {
  recalculate: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 5000 },
    removeOnComplete: true,
    removeOnFail: 100,
  },
  // A failed drain (database unreachable) is retried soon; the rows wait in PostgreSQL anyway,
  // and the worker's periodic drain picks them up even if this job is lost.
  'recalculate-drain': {
    attempts: 12,
    backoff: { type: 'exponential', delay: 250 },
    removeOnComplete: true,
    removeOnFail: true,
  },
  // Enough attempts to outlast a database restart (5 s, 10 s, 20 s, 40 s, 80 s).
  import: {
    attempts: 6,
    backoff: { type: 'exponential', delay: 5000 },
    removeOnComplete: 1000,
    removeOnFail: 1000,
  },
  backtest: { attempts: 2, removeOnComplete: 100, removeOnFail: 100 },
  // Finished jobs are removed so a later redelivery of the same delivery can use the id again;
  // the delivery log lives in the database, not in Redis.
  'webhook-delivery': {
    attempts: WEBHOOK_ATTEMPTS_CEILING,
    backoff: { type: WEBHOOK_BACKOFF_TYPE },
    removeOnComplete: true,
    removeOnFail: true,
  },
  housekeeping: { removeOnComplete: 100, removeOnFail: 500 },
  'webhook-sweep': { removeOnComplete: 10, removeOnFail: 50 },
  // Scheduled every minute; a failed run is simply the next minute's work.
  notify: { removeOnComplete: 10, removeOnFail: 50 },
};

/**
 * Job and scheduler ids. Drain jobs are per organisation and debounce window (JobProducer.
 * wakeRecalculationDrain): the window's leading run, and its one trailing run that every later
 * change in the window collapses into. A change the trailing run missed (it committed as the run
 * finished) is picked up by the worker's completion check (see the drain job).
 */
export const jobIds = {
  drain: (tenantId: string, edge: 'leading' | 'trailing', window: string) =>
    `recalc-drain_${tenantId}_${edge}_${window}`,
  fullRecalculation: (tenantId: string, reason: string) => `recalc-full_${tenantId}_${reason}`,
  import: (importId: string) => `import_${importId}`,
  backtest: (runId: string) => `backtest_${runId}`,
  delivery: (deliveryId: string) => `whd_${deliveryId}`,
};

/** The notification job's period: robot messages go out within a minute of the alert. */
export const NOTIFY_EVERY_MS = 60_000;

export const schedulerIds = {
  fullRecalculation: (tenantId: string) => `recalculate:${tenantId}`,
  housekeeping: (tenantId: string) => `housekeeping:${tenantId}`,
  webhookSweep: (tenantId: string) => `webhook-sweep_${tenantId}`,
  notify: (tenantId: string) => `notify:${tenantId}`,
};
