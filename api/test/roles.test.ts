import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember } from './support/members.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let owner: SignedUp;
let siteA: string;
let siteB: string;

const member = (role: string, siteIds: string[] | null = null) => addMember(t, owner.headers, role, siteIds);

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
  siteA = (await t.app.inject({ method: 'GET', url: '/v1/sites', headers: owner.headers })).json().items[0]
    .id;
  siteB = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: owner.headers,
      payload: { code: 'B', name: 'B' },
    })
  ).json().id;
});
afterAll(async () => t?.close());

describe('roles', () => {
  const cases: Array<[string, { read: number; createSite: number; listUsers: number }]> = [
    ['admin', { read: 200, createSite: 201, listUsers: 200 }],
    ['purchaser', { read: 200, createSite: 403, listUsers: 403 }],
    ['storekeeper', { read: 200, createSite: 403, listUsers: 403 }],
    ['nurse', { read: 200, createSite: 403, listUsers: 403 }],
    ['viewer', { read: 200, createSite: 403, listUsers: 403 }],
  ];
  for (const [role, expected] of cases) {
    it(`${role}: read ${expected.read}, create site ${expected.createSite}, manage users ${expected.listUsers}`, async () => {
      const m = await member(role);
      expect((await t.app.inject({ method: 'GET', url: '/v1/sites', headers: m.headers })).statusCode).toBe(
        expected.read,
      );
      const create = await t.app.inject({
        method: 'POST',
        url: '/v1/sites',
        headers: m.headers,
        payload: { code: `R-${role}`, name: role },
      });
      expect(create.statusCode).toBe(expected.createSite);
      expect((await t.app.inject({ method: 'GET', url: '/v1/users', headers: m.headers })).statusCode).toBe(
        expected.listUsers,
      );
    });
  }

  it('a role change takes effect on the next request, without a new token', async () => {
    const m = await member('viewer');
    expect((await t.app.inject({ method: 'GET', url: '/v1/users', headers: m.headers })).statusCode).toBe(
      403,
    );
    await t.app.inject({
      method: 'PATCH',
      url: `/v1/users/${m.id}`,
      headers: owner.headers,
      payload: { role: 'admin' },
    });
    expect((await t.app.inject({ method: 'GET', url: '/v1/users', headers: m.headers })).statusCode).toBe(
      200,
    );
  });

  it('only an owner makes owners; the last owner cannot be demoted or removed', async () => {
    const admin = await member('admin');
    const v = await member('viewer');
    const promote = await t.app.inject({
      method: 'PATCH',
      url: `/v1/users/${v.id}`,
      headers: admin.headers,
      payload: { role: 'owner' },
    });
    expect(promote.statusCode).toBe(403);
    const demote = await t.app.inject({
      method: 'PATCH',
      url: `/v1/users/${owner.userId}`,
      headers: owner.headers,
      payload: { role: 'admin' },
    });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().code).toBe('last_owner');
    const remove = await t.app.inject({
      method: 'DELETE',
      url: `/v1/users/${owner.userId}`,
      headers: owner.headers,
    });
    expect(remove.statusCode).toBe(409);
  });

  it('removing a member ends their sessions', async () => {
    const m = await member('storekeeper');
    expect(
      (
        await t.app.inject({
          method: 'DELETE',
          url: `/v1/users/${m.id}`,
          headers: owner.headers,
          payload: { reason: 'left the clinic' },
        })
      ).statusCode,
    ).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: m.headers })).statusCode).toBe(401);
  });
});

describe('site limits', () => {
  it('a user limited to one site sees and changes only that site', async () => {
    const m = await member('admin', [siteA]);
    const list = await t.app.inject({ method: 'GET', url: '/v1/sites', headers: m.headers });
    expect(list.json().items.map((s: { id: string }) => s.id)).toEqual([siteA]);
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/sites/${siteB}`, headers: m.headers })).statusCode,
    ).toBe(404);
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/v1/sites/${siteB}`,
      headers: m.headers,
      payload: { name: 'hijack' },
    });
    expect(patch.statusCode).toBe(404);
    const loc = await t.app.inject({
      method: 'POST',
      url: `/v1/sites/${siteB}/locations`,
      headers: m.headers,
      payload: { code: 'W1', name: 'Ward' },
    });
    expect(loc.statusCode).toBe(404);
    const own = await t.app.inject({
      method: 'POST',
      url: `/v1/sites/${siteA}/locations`,
      headers: m.headers,
      payload: { code: 'W1', name: 'Ward 1' },
    });
    expect(own.statusCode).toBe(201);
    const b = await t.app.inject({ method: 'GET', url: `/v1/sites/${siteB}`, headers: owner.headers });
    expect(b.json().name).toBe('B');
    // Nor can they mint a key that reaches beyond their sites.
    const key = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: m.headers,
      payload: { name: 'k', scopes: ['read'], siteIds: [siteB] },
    });
    expect(key.statusCode).toBe(403);
  });
});
