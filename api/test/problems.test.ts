import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let owner: SignedUp;
beforeAll(async () => {
  t = await startTestApp({ BODY_LIMIT_BYTES: '4096' });
  owner = await signUp(t);
});
afterAll(async () => t?.close());

function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json(): any },
  status: number,
  code: string,
) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  const body = res.json();
  expect(body).toMatchObject({
    status,
    code,
    type: expect.stringContaining(code),
    title: expect.any(String),
  });
  expect(body.requestId).toBe(res.headers['x-request-id']);
  return body;
}

describe('problem details for bad input (never a 500)', () => {
  it('malformed JSON', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: { ...owner.headers, 'content-type': 'application/json' },
      payload: '{"code": "A",',
    });
    expectProblem(res, 400, 'malformed_json');
  });

  it('wrong types and missing fields, with per-field errors', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: owner.headers,
      payload: { code: 12, name: true },
    });
    const body = expectProblem(res, 400, 'validation_failed');
    const fields = body.errors.map((e: { field: string }) => e.field);
    expect(fields).toContain('body:/code');
    expect(fields).toContain('body:/name');
    const missing = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: owner.headers,
      payload: {},
    });
    expect(expectProblem(missing, 400, 'validation_failed').errors.length).toBeGreaterThan(0);
  });

  it('unknown fields are refused, not silently dropped', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: owner.headers,
      payload: { code: 'U', name: 'u', colour: 'red' },
    });
    const body = expectProblem(res, 400, 'validation_failed');
    expect(body.errors).toContainEqual(expect.objectContaining({ message: 'unknown field' }));
  });

  it('oversized bodies', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: owner.headers,
      payload: { code: 'BIG', name: 'x'.repeat(10_000) },
    });
    expectProblem(res, 413, 'body_too_large');
  });

  it('bad ids, bad query values and bad cursors', async () => {
    expectProblem(
      await t.app.inject({ method: 'GET', url: '/v1/sites/not-a-uuid', headers: owner.headers }),
      400,
      'validation_failed',
    );
    expectProblem(
      await t.app.inject({ method: 'GET', url: '/v1/sites?limit=abc', headers: owner.headers }),
      400,
      'validation_failed',
    );
    expectProblem(
      await t.app.inject({ method: 'GET', url: '/v1/sites?limit=100000', headers: owner.headers }),
      400,
      'validation_failed',
    );
    expectProblem(
      await t.app.inject({ method: 'GET', url: '/v1/sites?cursor=zzz', headers: owner.headers }),
      400,
      'invalid_cursor',
    );
    expectProblem(
      await t.app.inject({
        method: 'GET',
        url: '/v1/sites/00000000-0000-4000-8000-000000000000',
        headers: owner.headers,
      }),
      404,
      'not_found',
    );
  });

  it('unsupported media type, unknown route, missing credentials', async () => {
    expectProblem(
      await t.app.inject({
        method: 'POST',
        url: '/v1/sites',
        headers: { ...owner.headers, 'content-type': 'application/xml' },
        payload: '<a/>',
      }),
      415,
      'unsupported_media_type',
    );
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/nothing-here' }), 404, 'route_not_found');
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/sites' }), 401, 'unauthorized');
  });

  it('a unique-key conflict is a 409, not a 500, and writes nothing', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: owner.headers,
      payload: { code: 'DUP', name: 'one' },
    });
    const dup = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: owner.headers,
      payload: { code: 'DUP', name: 'two' },
    });
    expectProblem(dup, 409, 'conflict');
    const list = (await t.app.inject({ method: 'GET', url: '/v1/sites', headers: owner.headers })).json()
      .items;
    expect(list.filter((s: { code: string }) => s.code === 'DUP')).toHaveLength(1);
  });
});

