import type { AppConfig } from '@medstock/config';
import {
  JOB_QUEUES,
  type JobName,
  JobProducer,
  QUEUE_NAMES,
  type QueueName,
  queueTelemetry,
  type TenantJobData,
  workerConnection,
} from '@medstock/contracts';
import {
  attachCells,
  createDatabase,
  type Database,
  hasDueRecalculations,
  isTenantMoving,
  withTenantDb,
} from '@medstock/db';
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { closeComputePool } from './engine/compute/compute-pool.ts';
import { startPeriodicDrain } from './engine/periodic-drain.ts';
import type { JobContext, JobDefinition } from './jobs/job-context.ts';
import { assertJobRegistry, JOB_REGISTRY } from './jobs/job-registry.ts';
import { createLogger, errorFields, type Logger, throttledErrorLog } from './logger.ts';
import { cellsReachable, startWorkerHttp, type WorkerHttp } from './observability/worker-http.ts';
import {
  createWorkerMetrics,
  observedProcessor,
  type WorkerMetrics,
} from './observability/worker-metrics.ts';
import { queueConcurrency } from './queues.ts';
import { LeaderLease } from './schedules/leader-lease.ts';
import { runPlatformUpkeep, type UpkeepReport } from './schedules/platform-upkeep.ts';
import { syncTenantSchedules } from './schedules/tenant-schedules.ts';
import { deliveryBackoffStrategy } from './webhooks/delivery-queue.ts';
import { EndpointSlots } from './webhooks/endpoint-slots.ts';

export interface RunningWorker {
  workers: Record<QueueName, Worker<TenantJobData>>;
  database: Database;
  producer: JobProducer;
  /** The Prometheus metrics (also served on WORKER_HTTP_PORT's /metrics). */
  metrics: WorkerMetrics;
  /** The health and metrics server; null when WORKER_HTTP_PORT is unset. */
  http: WorkerHttp | null;
  /** Runs the periodic outbox drain now (tests; the timer runs it every RECALC_OUTBOX_POLL_MS). */
  drainOutboxNow(): Promise<void>;
  /** One schedule tick now (tests; the timer ticks every scheduleSyncMs): syncs if this process leads. */
  syncSchedulesNow(): Promise<ScheduleTick>;
  close(): Promise<void>;
}

/** What one schedule tick did: only the replica holding the schedule lease syncs. */
export interface ScheduleTick {
  leader: boolean;
  /** Organisations whose schedulers were synced (the leader, when the sync succeeded). */
  tenants?: number;
  /** The platform upkeep, on the leader's ticks when TENANT_UPKEEP_EVERY_MS has passed. */
  upkeep?: UpkeepReport;
}

export interface StartWorkerOptions {
  registry?: Record<string, JobDefinition>;
  scheduleSyncMs?: number;
  /** How long the schedule lease lasts without renewal (default: two sync periods). */
  scheduleLeaseMs?: number;
  log?: Logger;
  /** How long close() waits for running jobs before it lets go (default 15 s). */
  closeGraceMs?: number;
}

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<void>((r) => setTimeout(r, ms).unref())]);

/** Resolves when the connection is ready, or after `ms` (it may be down). */
function readyWithin(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
}

/** A job run by the worker itself (the periodic drain) rather than fetched from Redis. */
function inProcessJob<N extends JobName>(name: N, data: Job['data']): Job {
  return { name, id: `in-process_${name}`, data, attemptsMade: 0, opts: {} } as unknown as Job;
}

/**
 * Starts the worker: checks the job table, then one BullMQ worker per queue, each with its own
 * concurrency, plus the periodic outbox drain and the schedule sync. Neither PostgreSQL nor
 * Redis has to be up at start or stay up: connections reconnect, failures are logged and retried
 * (jobs with backoff, the drain and the sync on their timers), and the process keeps running.
 */
