import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BullMQOtel } from 'bullmq-otel';

/**
 * OpenTelemetry traces from an API request through the queue into the job that it caused:
 * @fastify/otel makes the request span (the API registers it when tracing is on), bullmq-otel
 * carries the span context in the job's options and starts the worker's job span under it, and
 * the pg instrumentation adds the queries. Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: then
 * not even the SDK is loaded, and queues and workers get no telemetry object.
 */
export interface Tracing {
  /** Flushes the spans still buffered and stops exporting. */
  shutdown(): Promise<void>;
}

let queueTelemetryInstance: BullMQOtel | undefined;

/** The telemetry of every BullMQ queue and worker: undefined while tracing is off. */
export function queueTelemetry(): BullMQOtel | undefined {
  return queueTelemetryInstance;
}

export function tracingStarted(): boolean {
  return queueTelemetryInstance !== undefined;
}

export interface StartTracingOptions {
  /** OTLP/HTTP base URL of the collector (OTEL_EXPORTER_OTLP_ENDPOINT); empty: no tracing. */
  endpoint: string;
  /** `service.name` of the spans (OTEL_SERVICE_NAME overrides it). */
  serviceName: string;
  /** Tests: export here (synchronously) instead of over OTLP. */
  exporter?: SpanExporter;
  /**
   * Patch modules loaded after this call (pg) for query spans. Needs the ESM loader hook, so it
   * must run before the app's modules are imported: server.ts and main.ts start tracing first.
   */
  instrumentModules?: boolean;
}

/** Starts tracing once per process; null when it is off. */
export async function startTracing(opts: StartTracingOptions): Promise<Tracing | null> {
  if (!opts.endpoint && !opts.exporter) return null;
  if (opts.instrumentModules ?? true) {
    const { register } = await import('node:module');
    register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  }
  const [{ NodeTracerProvider }, base, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all(
    [
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ],
  );
  const processor = opts.exporter
    ? new base.SimpleSpanProcessor(opts.exporter)
    : new base.BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${opts.endpoint.replace(/\/+$/, '')}/v1/traces` }),
      );
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME || opts.serviceName }),
    spanProcessors: [processor],
  });
  // The global provider, W3C trace-context propagation and the AsyncLocalStorage context manager.
  provider.register();
  if (opts.instrumentModules ?? true) {
    const [{ registerInstrumentations }, { PgInstrumentation }] = await Promise.all([
      import('@opentelemetry/instrumentation'),
      import('@opentelemetry/instrumentation-pg'),
    ]);
    registerInstrumentations({ tracerProvider: provider, instrumentations: [new PgInstrumentation()] });
  }
  queueTelemetryInstance = new BullMQOtel({ tracerName: 'medstock' });
  return {
    shutdown: async () => {
      queueTelemetryInstance = undefined;
      await provider.shutdown();
    },
  };
}
