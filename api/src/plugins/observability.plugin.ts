import { FastifyOtelInstrumentation } from '@fastify/otel';
import {
  createMetricsRegistry,
  metricsScrapeAllowed,
  registerPoolMetrics,
  tracingStarted,
  withRequestId,
} from '@medstock/contracts';
import { cellsOf } from '@medstock/db';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Histogram } from 'prom-client';
import type { AppDeps } from '../deps.ts';
import { ProblemError } from '../lib/problem.ts';

/** Seconds; from a cached read to a large export. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * What the API tells about itself: every request's latency by method, route template (never the
 * raw URL: ids would make a series per record, and a tenant's ids would show in the metrics) and
 * status, the pool, Node's process metrics; the request id handed to the jobs a request enqueues;
 * and, when tracing is on, the request span that the job spans continue.
 */
export const observabilityPlugin = fp(async (app: FastifyInstance, deps: AppDeps) => {
  if (tracingStarted()) await app.register(new FastifyOtelInstrumentation().plugin());
  app.addHook('onRequest', (request, _reply, done) => withRequestId(request.id, done));

  const registry = createMetricsRegistry();
  registerPoolMetrics(registry, () => cellsOf(deps.database.db).pools());
  const latency = new Histogram({
    name: 'medstock_http_request_duration_seconds',
    help: 'API request latency by method, route template and status (its _count is the request rate)',
    labelNames: ['method', 'route', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    latency.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  // The API's port faces the clients: without METRICS_TOKEN there is no /metrics here at all.
  const token = deps.config.METRICS_TOKEN;
  if (!token) return;
  app.get(
    '/metrics',
    { schema: { hide: true }, config: { access: 'public', rateLimit: false } },
    async (request, reply) => {
      if (!metricsScrapeAllowed(token, request.headers.authorization))
        throw new ProblemError(401, 'metrics_unauthorized', 'Metrics token required');
      reply.type(registry.contentType);
      return registry.metrics();
    },
  );
});
