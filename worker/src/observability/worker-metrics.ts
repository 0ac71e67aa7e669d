import {
  createMetricsRegistry,
  type JobProducer,
  QUEUE_NAMES,
  type QueueName,
  registerPoolMetrics,
  type TenantJobData,
  withRequestId,
} from '@medstock/contracts';
import {
  cellsOf,
  type Database,
  poolForCell,
  type RecalculationBacklog,
  recalculationBacklog,
} from '@medstock/db';
import { DelayedError, type Job, type Worker } from 'bullmq';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Logger } from '../logger.ts';
import { errorFields } from '../logger.ts';

/** Queue states reported as depth: what waits, runs, waits out a delay or a retry, and gave up. */
const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;
/** Seconds; from a webhook delivery to a full recalculation or an import of millions of rows. */
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

export type WebhookAttemptOutcome = 'succeeded' | 'retrying' | 'failed' | 'skipped';

export interface WorkerMetrics {
  registry: Registry;
  /** A job attempt starts: its wait (from enqueue, or the end of its delay) on the first attempt. */
  jobStarted(job: Job): void;
  /** A job attempt ended; a job that moved itself back to the queue (DelayedError) is not counted. */
  jobEnded(job: Job, outcome: 'completed' | 'failed', seconds: number): void;
  webhookAttempt(outcome: WebhookAttemptOutcome): void;
}

/**
 * The worker's Prometheus metrics. Queue depth, the recalculation backlog and the pools are read
 * when Prometheus scrapes (from Redis and PostgreSQL: every worker replica reports the same queue
 * and backlog figures, so dashboards take max() across replicas); job timings and webhook attempts
 * are counted by this replica as they happen.
 */
export function createWorkerMetrics(deps: {
  database: Database;
  producer: JobProducer;
  workers: () => Partial<Record<QueueName, Worker>>;
  log: Logger;
}): WorkerMetrics {
  const registry = createMetricsRegistry();
  const registers = [registry];
  registerPoolMetrics(registry, () => cellsOf(deps.database.db).pools());

  new Gauge({
    name: 'medstock_queue_jobs',
    help: 'Jobs in each queue (one queue per job kind) by state',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      // Redis down: no figures rather than a failed scrape (readyz and the worker-down alert say so).
      const counts = await Promise.all(
        QUEUE_NAMES.map((q) =>
          deps.producer
            .queue(q)
            .getJobCounts(...QUEUE_STATES)
            .catch(() => null),
        ),
      );
      this.reset();
      QUEUE_NAMES.forEach((queue, i) => {
        for (const state of QUEUE_STATES) {
          const n = counts[i]?.[state];
          if (n !== undefined) this.set({ queue, state }, n);
        }
      });
    },
  });

  new Gauge({
    name: 'medstock_worker_running',
    help: 'Whether this replica is taking jobs from the queue (1) or not (0)',
    labelNames: ['queue'],
    registers,
    collect() {
      this.reset();
      for (const [queue, worker] of Object.entries(deps.workers()))
        this.set({ queue }, worker?.isRunning() ? 1 : 0);
    },
  });

  // Both backlog gauges come from one read per scrape (the gauges are collected side by side).
  let backlog: Promise<Map<string, RecalculationBacklog> | null> | null = null;
  const readBacklog = () => {
    backlog ??= backlogByCell(deps.database)
      .catch((err) => {
        deps.log.warn(errorFields(err), 'recalculation backlog metrics failed');
        return null;
      })
      .finally(() => {
        backlog = null;
      });
    return backlog;
  };
  const backlogGauge = (name: string, help: string, read: (b: RecalculationBacklog) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['cell'],
      registers,
      async collect() {
        const byCell = await readBacklog();
        this.reset();
        for (const [cell, b] of byCell ?? []) this.set({ cell }, read(b));
      },
    });
  backlogGauge(
    'medstock_recalculation_lag_seconds',
    'Age of the oldest item-location waiting for a recalculation, by database cell',
    (b) => b.oldestAgeSeconds,
  );
  backlogGauge(
    'medstock_recalculation_pending_item_locations',
    'Item-locations waiting for a recalculation (the outboxes), by database cell',
    (b) => b.pending,
  );

  const wait = new Histogram({
    name: 'medstock_job_wait_seconds',
    help: 'From enqueue (or the end of its delay) to the start of the first attempt, by job kind',
    labelNames: ['job'],
    buckets: JOB_BUCKETS,
    registers,
  });
  const duration = new Histogram({
    name: 'medstock_job_duration_seconds',
    help: 'Job attempt duration by job kind and outcome',
    labelNames: ['job', 'outcome'],
    buckets: JOB_BUCKETS,
    registers,
  });
  const webhookAttempts = new Counter({
    name: 'medstock_webhook_delivery_attempts_total',
    help: 'Webhook delivery attempts by outcome (retrying: failed, will retry; failed: gave up)',
    labelNames: ['outcome'],
    registers,
  });

  return {
    registry,
    jobStarted(job) {
      if (job.attemptsMade > 0) return;
      const due = job.timestamp + (job.delay ?? 0);
      wait.observe({ job: job.name }, Math.max(0, (job.processedOn ?? Date.now()) - due) / 1000);
    },
    jobEnded(job, outcome, seconds) {
      duration.observe({ job: job.name, outcome }, seconds);
    },
    webhookAttempt(outcome) {
      webhookAttempts.inc({ outcome });
    },
  };
}

/** The outbox backlog of the active organisations, per cell (the control plane says where each is). */
async function backlogByCell(database: Database) {
  const { rows } = await database.pool.query<{ cell: string; ids: string[] }>(
    `select cell, array_agg(id order by id) as ids from control.organizations where status = 'active' group by cell`,
  );
  const out = new Map<string, RecalculationBacklog>();
  for (const { cell, ids } of rows)
    out.set(cell, await recalculationBacklog(await poolForCell(database.db, cell), ids));
  return out;
}

/**
 * A queue worker's processor with its job counted, timed and logged: the processor gets the job's
 * logger (name, id, tenant, and the request id that caused it), and runs with that request id so
 * the jobs it enqueues carry it on. Completions are logged at debug (scheduled jobs run every
 * minute per organisation); failed attempts are logged by the worker's `failed` handler.
 */
export function observedProcessor<R>(
  metrics: WorkerMetrics,
  log: Logger,
  processor: (job: Job<TenantJobData>, token: string | undefined, jobLog: Logger) => Promise<R>,
): (job: Job<TenantJobData>, token?: string) => Promise<R> {
  return async (job, token) => {
    const { tenantId, requestId } = (job.data ?? {}) as Partial<TenantJobData>;
    const jobLog = log.child({ job: job.name, jobId: job.id, tenantId, requestId });
    metrics.jobStarted(job);
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const result = await withRequestId(requestId, () => processor(job, token, jobLog));
      metrics.jobEnded(job, 'completed', seconds());
      jobLog.debug({ durationMs: Math.round(seconds() * 1000) }, 'job completed');
      return result;
    } catch (err) {
      // A job that moved itself back to the queue (busy endpoint, organisation moving) ran no attempt.
      if (!(err instanceof DelayedError)) metrics.jobEnded(job, 'failed', seconds());
      throw err;
    }
  };
}
