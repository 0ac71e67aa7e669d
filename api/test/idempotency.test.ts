import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let owner: SignedUp;
beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
});
afterAll(async () => t?.close());

const siteCount = async () =>
  (await t.app.inject({ method: 'GET', url: '/v1/sites?limit=500', headers: owner.headers })).json().items
    .length;

describe('Idempotency-Key', () => {
  it('a retried POST returns the first response and writes nothing', async () => {
    const before = await siteCount();
    const req = {
      method: 'POST' as const,
      url: '/v1/sites',
      headers: { ...owner.headers, 'idempotency-key': 'site-create-1' },
      payload: { code: 'IDEM1', name: 'Idem' },
    };
    const first = await t.app.inject(req);
    const second = await t.app.inject(req);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await siteCount()).toBe(before + 1);
  });

  it('the same key with a different body is refused', async () => {
    const headers = { ...owner.headers, 'idempotency-key': 'site-create-2' };
    await t.app.inject({ method: 'POST', url: '/v1/sites', headers, payload: { code: 'IDEM2', name: 'x' } });
    const other = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers,
      payload: { code: 'IDEM3', name: 'y' },
    });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('idempotency_key_reused');
  });

  it('concurrent retries create exactly one record', async () => {
    const before = await siteCount();
    const req = {
      method: 'POST' as const,
      url: '/v1/sites',
      headers: { ...owner.headers, 'idempotency-key': 'site-create-race' },
      payload: { code: 'RACE', name: 'race' },
    };
    const results = await Promise.all(Array.from({ length: 8 }, () => t.app.inject(req)));
    const codes = results.map((r) => r.statusCode);
    expect(codes.every((c) => c === 201 || c === 409)).toBe(true);
    expect(codes.filter((c) => c === 201).length).toBeGreaterThanOrEqual(1);
    expect(await siteCount()).toBe(before + 1);
    // Once finished, every retry gets the stored response.
    const late = await t.app.inject(req);
    expect(late.statusCode).toBe(201);
    expect(late.headers['idempotent-replayed']).toBe('true');
  });

  it('keys are scoped to the caller: another tenant using the same key gets its own result', async () => {
    const other = await signUp(t);
    const headers = { 'idempotency-key': 'shared-key' };
    const mine = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: { ...owner.headers, ...headers },
      payload: { code: 'S1', name: 'mine' },
    });
    const theirs = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: { ...other.headers, ...headers },
      payload: { code: 'S1', name: 'mine' },
    });
    expect(mine.statusCode).toBe(201);
    expect(theirs.statusCode).toBe(201);
    expect(theirs.json().id).not.toBe(mine.json().id);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
  });

  it('rejects a malformed key', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: { ...owner.headers, 'idempotency-key': 'bad key with spaces' },
      payload: { code: 'Z', name: 'z' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_idempotency_key');
  });
});
