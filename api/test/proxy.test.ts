import { loadConfig } from '@medstock/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueEmail } from './support/test-app.ts';

// The login and sign-up limit per client address, low enough to reach in a test.
const AUTH_LIMIT = 10;

let direct: TestApp;
let behindOneProxy: TestApp;
let behindListedProxy: TestApp;
beforeAll(async () => {
  const limits = { AUTH_RATE_LIMIT_PER_MINUTE: String(AUTH_LIMIT) };
  [direct, behindOneProxy, behindListedProxy] = await Promise.all([
    startTestApp(limits),
    startTestApp({ ...limits, TRUST_PROXY: '1' }),
    startTestApp({ ...limits, TRUST_PROXY: '10.0.0.1, 10.9.0.0/16' }),
  ]);
});
afterAll(async () => {
  await Promise.allSettled([direct?.close(), behindOneProxy?.close(), behindListedProxy?.close()]);
});

/** A failed login (an address nobody has) sent from `remoteAddress` claiming `forwardedFor`. */
function guess(t: TestApp, i: number, remoteAddress = '127.0.0.1', forwardedFor?: string) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    remoteAddress,
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
    payload: { email: uniqueEmail(`guess${i}`), password: 'not-the-password' },
  });
}

/** The address the audit entry of a request recorded (written just after the response). */
async function auditedAddress(t: TestApp, requestId: unknown): Promise<string | null> {
  for (let i = 0; i < 100; i++) {
    const { rows } = await t.deps.database.pool.query<{ ip: string | null }>(
      'select ip from control.audit_log where request_id = $1',
      [String(requestId)],
    );
    if (rows[0]) return rows[0].ip;
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

// Failed logins are slow on purpose (password hashing), so these take a while on a busy machine.
describe('TRUST_PROXY', { timeout: 180_000 }, () => {
  it('is off by default: forged X-Forwarded-For addresses do not escape the login limit', async () => {
    const statuses: number[] = [];
    const started = Date.now();
    for (let i = 0; i < 60; i++)
      statuses.push((await guess(direct, i, '127.0.0.1', `198.51.100.${i}`)).statusCode);
    // The limit is a fixed one-minute window, and failed logins are slow on a busy machine, so the
    // 60 guesses may span more than one window: each window lets AUTH_LIMIT through, no more.
    // Believing the forged addresses would let all 60 through.
    const windows = Math.ceil((Date.now() - started) / 60_000) + 1;
    expect(statuses.slice(0, AUTH_LIMIT).every((s) => s === 401)).toBe(true);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(AUTH_LIMIT * windows);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  });

  it('is off by default: the audit log records the real peer address, not the forged one', async () => {
    const res = await direct.app.inject({
      method: 'POST',
      url: '/v1/auth/password-reset',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '203.0.113.66' },
      payload: { email: uniqueEmail('nobody') },
    });
    expect(res.statusCode).toBeLessThan(500);
    expect(await auditedAddress(direct, res.headers['x-request-id'])).toBe('127.0.0.1');
  });

  it('with a hop count, the address the proxy saw is the client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < AUTH_LIMIT + 10; i++)
      statuses.push((await guess(behindOneProxy, i, '127.0.0.1', `198.51.100.${i}`)).statusCode);
    // Different clients behind one proxy: none of them reached the per-address limit.
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    const res = await guess(behindOneProxy, 99, '127.0.0.1', '203.0.113.5, 198.51.100.200');
    // One hop trusted: the right-most forwarded address; what the client wrote before it is not believed.
    expect(await auditedAddress(behindOneProxy, res.headers['x-request-id'])).toBe('198.51.100.200');
  });

  it('with a list, forwarded addresses are believed only from the listed proxies', async () => {
    const viaProxy = await guess(behindListedProxy, 1, '10.0.0.1', '203.0.113.7');
    expect(await auditedAddress(behindListedProxy, viaProxy.headers['x-request-id'])).toBe('203.0.113.7');
    const viaRange = await guess(behindListedProxy, 2, '10.9.3.4', '203.0.113.8');
    expect(await auditedAddress(behindListedProxy, viaRange.headers['x-request-id'])).toBe('203.0.113.8');
    const notAProxy = await guess(behindListedProxy, 3, '192.0.2.50', '203.0.113.9');
    expect(await auditedAddress(behindListedProxy, notAProxy.headers['x-request-id'])).toBe('192.0.2.50');
  });

  it('refuses a setting it cannot read, at start-up', () => {
    const env = { DATABASE_URL: 'postgres://x', REDIS_URL: 'redis://x', JWT_PRIVATE_KEY: 'k' };
    expect(() => loadConfig({ ...env, TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ ...env, TRUST_PROXY: '10.0.0.0/99' })).toThrow(/TRUST_PROXY/);
    expect(loadConfig({ ...env }).TRUST_PROXY).toBe('off');
  });
});

describe('X-Request-Id', () => {
  const withId = (id: string) =>
    direct.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': id } });

  it('keeps a short, safe id chosen by the client', async () => {
    expect((await withId('lb-7f3a.92_c')).headers['x-request-id']).toBe('lb-7f3a.92_c');
  });

  it('replaces a long or unsafe one with an id of its own', async () => {
    for (const bad of ['x'.repeat(65), 'a b', 'id"><script>', 'line\tbreak', '../../etc', 'ünïcode']) {
      const got = String((await withId(bad)).headers['x-request-id']);
      expect(got, bad).not.toBe(bad);
      expect(got).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
