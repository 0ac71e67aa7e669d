import { randomBytes } from 'node:crypto';
import { startTracing, type Tracing } from '@medstock/contracts/observability/tracing.ts';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignedUp, signUp, startTestApp, type TestApp } from '../../api/test/support/test-app.ts';
import { type RunningWorker, startWorker } from '../src/index.ts';

/**
 * Traces from a request through the queue into the job, with the real API and worker and an
 * in-memory exporter in place of OTLP: the trace id a client sends (W3C traceparent) is the trace
 * id of the API's request span, of the enqueue, and of the worker's span of the job it caused.
 */
const exporter = new InMemorySpanExporter();
let tracing: Tracing | null;
let t: TestApp;
let running: RunningWorker;
let org: SignedUp;

beforeAll(async () => {
  // Before the app and worker exist: both pick tracing up when they are built.
  tracing = await startTracing({
    endpoint: '',
    serviceName: 'medstock-test',
    exporter,
    instrumentModules: false,
  });
  t = await startTestApp();
  org = await signUp(t);
  running = await startWorker(t.config);
});
afterAll(async () => {
  await running?.close();
  await t?.close();
  await tracing?.shutdown();
});

describe('tracing', () => {
  it('is off without an endpoint: no SDK, no queue telemetry', async () => {
    expect(await startTracing({ endpoint: '', serviceName: 'off' })).toBeNull();
  });

  it("a request's trace id reaches the span of the job it enqueued", async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentSpanId = randomBytes(8).toString('hex');
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/engine/recalculate',
      headers: { ...org.headers, traceparent: `00-${traceId}-${parentSpanId}-01` },
      payload: {},
    });
    expect(res.statusCode).toBe(202);
    const { jobId } = res.json();

    const isJobSpan = (s: ReadableSpan) =>
      s.kind === SpanKind.CONSUMER && s.attributes['bullmq.job.id'] === jobId;
    const deadline = Date.now() + 30_000;
    while (!exporter.getFinishedSpans().some(isJobSpan) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));

    const spans = exporter.getFinishedSpans();
    const job = spans.find(isJobSpan);
    expect(job?.attributes['bullmq.job.name']).toBe('recalculate');
    expect(job?.spanContext().traceId).toBe(traceId);
    const request = spans.find((s) => s.attributes['http.route'] === '/v1/engine/recalculate');
    expect(request?.spanContext().traceId).toBe(traceId);
    expect(request?.parentSpanContext?.spanId).toBe(parentSpanId);
    const enqueue = spans.find((s) => s.kind === SpanKind.PRODUCER && s.spanContext().traceId === traceId);
    expect(enqueue).toBeDefined();
  });
});
