import type { AppConfig } from '@medstock/config';
import type { QueueName } from '@medstock/contracts';

/** Jobs in flight per queue, from the configuration: each kind of work has slots of its own. */
export function queueConcurrency(config: AppConfig): Record<QueueName, number> {
  return {
    recalculate: config.RECALC_CONCURRENCY,
    'recalculate-drain': config.RECALC_DRAIN_CONCURRENCY,
    import: config.IMPORT_CONCURRENCY,
    backtest: config.BACKTEST_CONCURRENCY,
    'webhook-delivery': config.WEBHOOK_CONCURRENCY,
    notify: config.NOTIFY_CONCURRENCY,
    housekeeping: config.HOUSEKEEPING_CONCURRENCY,
  };
}
