import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let owner: SignedUp;
beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
});
afterAll(async () => t?.close());

async function createKey(scopes: string[], siteIds?: string[] | null) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/api-keys',
    headers: owner.headers,
    payload: { name: `key ${scopes.join('+')}`, scopes, ...(siteIds !== undefined ? { siteIds } : {}) },
  });
  expect(res.statusCode).toBe(201);
  return res.json();
}

describe('API keys', () => {
  it('shows the key once, prefixed, and stores only its hash', async () => {
    const k = await createKey(['read']);
    expect(k.key).toMatch(/^msk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(k.key.startsWith(`msk_${k.prefix}_`)).toBe(true);
    const list = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: owner.headers });
    expect(list.body).not.toContain(k.key.split('_')[2]);
    expect(list.json().items.map((x: { id: string }) => x.id)).toContain(k.id);
    const stored = await t.deps.database.pool.query(
      'select secret_hash from control.api_keys where id = $1',
      [k.id],
    );
    expect(stored.rows[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.rows[0].secret_hash).not.toContain(k.key.split('_')[2]);
  });

  it('authenticates by Bearer or X-API-Key, records last use, and enforces scopes', async () => {
    const read = await createKey(['read']);
    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: { 'x-api-key': read.key } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ kind: 'api_key', apiKeyId: read.id, scopes: ['read'] });
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/sites', headers: bearer(read.key) })).statusCode,
    ).toBe(200);
    const denied = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: bearer(read.key),
      payload: { code: 'K1', name: 'nope' },
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('forbidden');
    const admin = await createKey(['read', 'admin']);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: bearer(admin.key),
      payload: { code: 'K2', name: 'yes' },
    });
    expect(ok.statusCode).toBe(201);
    await new Promise((r) => setTimeout(r, 50));
    const used = await t.deps.database.pool.query('select last_used_at from control.api_keys where id = $1', [
      read.id,
    ]);
    expect(used.rows[0].last_used_at).not.toBeNull();
  });

  it('revoked or tampered keys stop working at once', async () => {
    const k = await createKey(['read']);
    const tampered = `${k.key.slice(0, -3)}aaa`;
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(tampered) })).statusCode).toBe(
      401,
    );
    const del = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${k.id}`, headers: owner.headers });
    expect(del.statusCode).toBe(200);
    expect(del.json().revokedAt).not.toBeNull();
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(k.key) })).statusCode).toBe(
      401,
    );
  });

  it('site-limited keys see only their sites', async () => {
    const a = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/sites',
        headers: owner.headers,
        payload: { code: 'SA', name: 'Site A' },
      })
    ).json();
    const b = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/sites',
        headers: owner.headers,
        payload: { code: 'SB', name: 'Site B' },
      })
    ).json();
    const k = await createKey(['read'], [a.id]);
    const list = await t.app.inject({ method: 'GET', url: '/v1/sites', headers: bearer(k.key) });
    expect(list.json().items.map((s: { id: string }) => s.id)).toEqual([a.id]);
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/sites/${b.id}`, headers: bearer(k.key) })).statusCode,
    ).toBe(404);
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/sites/${a.id}`, headers: bearer(k.key) })).statusCode,
    ).toBe(200);
  });

  it('refuses unknown scopes and unknown sites, and keys cannot exceed their creator', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: owner.headers,
      payload: { name: 'x', scopes: ['root'] },
    });
    expect(bad.statusCode).toBe(400);
    const unknownSite = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: owner.headers,
      payload: { name: 'x', scopes: ['read'], siteIds: ['00000000-0000-4000-8000-000000000000'] },
    });
    expect(unknownSite.statusCode).toBe(422);
    expect(unknownSite.json().code).toBe('unknown_site');
    const admin = await createKey(['read', 'admin']);
    const escalate = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(admin.key),
      payload: { name: 'x', scopes: ['stock:write'] },
    });
    expect(escalate.statusCode).toBe(403);
  });
});
