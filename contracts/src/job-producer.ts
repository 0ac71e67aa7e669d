import type { AppConfig } from '@medstock/config';
import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { claimDrainSlot, type DrainSlot, trailingKeyOf } from './drain-window.ts';
import {
  JOB_OPTIONS,
  JOB_QUEUES,
  type JobMeta,
  type JobName,
  type JobPayloads,
  jobIds,
  type QueueName,
  schedulerIds,
} from './job-contracts.ts';
import { currentRequestId } from './observability/request-context.ts';
import { queueTelemetry } from './observability/tracing.ts';
import { producerConnection } from './redis-connections.ts';

/** The payload with the request id of the request or job enqueueing it (JobMeta), when there is one. */
function withRequestMeta<T extends object>(data: T): T & JobMeta {
  const requestId = currentRequestId();
  return requestId ? { ...data, requestId } : data;
}

/** Redis is not reachable right now; nothing was enqueued. */
export class QueueUnavailableError extends Error {
  constructor() {
    super('the job queue (Redis) is unavailable');
    this.name = 'QueueUnavailableError';
  }
}

type ProducerConfig = Pick<AppConfig, 'REDIS_URL' | 'QUEUE_PREFIX' | 'RECALC_DRAIN_WINDOW_MS'>;

/** A drain the producer enqueued (or found already enqueued for its window). */
export interface DrainWake extends DrainSlot {
  jobId: string;
}

/** A window whose trailing run this process knows is enqueued, until the window closes. */
interface KnownTrailing {
  until: number;
  wake: DrainWake;
}

/**
 * Enqueues jobs for the worker, typed by the job contracts. Used by the API and by the worker
 * itself (jobs that start other jobs). Every call fails fast when Redis is down: callers either
 * report it (an import answers 503) or rely on PostgreSQL (the recalculation outbox, pending
 * webhook deliveries and their sweeper), which is why the "never throws" helpers below exist.
 */
export class JobProducer {
  readonly connection: Redis;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly ownsConnection: boolean;

  constructor(
    private readonly config: ProducerConfig,
    opts: { connection?: Redis; onError?: (err: Error) => void } = {},
  ) {
    this.onError = opts.onError ?? (() => {});
    this.ownsConnection = !opts.connection;
    this.connection = opts.connection ?? producerConnection(config.REDIS_URL, this.onError);
  }

  private readonly onError: (err: Error) => void;
  private readonly knownTrailing = new Map<string, KnownTrailing>();

