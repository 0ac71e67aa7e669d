import { loadConfig } from '@medstock/config';
import { buildApp } from './app.ts';
import { createDeps } from './create-deps.ts';

/** Listens and shuts down gracefully; everything else is in app.ts. */
const config = loadConfig();
const deps = await createDeps(config);
const app = await buildApp(deps);

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down: finishing in-flight requests');
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await app.close();
  await deps.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

await app.listen({ host: config.HOST, port: config.PORT });
