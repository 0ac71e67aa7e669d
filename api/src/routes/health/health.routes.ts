import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';

const Health = Type.Object({
  status: Type.String(),
  checks: Type.Optional(Type.Record(Type.String(), Type.String())),
});

export async function healthRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/healthz',
    {
      config: { access: 'public', rateLimit: false },
      schema: { tags: ['health'], summary: 'Liveness: the process is up', response: { 200: Health } },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { access: 'public', rateLimit: false },
      schema: {
        tags: ['health'],
        summary: 'Readiness: PostgreSQL and Redis are reachable',
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, string> = {};
      const timeout = <T>(p: Promise<T>) =>
        Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), 2000))]);
      await Promise.all([
        timeout(deps.database.pool.query('select 1')).then(
          () => (checks.postgres = 'ok'),
          (e: Error) => (checks.postgres = `error: ${e.message}`),
        ),
        timeout(deps.redis.ping()).then(
          () => (checks.redis = 'ok'),
          (e: Error) => (checks.redis = `error: ${e.message}`),
        ),
      ]);
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
        security: [{ bearer: [] }],
        response: { 200: Type.Object({ ok: Type.Boolean() }), ...problemResponses },
      },
    },
    async () => ({ ok: true }),
  );
}
