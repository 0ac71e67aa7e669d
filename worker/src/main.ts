import { loadConfig } from '@medstock/config';
import { JOB_REGISTRY } from './jobs/job-registry.ts';
import { startWorker } from './worker.ts';

const config = loadConfig();
const running = await startWorker(config);
console.log(
  `medstock worker: jobs ${Object.keys(JOB_REGISTRY).join(', ')}; queue prefix ${config.QUEUE_PREFIX}`,
);

let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  // worker.close() waits for the active jobs to finish; they are idempotent if we are killed.
  await running.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
