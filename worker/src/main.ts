import { loadConfig } from '@medstock/config';
import { startTracing } from '@medstock/contracts/observability/tracing.ts';

const config = loadConfig();
// Tracing starts before the worker's modules are imported, so the pg instrumentation patches them.
const tracing = await startTracing({
  endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  serviceName: 'medstock-worker',
});
const { JOB_REGISTRY } = await import('./jobs/job-registry.ts');
const { createLogger, errorFields } = await import('./logger.ts');
const { queueConcurrency } = await import('./queues.ts');
const { startWorker } = await import('./worker.ts');
const log = createLogger(config.LOG_LEVEL);

// A stray rejection (a dependency failing in a fire-and-forget path) is logged, not fatal: the
// work it belonged to is retried by its queue or timer. A thrown exception leaves the process in
// an unknown state: log it and exit, and the supervisor (npm start, systemd, Kubernetes) restarts.
process.on('unhandledRejection', (reason) => log.error(errorFields(reason), 'unhandled rejection'));
process.on('uncaughtException', (err) => {
  log.fatal(errorFields(err), 'uncaught exception; exiting');
  process.exit(1);
});

const running = await startWorker(config, { log });
log.info(
  { jobs: Object.keys(JOB_REGISTRY), concurrency: queueConcurrency(config), prefix: config.QUEUE_PREFIX },
  'medstock worker started',
);

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'medstock worker stopping');
  // Closing waits for the active jobs to finish; they are idempotent if we are killed instead.
  await running.close();
  await tracing?.shutdown();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