export async function startWorker(config: AppConfig, opts: StartWorkerOptions = {}): Promise<RunningWorker> {
  const registry: Record<string, JobDefinition> = opts.registry ?? JOB_REGISTRY;
  assertJobRegistry(registry);
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const database = createDatabase(config.DATABASE_URL, config.PG_POOL_MAX);
  // Tenant transactions run on their organisation's cell: one pool per cell (see cellsOf).
  const cells = attachCells(database, { defaultCell: config.DEFAULT_CELL, poolMax: config.PG_POOL_MAX });
  const producer = new JobProducer(config, { onError: throttledErrorLog(log, 'redis (producer) error') });
  const workers = {} as Record<QueueName, Worker<TenantJobData>>;
  const metrics = createWorkerMetrics({ database, producer, workers: () => workers, log });
  const ctx: JobContext = {
    config,
    database,
    producer,
    log,
    metrics,
    endpointSlots: new EndpointSlots(
      producer.connection,
      config.QUEUE_PREFIX,
      config.WEBHOOK_ENDPOINT_CONCURRENCY,
      config.WEBHOOK_TIMEOUT_MS + 5000,
    ),
  };

  const connections: Redis[] = [];
  const concurrency = queueConcurrency(config);
  for (const queueName of QUEUE_NAMES) {
    const connection = workerConnection(config.REDIS_URL, throttledErrorLog(log, 'redis (worker) error'));
    connections.push(connection);
    const worker = new Worker<TenantJobData>(
      queueName,
      observedProcessor(metrics, log, async (job, token, jobLog) => {
        const def = registry[job.name];
        if (!def) throw new UnrecoverableError(`no handler for job '${job.name}'`);
        if (JOB_QUEUES[job.name as JobName] !== queueName)
          throw new UnrecoverableError(`job '${job.name}' does not belong on queue '${queueName}'`);
        if (typeof job.data?.tenantId !== 'string') throw new UnrecoverableError('job data has no tenantId');
        try {
          return await def.handle({ ...ctx, log: jobLog }, job, token);
        } catch (err) {
          // The organisation is being moved to another cell: come back after the pause, without
          // spending an attempt (the job did nothing wrong).
          if (!isTenantMoving(err) || !token) throw err;
          jobLog.info({ retryAfterSeconds: err.retryAfterSeconds }, 'organisation moving; job postponed');
          await job.moveToDelayed(Date.now() + err.retryAfterSeconds * 1000, token);
          throw new DelayedError();
        }
      }),
      {
        connection,
        prefix: config.QUEUE_PREFIX,
        concurrency: concurrency[queueName],
        lockDuration: config.WORKER_LOCK_DURATION_MS,
        stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
        maxStalledCount: 5,
        settings: { backoffStrategy: deliveryBackoffStrategy(config) },
        telemetry: queueTelemetry(),
      },
    );
    worker.on('error', throttledErrorLog(log.child({ queue: queueName }), 'queue worker error'));
    worker.on('failed', (job, err) => {
      log.warn(
        {
          ...errorFields(err),
          queue: queueName,
          job: job?.name,
          jobId: job?.id,
          tenantId: job?.data?.tenantId,
          requestId: job?.data?.requestId,
          attemptsMade: job?.attemptsMade,
        },
        'job attempt failed',
      );
    });
    workers[queueName] = worker;
  }

  // A change that committed as a drain job was finishing may have been missed by it (its wake-up
  // joined a window whose trailing run was already enqueued or running): look once more. A wake
  // inside the window joins its one trailing run; after it, a new window drains at once.
  workers['recalculate-drain'].on('completed', (job) => {
    const tenantId = job.data.tenantId;
    withTenantDb(database.db, { organizationId: tenantId }, hasDueRecalculations)
      .then((due) => (due ? producer.wakeRecalculationDrain(tenantId) : undefined))
      .catch((err) => log.warn({ ...errorFields(err), tenantId }, 'post-drain check failed'));
  });

  const drainDef = registry['recalculate-drain']!;
  const periodicDrain = startPeriodicDrain(
    ctx,
    (tenantId) =>
      drainDef.handle(
        { ...ctx, log: log.child({ job: 'periodic-drain', tenantId }) },
        inProcessJob('recalculate-drain', { tenantId }),
      ),
    config.RECALC_OUTBOX_POLL_MS,
  );

  // Every replica ticks, but only the one holding the lease upserts every organisation's
  // schedulers: the others would only repeat its work. The leader renews the lease each tick; if
  // it dies, another replica takes over at its first tick after the lease ran out.
  const syncEveryMs = opts.scheduleSyncMs ?? 60_000;
  const lease = new LeaderLease(
    producer.connection,
    `${config.QUEUE_PREFIX}:schedule-leader`,
    opts.scheduleLeaseMs ?? 2 * syncEveryMs,
  );
  let syncing: Promise<ScheduleTick> | null = null;
  // The platform upkeep rides on the leader's tick (one replica, no cron line), at most once per
  // TENANT_UPKEEP_EVERY_MS; a new leader runs it at its first tick. It needs PostgreSQL only.
  let lastUpkeep = Number.NEGATIVE_INFINITY;
  const upkeepDue = () =>
    config.TENANT_UPKEEP_EVERY_MS > 0 && Date.now() - lastUpkeep >= config.TENANT_UPKEEP_EVERY_MS;
  const sync = () => {
    syncing ??= lease
      .hold()
      .then(async (leader): Promise<ScheduleTick> => {
        if (!leader) return { leader };
        let upkeep: UpkeepReport | undefined;
        if (upkeepDue()) {
          lastUpkeep = Date.now();
          upkeep = await runPlatformUpkeep(database, cells, log.child({ job: 'platform-upkeep' }));
        }
        const { tenants } = await syncTenantSchedules(config, database, producer);
        return { leader, tenants, upkeep };
      })
      .catch((err): ScheduleTick => {
        log.warn(errorFields(err), 'schedule sync failed; retrying on the next tick');
        return { leader: false };
      })
      .finally(() => {
        syncing = null;
      });
    return syncing;
  };
  await readyWithin(producer.connection, 3000);
  await sync();
  // New organisations sign up while the worker runs, and a restarted Redis has lost every
  // scheduler: sync periodically and whenever the producer connection (re)connects.
  const timer = setInterval(() => void sync(), syncEveryMs);
  timer.unref();
  producer.connection.on('ready', () => void sync());

  const http =
    config.WORKER_HTTP_PORT === undefined
      ? null
      : await startWorkerHttp({
          host: config.HOST,
          port: config.WORKER_HTTP_PORT,
          registry: metrics.registry,
          metricsToken: config.METRICS_TOKEN,
          checks: {
            postgres: cellsReachable(database),
            redis: () => producer.connection.ping(),
            workers: async () => {
              const stopped = QUEUE_NAMES.filter((q) => !workers[q].isRunning());
              if (stopped.length) throw new Error(`not running: ${stopped.join(', ')}`);
            },
          },
        });
  if (http) log.info({ port: http.port }, 'worker health and metrics listening');

  return {
    workers,
    database,
    producer,
    metrics,
    http,
    drainOutboxNow: () => periodicDrain.runOnce(),
    syncSchedulesNow: sync,
    close: async () => {
      await http?.close();
      clearInterval(timer);
      await periodicDrain.stop();
      // A BullMQ worker closed while its connection waits to reconnect (Redis just restarted)
      // can wait for ever: give the connections a moment, then bound the graceful close. Jobs
      // still running are idempotent and come back as stalled jobs.
      await Promise.all(connections.map((c) => readyWithin(c, 3000)));
      const grace = opts.closeGraceMs ?? 15_000;
      await within(Promise.allSettled(Object.values(workers).map((w) => w.close())), grace);
      await syncing;
      // Another replica takes the schedules over at its next tick, not after the lease runs out.
      await lease.release().catch(() => undefined);
      await producer.close();
      await Promise.allSettled(
        connections.map((c) => (c.status === 'ready' ? c.quit() : Promise.resolve(c.disconnect()))),
      );
      await within(cells.close(), grace);
      await within(database.close(), grace);
      await closeComputePool();
    },
  };
}
