import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AppDeps } from '../deps.ts';
import { ProblemError } from '../lib/problem.ts';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { scope: string; key: string } | null;
  }
}

const KEY = /^[A-Za-z0-9_\-:.]{1,255}$/;

function scopeOf(request: FastifyRequest): string {
  const a = request.auth;
  if (a?.apiKeyId) return `key:${a.apiKeyId}`;
  if (a?.userId) return `user:${a.organizationId}:${a.userId}`;
  return `anon:${request.ip}`;
}

function bodyHash(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');
}

const REPLAYED_HEADERS = ['content-type', 'location'];

/**
 * Idempotency-Key on POST: the first request claims the key (a row in control.idempotency_keys)
 * before it runs; a retry with the same key and body gets the stored response and writes
 * nothing; the same key with another body is refused; a retry while the first is still running
 * gets 409. A 5xx releases the key so the client may retry.
 */
export const idempotencyPlugin = fp(async (app: FastifyInstance, deps: AppDeps) => {
  const pool = deps.database.pool;
  app.decorateRequest('idempotency', null);

  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    const key = request.headers['idempotency-key'];
    if (key === undefined) return;
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw new ProblemError(
        400,
        'invalid_idempotency_key',
        'Bad request',
        'Idempotency-Key must be 1-255 URL-safe characters.',
        [{ field: 'header:/idempotency-key', message: 'invalid format' }],
      );
    }
    const scope = scopeOf(request);
    const hash = bodyHash(request);
    const claimed = await pool.query(
      `insert into control.idempotency_keys (scope, key, method, path, body_hash)
       values ($1, $2, $3, $4, $5) on conflict do nothing`,
      [scope, key, request.method, request.url, hash],
    );
    if (claimed.rowCount === 1) {
      request.idempotency = { scope, key };
      return;
    }
    const { rows } = await pool.query<{
      body_hash: string;
      state: string;
      status_code: number;
      response_headers: Record<string, string> | null;
      response_body: string;
    }>(
      'select body_hash, state, status_code, response_headers, response_body from control.idempotency_keys where scope = $1 and key = $2',
      [scope, key],
    );
    const prior = rows[0];
    if (!prior) throw new ProblemError(409, 'idempotency_in_progress', 'Conflict', 'Retry the request.');
    if (prior.body_hash !== hash) {
      throw new ProblemError(
        422,
        'idempotency_key_reused',
        'Unprocessable content',
        'This Idempotency-Key was already used with a different request; use a new key.',
      );
    }
    if (prior.state !== 'done') {
      reply.header('retry-after', '1');
      throw new ProblemError(
        409,
        'idempotency_in_progress',
        'Conflict',
        'A request with this Idempotency-Key is still running.',
      );
    }
    for (const [h, v] of Object.entries(prior.response_headers ?? {})) reply.header(h, v);
    reply.header('idempotent-replayed', 'true');
    return reply.status(prior.status_code).send(prior.response_body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const idem = request.idempotency;
    if (!idem) return payload;
    request.idempotency = null;
    if (reply.statusCode >= 500) {
      await pool.query('delete from control.idempotency_keys where scope = $1 and key = $2', [
        idem.scope,
        idem.key,
      ]);
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const h of REPLAYED_HEADERS) {
      const v = reply.getHeader(h);
      if (v !== undefined) headers[h] = String(v);
    }
    await pool.query(
      `update control.idempotency_keys set state = 'done', status_code = $3, response_headers = $4, response_body = $5
        where scope = $1 and key = $2`,
      [
        idem.scope,
        idem.key,
        reply.statusCode,
        headers,
        typeof payload === 'string' ? payload : String(payload ?? ''),
      ],
    );
    return payload;
  });
});
