import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { type TypeBoxTypeProvider, TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import { parseTrustProxy } from '@medstock/config';
import Fastify, { type FastifyInstance, type FastifySchemaValidationError } from 'fastify';
import type { AppDeps } from './deps.ts';
import { logSafeError } from './lib/log-safe-error.ts';
import { nulCharacterIssues, nulCharacterPaths } from './lib/nul-characters.ts';
import { documentOperation } from './lib/openapi-operation.ts';
import { ProblemError } from './lib/problem.ts';
import { auditPlugin } from './plugins/audit.plugin.ts';
import { apiKeyPrefixOf, authPlugin } from './plugins/auth.plugin.ts';
import { credentialResponsesPlugin } from './plugins/credential-responses.plugin.ts';
import { errorsPlugin, frameworkErrorHandler } from './plugins/errors.plugin.ts';
import { idempotencyPlugin } from './plugins/idempotency.plugin.ts';
import { observabilityPlugin } from './plugins/observability.plugin.ts';
import { redisStoreWithLocalFallback } from './plugins/rate-limit-store.ts';
import { webPlugin } from './plugins/web.plugin.ts';
import { registerRoutes } from './routes/index.ts';

export type App = FastifyInstance;

export const API_VERSION = '0.1.0';

/** The whole API as one Fastify instance; server.ts only listens, tests call app.inject. */
export async function buildApp(
  deps: AppDeps,
  // logStream: where log lines go instead of stdout (tests read what the log would carry).
  opts: { logger?: boolean; logStream?: { write(line: string): void } } = {},
) {
  const { config } = deps;
  const app = Fastify({
    logger:
      opts.logger === false && !opts.logStream
        ? false
        : {
            level: config.LOG_LEVEL,
            serializers: { err: logSafeError },
            ...(opts.logStream ? { stream: opts.logStream } : {}),
            redact: [
              'req.headers.authorization',
              'req.headers["x-api-key"]',
              'req.headers.cookie',
              'res.headers["set-cookie"]',
            ],
          },
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w\-.]{1,64}$/.test(given) ? given : crypto.randomUUID();
    },
    requestIdHeader: false,
    // Off unless TRUST_PROXY names the proxies in front: else any client could pick its own address.
    trustProxy: parseTrustProxy(config.TRUST_PROXY),
    routerOptions: { maxParamLength: 200 },
    // Over-long path segments (414) and malformed URLs (400) answer problem details too.
    frameworkErrors: frameworkErrorHandler,
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // TypeBox validates: bodies strictly (no coercion, unknown fields refused by each schema),
  // params and query strings with string-to-number conversion.
  // A POST without a body is validated as an empty object, so the client is told which fields
  // are required rather than "must be object". Every part is also searched for NUL characters,
  // which no PostgreSQL text can hold, so no schema has to remember them.
  app.setValidatorCompiler((route) => {
    const check = TypeBoxValidatorCompiler(route);
    return (value: unknown) => {
      const result = check(route.httpPart === 'body' ? (value ?? {}) : value);
      const nul = nulCharacterPaths(value);
      if (!nul.length) return result;
      const earlier = (result as { error?: FastifySchemaValidationError[] }).error ?? [];
      return { error: [...earlier, ...nulCharacterIssues(nul)] as FastifySchemaValidationError[] };
    };
  });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    return payload;
  });

  await app.register(errorsPlugin);
  await app.register(observabilityPlugin, deps);
  await app.register(helmet, { global: true });
  const origins = config.CORS_ORIGINS.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  await app.register(cors, { origin: origins.length ? origins : false, credentials: true });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: true,
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: '1 minute',
    // Counted in Redis; while Redis is unreachable, in this process (never waiting, never 500).
    store: redisStoreWithLocalFallback(deps.redis, `${config.QUEUE_PREFIX}:rl:`),
    enableDraftSpec: true,
    // Integrations are limited per API key, everyone else per client address.
    keyGenerator: (request) => {
      const prefix =
        apiKeyPrefixOf(
          (request.headers['x-api-key'] as string | undefined) && `Bearer ${request.headers['x-api-key']}`,
        ) ?? apiKeyPrefixOf(request.headers.authorization);
      return prefix ? `key:${prefix}` : `ip:${request.ip}`;
    },
    allowList: (request) => request.url === '/healthz' || request.url === '/readyz',
    errorResponseBuilder: (_request, context) =>
      new ProblemError(
        429,
        'rate_limited',
        'Too many requests',
        `Rate limit of ${context.max} requests per ${context.after} exceeded.`,
        undefined,
        { params: { max: context.max, seconds: Math.max(1, Math.ceil(context.ttl / 1000)) } },
      ),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'medstock API',
        version: API_VERSION,
        // The repository carries no open-source licence: all rights reserved.
        license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
        description:
          'Early warning for medical consumables. Authenticate with `Authorization: Bearer <access token>` (from /v1/auth/login) or an API key (`Authorization: Bearer msk_...` or `X-API-Key`). Errors are RFC 9457 problem details with a stable `code` and the `params` their words are filled from; `title`, `detail` and field messages are in the language of `Accept-Language` (zh, zh-Hans, zh-CN → 简体中文; otherwise, and when the header is absent, English), named in `Content-Language`. Authenticated POSTs accept an `Idempotency-Key` header, scoped to the user or API key (ignored on /v1/auth/* and on anonymous calls); a retry of a response that carried a credential answers `409 idempotent_secret_not_replayed`, one whose first attempt was applied but its answer lost in a crash `409 idempotency_applied_response_lost`.',
      },
      // Relative: on-premises, hybrid and SaaS deployments each serve the API on their own host.
      servers: [{ url: '/', description: 'The deployment that serves this document' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT or msk_ API key' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (json.$id as string) ?? `def-${i}` },
    // Documents Accept-Language on every operation (the doc only: any value is accepted).
    // operationId, security and Accept-Language for every operation (lib/openapi-operation.ts).
    transform: documentOperation,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  // Where the README (and integrators' tooling) looks for the document; /docs/json stays for the UI.
  app.get('/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, async () =>
    app.swagger(),
  );
  await app.register(authPlugin, deps);
  await app.register(credentialResponsesPlugin);
  await app.register(idempotencyPlugin, deps);
  await app.register(auditPlugin, deps);
  await app.register(registerRoutes, deps);
  await app.register(webPlugin, deps);
  return app;
}
