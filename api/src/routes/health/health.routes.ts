import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';

const Health = Type.Object({
  status: Type.String(),
  checks: Type.Optional(Type.Record(Type.String(), Type.String())),
});

// The probes take no parameters and refuse unknown ones (400, as routes with a query schema do), so a
// misconfigured probe URL shows up instead of silently passing.
const NoParameters = Type.Object({}, { additionalProperties: false });

const READY_PROBE_MS = 2_000;

async function probe(check: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), READY_PROBE_MS);
  });
  try {
    await Promise.race([check(), timedOut]);
    return 'ok';
  } catch (e) {
    return `error: ${(e as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

export async function healthRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/healthz',
    {
      config: { access: 'public', rateLimit: false },
      schema: {
        operationId: 'getLiveness',
        tags: ['health'],
        summary: 'Liveness: the process is up',
        querystring: NoParameters,
        response: { 200: Health, 400: Type.Ref('Problem') },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { access: 'public', rateLimit: false },
      schema: {
        operationId: 'getReadiness',
        tags: ['health'],
        summary: 'Readiness: PostgreSQL and Redis are reachable',
        querystring: NoParameters,
        response: { 200: Health, 400: Type.Ref('Problem'), 503: Health },
      },
    },
    async (_request, reply) => {
      // Each probe answers within READY_PROBE_MS: a hung dependency reports as down, never hangs
      // the probe. The API's Redis connection fails fast, so a stopped Redis reports at once.
      const [postgres, redis] = await Promise.all([
        probe(() => deps.database.pool.query('select 1')),
        probe(() => deps.redis.ping()),
      ]);
      const checks: Record<string, string> = { postgres, redis };
      const ok = Object.values(checks).every((v) => v === 'ok');
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
    },
  );

  app.get(
    '/v1/ping',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['health'],
        summary: 'Authenticated no-op: checks a credential and does nothing else',
        response: { 200: Type.Object({ ok: Type.Boolean() }), ...problemResponses },
      },
    },
    async () => ({ ok: true }),
  );
}