  /** The BullMQ queue of that name (created once; the connection is shared). */
  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, {
        connection: this.connection,
        prefix: this.config.QUEUE_PREFIX,
        telemetry: queueTelemetry(),
      });
      q.on('error', this.onError);
      this.queues.set(name, q);
    }
    return q;
  }

  /** True when enqueueing can work now (the connection is up). */
  get available(): boolean {
    return this.connection.status === 'ready';
  }

  /** Adds one job with its kind's options; throws QueueUnavailableError at once when Redis is down. */
  async add<N extends JobName>(name: N, data: JobPayloads[N], opts: JobsOptions = {}): Promise<string> {
    if (!this.available) throw new QueueUnavailableError();
    const job = await this.queue(JOB_QUEUES[name]).add(name, withRequestMeta(data), {
      ...JOB_OPTIONS[name],
      ...opts,
    });
    return job.id ?? opts.jobId ?? '';
  }

  /**
   * Wakes the worker to drain an organisation's recalculation outbox, debounced with a trailing
   * edge (drain-window.ts): the first change of a window of RECALC_DRAIN_WINDOW_MS is drained at
   * once, every later one in the window by one run when the window closes, so a burst costs at
   * most two drains per window and a lone change waits for nothing. The outbox row was committed
   * with the change, so a failure here only costs latency (the worker's periodic drain finds the
   * row): never throws; null when nothing could be enqueued.
   */
  async wakeRecalculationDrain(tenantId: string): Promise<DrainWake | null> {
    // Under load most changes fall in a window whose trailing run is already enqueued: that run
    // starts after the window closes, so after this change committed. Nothing to send to Redis.
    const known = this.knownTrailing.get(tenantId);
    if (known && Date.now() < known.until) return { ...known.wake, enqueue: false };
    if (known) this.knownTrailing.delete(tenantId);
    const windowKey = `${this.config.QUEUE_PREFIX}:recalc-drain-window:${tenantId}`;
    let slot: DrainSlot | undefined;
    try {
      if (!this.available) throw new QueueUnavailableError();
      const asked = Date.now();
      slot = await claimDrainSlot(this.connection, windowKey, this.config.RECALC_DRAIN_WINDOW_MS);
      // The window's job ids collapse repeats: the trailing run is one job however many join it.
      const jobId = jobIds.drain(tenantId, slot.edge, slot.window);
      if (slot.enqueue) await this.add('recalculate-drain', { tenantId }, { jobId, delay: slot.delayMs });
      const wake = { ...slot, jobId };
      // `asked + delayMs` is no later than the window's end (Redis measured what was left after
      // we asked), and the trailing job is due no earlier than that end.
      if (slot.edge === 'trailing') this.knownTrailing.set(tenantId, { until: asked + slot.delayMs, wake });
      return wake;
    } catch {
      // This caller took the window's trailing run but could not enqueue it: let the next change
      // of the window try again rather than count on a job that does not exist.
      if (slot?.edge === 'trailing' && slot.enqueue)
        await this.connection.del(trailingKeyOf(windowKey)).catch(() => undefined);
      return null;
    }
  }

  /** A full recalculation; `reason` makes the job id (repeats collapse). Null when Redis is down. */
  async requestFullRecalculation(tenantId: string, reason: string): Promise<string | null> {
    try {
      return await this.add(
        'recalculate',
        { tenantId, scope: 'full' },
        { jobId: jobIds.fullRecalculation(tenantId, reason) },
      );
    } catch {
      return null;
    }
  }

  enqueueImport(tenantId: string, importId: string): Promise<string> {
    return this.add('import', { tenantId, importId }, { jobId: jobIds.import(importId) });
  }

  enqueueBacktest(tenantId: string, runId: string): Promise<string> {
    return this.add('backtest', { tenantId, runId }, { jobId: jobIds.backtest(runId) });
  }

  /**
   * One job per delivery, the delivery's id as job id, so enqueues from the API, the engine and
   * the sweeper collapse. Never throws: deliveries left pending are re-sent by the sweeper.
   */
  async enqueueWebhookDeliveries(tenantId: string, deliveryIds: readonly string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    try {
      if (!this.available) throw new QueueUnavailableError();
      await this.queue(JOB_QUEUES['webhook-delivery']).addBulk(
        deliveryIds.map((deliveryId) => ({
          name: 'webhook-delivery',
          data: withRequestMeta({ tenantId, deliveryId }),
          opts: { ...JOB_OPTIONS['webhook-delivery'], jobId: jobIds.delivery(deliveryId) },
        })),
      );
    } catch (err) {
      this.onError(err as Error);
    }
  }

  /** A delivery waiting out a retry delay runs now (a redelivery click). */
  async runDeliveryNow(deliveryId: string): Promise<void> {
    try {
      if (!this.available) return;
      const job = await this.queue(JOB_QUEUES['webhook-delivery']).getJob(jobIds.delivery(deliveryId));
      if (job && (await job.isDelayed())) await job.promote();
    } catch {
      // The enqueue that follows (or the sweeper) sends it.
    }
  }

  /** The organisation's webhook sweeper (re-sends deliveries whose job was lost); idempotent. */
  async scheduleWebhookSweep(tenantId: string, everyMs: number): Promise<void> {
    if (!this.available) throw new QueueUnavailableError();
    await this.queue(JOB_QUEUES['webhook-sweep']).upsertJobScheduler(
      schedulerIds.webhookSweep(tenantId),
      { every: everyMs },
      { name: 'webhook-sweep', data: { tenantId }, opts: JOB_OPTIONS['webhook-sweep'] },
    );
  }

  /** Closes the queues; bounded, since a queue closed while its connection reconnects can hang. */
  async close(): Promise<void> {
    const closing = Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    await Promise.race([closing, new Promise((r) => setTimeout(r, 3000).unref())]);
    this.queues.clear();
    if (!this.ownsConnection) return;
    if (this.connection.status === 'ready') await this.connection.quit().catch(() => undefined);
    else this.connection.disconnect();
  }
}
