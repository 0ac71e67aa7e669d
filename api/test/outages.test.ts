import { isDatabaseUnavailable, isRetryableConflict } from '@medstock/db';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RestartableService,
  startOwnPostgres,
  startOwnRedis,
} from '../../infra/test/restartable-services.ts';
import { centralStore, insertItem } from './support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The API with a PostgreSQL or Redis of the test's own, stopped and started again while the API
 * keeps running (the shared servers of `npm test` are never touched).
 */

type Injected = Awaited<ReturnType<TestApp['app']['inject']>>;

/** Polls until the dependency is back in /readyz (after a restart clients reconnect by themselves). */
async function untilReady(t: TestApp) {
  for (let i = 0; i < 300; i++) {
    const r = await t.app.inject({ method: 'GET', url: '/readyz' });
    if (r.statusCode === 200) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('the API did not become ready again');
}

describe('Redis down', () => {
  const LIMIT = 40;
  let redis: RestartableService;
  let t: TestApp;
  let owner: SignedUp;
  let loc: string;
  let item: string;

  const get = (url: string, remoteAddress?: string) =>
    t.app.inject({ method: 'GET', url, headers: owner.headers, ...(remoteAddress ? { remoteAddress } : {}) });
  const move = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: { ...owner.headers, ...headers },
      payload,
    });

  beforeAll(async () => {
    redis = await startOwnRedis();
    t = await startTestApp({ REDIS_URL: redis.url, RATE_LIMIT_PER_MINUTE: String(LIMIT) });
    owner = await signUp(t);
    ({ locationId: loc } = await centralStore(t, owner.headers));
    item = await insertItem(t, owner.organizationId, { code: 'REDIS-1' });
    expect((await move({ type: 'receipt', itemId: item, locationId: loc, quantity: 100 })).statusCode).toBe(
      201,
    );
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  it('GETs and movement POSTs answer while Redis is stopped, limited by a local count; all is well after it returns', async () => {
    await redis.stop();
    // Requests must complete while Redis is still stopped. If they hang (waiting for Redis), the
    // guard brings Redis back after a while and the responses then arrive too late: each one
    // records whether Redis was still down when it came.
    let redisBack = false;
    const guard = setTimeout(() => {
      redisBack = true;
      void redis.start();
    }, 20_000);
    const whileDown = async (request: Promise<Injected>) => {
      const res = await request;
      return { res, redisWasDown: !redisBack };
    };
    const [stock, issue, receipt, ready, live] = await Promise.all([
      whileDown(get(`/v1/stock?itemId=${item}`)),
      // With an Idempotency-Key too: that record lives in PostgreSQL, not Redis.
      whileDown(
        move(
          { type: 'issue', itemId: item, locationId: loc, quantity: 3 },
          { 'idempotency-key': 'redis-down-1' },
        ),
      ),
      whileDown(move({ type: 'receipt', itemId: item, locationId: loc, quantity: 7, lotNumber: 'R2' })),
      whileDown(t.app.inject({ method: 'GET', url: '/readyz' })),
      whileDown(t.app.inject({ method: 'GET', url: '/healthz' })),
    ]);
    // The local limiter: another client address gets LIMIT requests, then 429.
    const flood: { res: Injected; redisWasDown: boolean }[] = [];
    for (let i = 0; i <= LIMIT; i++) flood.push(await whileDown(get('/v1/ping', '10.9.9.9')));
    clearTimeout(guard);

    expect([stock, issue, receipt, ready, live, ...flood].every((r) => r.redisWasDown)).toBe(true);
    expect(stock.res.statusCode).toBe(200);
    expect(stock.res.headers['ratelimit-limit']).toBe(String(LIMIT));
    expect(stock.res.headers['ratelimit-remaining']).toBeDefined();
    expect(issue.res.statusCode).toBe(201);
    expect(receipt.res.statusCode).toBe(201);
    expect(ready.res.statusCode).toBe(503);
    expect(ready.res.json().checks).toMatchObject({ postgres: 'ok', redis: expect.stringMatching(/^error/) });
    expect(live.res.statusCode).toBe(200);
    expect(flood.slice(0, LIMIT).map((r) => r.res.statusCode)).toEqual(Array(LIMIT).fill(200));
    expect(flood[LIMIT - 1]!.res.headers['ratelimit-remaining']).toBe('0');
    expect(flood[LIMIT]!.res.statusCode).toBe(429);
    expect(flood[LIMIT]!.res.json().code).toBe('rate_limited');

    // Redis returns: the API reconnects by itself and counts in Redis again.
    if (!redisBack) await redis.start();
    await untilReady(t);
    const after = await get(`/v1/stock?itemId=${item}`);
    expect(after.statusCode).toBe(200);
    expect(after.json().items.reduce((s: number, r: { onHand: number }) => s + r.onHand, 0)).toBe(104);
    expect((await move({ type: 'issue', itemId: item, locationId: loc, quantity: 1 })).statusCode).toBe(201);
    const probe = new Redis(redis.url);
    try {
      expect((await probe.keys(`${t.config.QUEUE_PREFIX}:rl:*`)).length).toBeGreaterThan(0);
    } finally {
      probe.disconnect();
    }
  });
});

describe('PostgreSQL down', () => {
  const POOL = 3;
  let postgres: RestartableService;
  let t: TestApp;
  let owner: SignedUp;
  let loc: string;
  let item: string;

  const get = () => t.app.inject({ method: 'GET', url: `/v1/stock?itemId=${item}`, headers: owner.headers });
  const issue = () =>
    t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: owner.headers,
      payload: { type: 'issue', itemId: item, locationId: loc, quantity: 1 },
    });

  function expectUnavailable(res: Injected) {
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 503, code: 'database_unavailable' });
  }

  beforeAll(async () => {
    postgres = await startOwnPostgres();
    t = await startTestApp({ DATABASE_URL: postgres.url, PG_POOL_MAX: String(POOL) });
    owner = await signUp(t);
    ({ locationId: loc } = await centralStore(t, owner.headers));
    item = await insertItem(t, owner.organizationId, { code: 'PG-1' });
    const receipt = await t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: owner.headers,
      payload: { type: 'receipt', itemId: item, locationId: loc, quantity: 50 },
    });
    expect(receipt.statusCode).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
    await postgres?.stop();
  });

  it('answers 503 when no pooled connection frees up in time, instead of hanging', async () => {
    const held = await Promise.all(Array.from({ length: POOL }, () => t.deps.database.pool.connect()));
    try {
      expectUnavailable(await get());
    } finally {
      for (const c of held) c.release();
    }
    expect((await get()).statusCode).toBe(200);
  });

  it('answers 503 with Retry-After while PostgreSQL is stopped, and recovers by itself', async () => {
    expect((await get()).statusCode).toBe(200);
    await postgres.stop();
    expectUnavailable(await get());
    expectUnavailable(await issue());
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.postgres).toMatch(/^error/);
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    await postgres.start();
    await untilReady(t);
    expect((await get()).statusCode).toBe(200);
    expect((await issue()).statusCode).toBe(201);
  });
});

describe('which database errors mean what', () => {
  const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });
  const wrapped = (cause: unknown) => Object.assign(new Error('Failed query: select …'), { cause });

  it('recognises an unreachable or restarting database, through wrappers', () => {
    for (const code of ['57P01', '57P02', '57P03', '08006', '08001', '08P01', 'ECONNREFUSED']) {
      expect(isDatabaseUnavailable(wrapped(pgError(code))), code).toBe(true);
    }
    // Node reports a refused connection to a name with several addresses as an AggregateError.
    expect(isDatabaseUnavailable(new AggregateError([pgError('ECONNREFUSED')], ''))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(wrapped(new Error('Connection terminated unexpectedly')))).toBe(true);
  });

  it('leaves data errors and lost races alone', () => {
    for (const code of ['23505', '22P02', '40001', '40P01', '42P01']) {
      expect(isDatabaseUnavailable(wrapped(pgError(code))), code).toBe(false);
    }
    expect(isRetryableConflict(wrapped(pgError('40P01')))).toBe(true);
    expect(isRetryableConflict(wrapped(pgError('40001')))).toBe(true);
    expect(isRetryableConflict(wrapped(pgError('23505')))).toBe(false);
  });
});
