import { loadConfig } from '@medstock/config';
import { JOB_REGISTRY } from './jobs/job-registry.ts';
import { createLogger, errorFields } from './logger.ts';
import { queueConcurrency } from './queues.ts';
import { startWorker } from './worker.ts';

const config = loadConfig();
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
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