describe('input PostgreSQL cannot store, and URLs Fastify cannot route', () => {
  it('a NUL character in any string is a field error, in bodies and query strings', async () => {
    const body = expectProblem(
      await t.app.inject({
        method: 'POST',
        url: '/v1/sites',
        headers: owner.headers,
        payload: { code: 'NUL1', name: 'ward\u0000one' },
      }),
      400,
      'validation_failed',
    );
    expect(body.errors).toContainEqual({
      field: 'body:/name',
      message: 'must not contain NUL (U+0000) characters',
      code: 'nul_character',
      label: 'name',
    });
    const site = (await t.app.inject({ method: 'GET', url: '/v1/sites', headers: owner.headers })).json()
      .items[0];
    const patch = expectProblem(
      await t.app.inject({
        method: 'PATCH',
        url: `/v1/sites/${site.id}`,
        headers: owner.headers,
        payload: { address: '\u0000' },
      }),
      400,
      'validation_failed',
    );
    expect(patch.errors.map((e: { field: string }) => e.field)).toEqual(['body:/address']);
    const query = expectProblem(
      await t.app.inject({ method: 'GET', url: '/v1/items?q=gauze%00', headers: owner.headers }),
      400,
      'validation_failed',
    );
    expect(query.errors.map((e: { field: string }) => e.field)).toEqual(['querystring:/q']);
  });

  it('an over-long path segment is a 414 problem, a malformed escape a 400 problem', async () => {
    const long = await t.app.inject({
      method: 'GET',
      url: `/v1/sites/${'a'.repeat(300)}`,
      headers: owner.headers,
    });
    expectProblem(long, 414, 'uri_too_long');
    const bad = await t.app.inject({ method: 'GET', url: '/v1/sites/%zz', headers: owner.headers });
    expectProblem(bad, 400, 'bad_url');
  });
});

describe('HTTP conventions', () => {
  it('serves the OpenAPI document at /openapi.json (where the README says), publicly', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['content-type'])).toContain('application/json');
    expect(res.json()).toEqual(t.app.swagger());
    expect(res.json().paths['/v1/sites']).toBeDefined();
    expect((await t.app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
  });

  it('sets security headers and echoes a request id', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'trace-123' },
    });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-request-id']).toBe('trace-123');
  });

  it('readyz checks Postgres and Redis', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('the probes refuse unknown parameters with the 400 problem the document declares', async () => {
    for (const url of ['/healthz?verbose=1', '/readyz?check=postgres']) {
      expectProblem(await t.app.inject({ method: 'GET', url }), 400, 'validation_failed');
    }
  });

  it('writes an audit entry for every mutating request, with who and the request id', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: { ...owner.headers, 'x-request-id': 'audit-me-1' },
      payload: { code: 'AUD', name: 'audited' },
    });
    expect(res.statusCode).toBe(201);
    const denied = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: { ...owner.headers, 'x-request-id': 'audit-me-2' },
      payload: {},
    });
    expect(denied.statusCode).toBe(400);
    await new Promise((r) => setTimeout(r, 50));
    const log = (await t.app.inject({ method: 'GET', url: '/v1/audit-log', headers: owner.headers })).json()
      .items;
    const entry = log.find((e: { requestId: string }) => e.requestId === 'audit-me-1');
    expect(entry).toMatchObject({
      actorType: 'user',
      actorId: owner.userId,
      action: 'POST /v1/sites',
      statusCode: 201,
    });
    expect(log.find((e: { requestId: string }) => e.requestId === 'audit-me-2')).toMatchObject({
      statusCode: 400,
    });
    expect(log.find((e: { action: string }) => e.action === 'POST /v1/auth/signup/confirm')).toBeDefined();
  });

  it('paginates with cursors without gaps or repeats', async () => {
    for (let i = 0; i < 7; i++) {
      await t.app.inject({
        method: 'POST',
        url: '/v1/sites',
        headers: owner.headers,
        payload: { code: `PG${i}`, name: `p${i}` },
      });
    }
    const all = (await t.app.inject({ method: 'GET', url: '/v1/sites?limit=500', headers: owner.headers }))
      .json()
      .items.map((s: { id: string }) => s.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = (
        await t.app.inject({
          method: 'GET',
          url: `/v1/sites?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
          headers: owner.headers,
        })
      ).json();
      seen.push(...res.items.map((s: { id: string }) => s.id));
      cursor = res.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });
});

describe('rate limits', () => {
  it('limits per client with standard headers and a 429 problem', async () => {
    const limited = await (await import('./support/test-app.ts')).startTestApp({
      RATE_LIMIT_PER_MINUTE: '3',
    });
    try {
      const results = [];
      for (let i = 0; i < 4; i++)
        results.push(await limited.app.inject({ method: 'GET', url: '/v1/organization' }));
      expect(results[0]!.headers['ratelimit-limit']).toBe('3');
      expect(results[2]!.headers['ratelimit-remaining']).toBe('0');
      expect(results[3]!.statusCode).toBe(429);
      expect(results[3]!.json().code).toBe('rate_limited');
      expect(results[3]!.headers['retry-after']).toBeDefined();
    } finally {
      await limited.close();
    }
  });
});
