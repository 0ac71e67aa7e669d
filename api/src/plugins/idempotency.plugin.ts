import { createHash } from 'node:crypto';
import {
  claimIdempotencyKey,
  type IdempotencyClaim,
  type IdempotencyDecision,
  runWithIdempotencyClaim,
  settleIdempotencyKey,
} from '@medstock/db';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AppDeps } from '../deps.ts';
import { carriesCredentials, isAuthRoute } from '../lib/credential-routes.ts';
import { ProblemError } from '../lib/problem.ts';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: IdempotencyClaim | null;
  }
}

const KEY = /^[A-Za-z0-9_\-:.]{1,255}$/;

/**
 * Keys belong to an authenticated principal: a user in an organisation, or an API key. Without
 * a principal there is no scope that an attacker could not share, so the header is ignored.
 */
function scopeOf(request: FastifyRequest): { scope: string; organizationId: string } | null {
  const a = request.auth;
  if (a?.apiKeyId) return { scope: `key:${a.apiKeyId}`, organizationId: a.organizationId };
  if (a?.userId) return { scope: `user:${a.organizationId}:${a.userId}`, organizationId: a.organizationId };
  return null;
}

/** An upload body's toJSON carries the SHA-256 of its bytes, so uploads compare by content too. */
function bodyHash(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');
}

const REPLAYED_HEADERS = ['content-type', 'location'];

function resourceIdOf(payload: unknown): string | null {
  if (typeof payload !== 'string') return null;
  try {
    const id = (JSON.parse(payload) as { id?: unknown }).id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

/** What a retry gets when it does not run: the stored response, or a problem saying why not. */
function answerRetry(
  reply: FastifyReply,
  decision: Exclude<IdempotencyDecision, { kind: 'claimed' }>,
  ttlSeconds: number,
) {
  switch (decision.kind) {
    case 'replay':
      for (const [h, v] of Object.entries(decision.headers)) reply.header(h, v);
      reply.header('idempotent-replayed', 'true');
      return reply.status(decision.statusCode).send(decision.body);
    case 'key_reused':
      throw new ProblemError(
        422,
        'idempotency_key_reused',
        'Unprocessable content',
        'This Idempotency-Key was already used with a different request; use a new key.',
      );
    case 'in_progress':
      reply.header('retry-after', String(Math.min(ttlSeconds, 5)));
      throw new ProblemError(
        409,
        'idempotency_in_progress',
        'Conflict',
        'A request with this Idempotency-Key is still running; retry shortly.',
      );
    case 'withheld':
      throw new ProblemError(
        409,
        'idempotent_secret_not_replayed',
        'Conflict',
        `The request with this Idempotency-Key was applied${decision.resourceId ? ` (resource ${decision.resourceId})` : ''}. Its response carried a credential, which is never stored or sent twice: look the resource up, and create or rotate a new credential if this one was lost.`,
        undefined,
        { resourceId: decision.resourceId },
      );
    case 'applied_response_lost':
      throw new ProblemError(
        409,
        'idempotency_applied_response_lost',
        'Conflict',
        `The request with this Idempotency-Key was applied${decision.committedAt ? ` at ${decision.committedAt}` : ''}, but its response was lost (the server stopped). It will not be applied again: read the resource to see the result.`,
        undefined,
        { committedAt: decision.committedAt || null },
      );
  }
}

/** Retries settling a record with a growing pause (1, 2, 4 … 32 s), never holding the process open. */
function settleLater(settle: () => Promise<void>, attempt = 0): void {
  if (attempt >= 6) return;
  setTimeout(
    () => {
      settle().catch(() => settleLater(settle, attempt + 1));
    },
    1000 * 2 ** attempt,
  ).unref();
}

/**
 * Idempotency-Key on POST for authenticated callers (never on /v1/auth/*). The first request
 * claims the key before it runs and holds the claim in the request's async context: every
 * transaction it opens marks the record committed together with its change, so a crash
 * can never leave "applied but retryable". A retry with the same key and body gets the stored
 * response (never one carrying a credential); the same key with another body is refused; a
 * retry while the first still runs gets 409, and after IDEMPOTENCY_IN_PROGRESS_TTL_SECONDS the
 * real outcome: run afresh if nothing committed, "applied, response lost" if it did.
 */
export const idempotencyPlugin = fp(async (app: FastifyInstance, deps: AppDeps) => {
  const pool = deps.database.pool;
  const ttlSeconds = deps.config.IDEMPOTENCY_IN_PROGRESS_TTL_SECONDS;
  app.decorateRequest('idempotency', null);

  async function decide(request: FastifyRequest, reply: FastifyReply): Promise<IdempotencyClaim | null> {
    if (request.method !== 'POST') return null;
    const key = request.headers['idempotency-key'];
    if (key === undefined) return null;
    if (isAuthRoute(request)) return null;
    const principal = scopeOf(request);
    if (!principal) return null;
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw new ProblemError(
        400,
        'invalid_idempotency_key',
        'Bad request',
        'Idempotency-Key must be 1-255 URL-safe characters.',
        [{ field: 'header:/idempotency-key', message: 'invalid format' }],
      );
    }
    const decision = await claimIdempotencyKey(pool, {
      ...principal,
      key,
      method: request.method,
      path: request.url,
      bodyHash: bodyHash(request),
      inProgressTtlSeconds: ttlSeconds,
    });
    if (decision.kind === 'claimed') return decision.claim;
    await answerRetry(reply, decision, ttlSeconds);
    return null;
  }

  // Callback style, so that the rest of the request (handler included) runs inside the claim's
  // async context: withTenantDb finds it there.
  app.addHook('preHandler', (request, reply, done) => {
    decide(request, reply).then((claim) => {
      if (reply.sent) return;
      if (!claim) return done();
      request.idempotency = claim;
      runWithIdempotencyClaim(claim, () => done());
    }, done);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = null;
    const headers: Record<string, string> = {};
    for (const h of REPLAYED_HEADERS) {
      const v = reply.getHeader(h);
      if (v !== undefined) headers[h] = String(v);
    }
    const success = reply.statusCode < 400;
    const settle = () =>
      settleIdempotencyKey(pool, claim, {
        statusCode: reply.statusCode,
        headers,
        body: typeof payload === 'string' ? payload : String(payload ?? ''),
        withhold: success && carriesCredentials(request),
        resourceId: success ? resourceIdOf(payload) : null,
      });
    // The answer must reach the client even when the database has just gone away (it is often the
    // very reason for a 503). The record is then settled in the background as soon as the
    // database is back; until then a retry sees it in progress, and after the TTL its real outcome.
    await settle().catch((err) => {
      request.log.warn({ code: (err as { code?: string }).code }, 'idempotency record not settled; retrying');
      settleLater(settle);
    });
    return payload;
  });
});
