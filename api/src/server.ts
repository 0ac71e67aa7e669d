import { loadConfig } from '@medstock/config';
import { startTracing } from '@medstock/contracts/observability/tracing.ts';

/** Listens and shuts down gracefully; everything else is in app.ts. */
const config = loadConfig();
// Tracing starts before the app's modules are imported, so the pg instrumentation patches them.
const tracing = await startTracing({
  endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  serviceName: 'medstock-api',
});
const { buildApp } = await import('./app.ts');
const { createDeps } = await import('./create-deps.ts');
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
  await tracing?.shutdown();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

await app.listen({ host: config.HOST, port: config.PORT });
