import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember } from './support/members.ts';
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

/**
 * `msk_<12-char prefix>_<43-char secret>`: the secret is base64url and may itself contain `_`,
 * so the key is split by position, not on `_`.
 */
function partsOf(key: string) {
  const m = key.match(/^msk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/);
  expect(m, key).not.toBeNull();
  return { prefix: m![1]!, secret: m![2]! };
}

describe('API keys', () => {
  it('parses keys whose secret contains underscores', () => {
    const secret = `${'_'.repeat(3)}${'a'.repeat(39)}_`;
    expect(partsOf(`msk_abcdefghij12_${secret}`)).toEqual({ prefix: 'abcdefghij12', secret });
  });

  it('shows the key once, prefixed, and stores only its hash', async () => {
    const k = await createKey(['read']);
    const { prefix, secret } = partsOf(k.key);
    expect(prefix).toBe(k.prefix);
    const list = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: owner.headers });
    expect(list.body).not.toContain(secret);
    expect(list.json().items.map((x: { id: string }) => x.id)).toContain(k.id);
    const stored = await t.deps.database.pool.query(
      'select secret_hash from control.api_keys where id = $1',
      [k.id],
    );
    expect(stored.rows[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.rows[0].secret_hash).not.toContain(secret);
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

  it('a revocation keeps who revoked the key and why; the first one stands; a blank reason is refused', async () => {
    const k = await createKey(['read']);
    const blank = await t.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${k.id}`,
      headers: owner.headers,
      payload: { reason: '   ' },
    });
    expect(blank.statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(k.key) })).statusCode).toBe(
      200,
    );
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${k.id}`,
      headers: owner.headers,
      payload: { reason: 'HIS 对接已停用' },
    });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toMatchObject({
      revokedBy: owner.userId,
      revokeReason: 'HIS 对接已停用',
      createdBy: owner.userId,
    });
    const again = await t.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${k.id}`,
      headers: owner.headers,
      payload: { reason: 'another reason' },
    });
    expect(again.json()).toMatchObject({ revokeReason: 'HIS 对接已停用', revokedAt: del.json().revokedAt });
    const listed = (
      await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: owner.headers })
    ).json();
    expect(listed.items.find((x: { id: string }) => x.id === k.id)).toMatchObject({
      revokeReason: 'HIS 对接已停用',
    });
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

describe('API keys of a member whose access ends or narrows', () => {
  async function keyBy(headers: Record<string, string>, scopes: string[], siteIds?: string[] | null) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers,
      payload: {
        name: `by member ${scopes.join('+')}`,
        scopes,
        ...(siteIds !== undefined ? { siteIds } : {}),
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; key: string };
  }
  const works = async (key: string) =>
    (await t.app.inject({ method: 'GET', url: '/v1/sites', headers: bearer(key) })).statusCode;

  it('are revoked when the member is removed, with an audit entry each', async () => {
    const admin = await addMember(t, owner.headers, 'admin');
    const k1 = await keyBy(admin.headers, ['read']);
    const k2 = await keyBy(admin.headers, ['read', 'admin']);
    const ownerKey = await keyBy(owner.headers, ['read']);
    expect(await works(k1.key)).toBe(200);
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/v1/users/${admin.id}`,
      headers: owner.headers,
    });
    expect(del.statusCode).toBe(204);
    expect(await works(k1.key)).toBe(401);
    expect(await works(k2.key)).toBe(401);
    expect(await works(ownerKey.key)).toBe(200);
    const list = (await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: owner.headers })).json()
      .items;
    for (const k of [k1, k2])
      expect(list.find((x: { id: string }) => x.id === k.id).revokedAt).not.toBeNull();
    const audit = await t.app.inject({
      method: 'GET',
      url: `/v1/audit-log?actorId=${owner.userId}&limit=20`,
      headers: owner.headers,
    });
    const entries = audit.json().items as { action: string; path: string; requestId: string }[];
    const removal = entries.find((e) => e.path === `/v1/users/${admin.id}`)!;
    for (const k of [k1, k2]) {
      const e = entries.find((x) => x.path === `/v1/api-keys/${k.id}`);
      expect(e).toMatchObject({ action: 'DELETE /v1/api-keys/:id', requestId: removal.requestId });
    }
  });

  it('beyond a narrowed role or narrowed sites are revoked; those within it keep working', async () => {
    const siteA = (await t.app.inject({ method: 'GET', url: '/v1/sites', headers: owner.headers })).json()
      .items[0].id;
    const admin = await addMember(t, owner.headers, 'admin');
    const readAll = await keyBy(admin.headers, ['read']);
    const readA = await keyBy(admin.headers, ['read'], [siteA]);
    const adminKey = await keyBy(admin.headers, ['read', 'admin'], [siteA]);
    const demote = await t.app.inject({
      method: 'PATCH',
      url: `/v1/users/${admin.id}`,
      headers: owner.headers,
      payload: { role: 'storekeeper' },
    });
    expect(demote.statusCode).toBe(200);
    expect(await works(adminKey.key)).toBe(401);
    expect(await works(readAll.key)).toBe(200);
    const narrow = await t.app.inject({
      method: 'PATCH',
      url: `/v1/users/${admin.id}`,
      headers: owner.headers,
      payload: { siteIds: [siteA] },
    });
    expect(narrow.statusCode).toBe(200);
    expect(await works(readAll.key)).toBe(401);
    expect(await works(readA.key)).toBe(200);
  });
});
