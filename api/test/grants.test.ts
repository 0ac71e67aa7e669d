import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AddedMember, addMember } from './support/members.ts';
import {
  bearer,
  type SignedUp,
  signUp,
  startTestApp,
  type TestApp,
  uniqueEmail,
} from './support/test-app.ts';

/**
 * Nobody grants, through a member, an invitation or an API key, sites or scopes they do not
 * hold themselves, and nobody widens their own access.
 */
let t: TestApp;
let owner: SignedUp;
let siteA: string;
let siteB: string;
let limitedAdmin: AddedMember;

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
  limitedAdmin = await addMember(t, owner.headers, 'admin', [siteA]);
});
afterAll(async () => t?.close());

const patchMember = (headers: Record<string, string>, id: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'PATCH', url: `/v1/users/${id}`, headers, payload });
const invite = (headers: Record<string, string>, payload: Record<string, unknown>) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/invitations',
    headers,
    payload: { email: uniqueEmail('g'), ...payload },
  });
async function key(headers: Record<string, string>, scopes: string[], siteIds?: string[] | null) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/api-keys',
    headers,
    payload: { name: 'k', scopes, ...(siteIds !== undefined ? { siteIds } : {}) },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; key: string; siteIds: string[] | null };
}
function refused(res: { statusCode: number; json(): { code: string } }, code: string) {
  expect(res.statusCode).toBe(403);
  expect(res.json().code).toBe(code);
}

describe('a site-limited admin', () => {
  it('cannot widen their own sites, to every site or to another site', async () => {
    refused(
      await patchMember(limitedAdmin.headers, limitedAdmin.id, { siteIds: null }),
      'cannot_widen_own_access',
    );
    refused(
      await patchMember(limitedAdmin.headers, limitedAdmin.id, { siteIds: [siteA, siteB] }),
      'cannot_widen_own_access',
    );
    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: limitedAdmin.headers });
    expect(me.json().siteIds).toEqual([siteA]);
  });

  it('cannot make themselves owner', async () => {
    refused(await patchMember(limitedAdmin.headers, limitedAdmin.id, { role: 'owner' }), 'owner_required');
    const allSitesAdmin = await addMember(t, owner.headers, 'admin');
    refused(await patchMember(allSitesAdmin.headers, allSitesAdmin.id, { role: 'owner' }), 'owner_required');
  });

  it('may narrow their own access', async () => {
    const m = await addMember(t, owner.headers, 'admin', [siteA, siteB]);
    const res = await patchMember(m.headers, m.id, { siteIds: [siteA] });
    expect(res.statusCode).toBe(200);
    expect(res.json().siteIds).toEqual([siteA]);
  });

  it('cannot invite to every site or to another site; naming no sites grants their own', async () => {
    refused(await invite(limitedAdmin.headers, { role: 'viewer', siteIds: null }), 'grant_exceeds_own_sites');
    refused(
      await invite(limitedAdmin.headers, { role: 'viewer', siteIds: [siteB] }),
      'grant_exceeds_own_sites',
    );
    refused(
      await invite(limitedAdmin.headers, { role: 'viewer', siteIds: [siteA, siteB] }),
      'grant_exceeds_own_sites',
    );
    const own = await invite(limitedAdmin.headers, { role: 'storekeeper' });
    expect(own.statusCode).toBe(201);
    expect(own.json().siteIds).toEqual([siteA]);
  });

  it('cannot re-scope a member to every site or to other sites', async () => {
    const m = await addMember(t, owner.headers, 'storekeeper', [siteA]);
    refused(await patchMember(limitedAdmin.headers, m.id, { siteIds: null }), 'grant_exceeds_own_sites');
    refused(await patchMember(limitedAdmin.headers, m.id, { siteIds: [siteB] }), 'grant_exceeds_own_sites');
    const ok = await patchMember(limitedAdmin.headers, m.id, { role: 'nurse' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ role: 'nurse', siteIds: [siteA] });
  });

  it('cannot change or remove a member who holds more than they do', async () => {
    const wide = await addMember(t, owner.headers, 'storekeeper');
    refused(
      await patchMember(limitedAdmin.headers, wide.id, { siteIds: [siteA] }),
      'member_exceeds_own_access',
    );
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/v1/users/${wide.id}`,
      headers: limitedAdmin.headers,
    });
    refused(del, 'member_exceeds_own_access');
    // Nor revoke an invitation that grants more than they hold.
    const inv = (await invite(owner.headers, { role: 'viewer', siteIds: [siteB] })).json();
    refused(
      await t.app.inject({
        method: 'DELETE',
        url: `/v1/invitations/${inv.id}`,
        headers: limitedAdmin.headers,
      }),
      'member_exceeds_own_access',
    );
  });

  it('cannot mint an all-sites API key', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: limitedAdmin.headers,
      payload: { name: 'k', scopes: ['read'], siteIds: null },
    });
    refused(res, 'grant_exceeds_own_sites');
    expect((await key(limitedAdmin.headers, ['read'])).siteIds).toEqual([siteA]);
  });
});

describe('an API key', () => {
  it('limited to sites cannot invite an all-sites admin', async () => {
    const k = await key(owner.headers, ['read', 'stock:write', 'purchasing', 'admin'], [siteA]);
    refused(await invite(bearer(k.key), { role: 'admin', siteIds: null }), 'grant_exceeds_own_sites');
    refused(await invite(bearer(k.key), { role: 'admin', siteIds: [siteB] }), 'grant_exceeds_own_sites');
    const ok = await invite(bearer(k.key), { role: 'admin' });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ siteIds: [siteA], invitedBy: null });
  });

  it("with only 'admin' cannot invite a member whose role holds scopes the key lacks", async () => {
    const k = await key(owner.headers, ['admin']);
    refused(await invite(bearer(k.key), { role: 'admin' }), 'grant_exceeds_own_scopes');
    const viewer = await invite(bearer(k.key), { role: 'viewer' });
    refused(viewer, 'grant_exceeds_own_scopes');
    expect(viewer.json()).toMatchObject({ params: { scopes: ['read'] } });
    const readAdmin = await key(owner.headers, ['read', 'admin']);
    expect((await invite(bearer(readAdmin.key), { role: 'viewer' })).statusCode).toBe(201);
    refused(await invite(bearer(readAdmin.key), { role: 'purchaser' }), 'grant_exceeds_own_scopes');
  });

  it("with only 'admin' cannot raise a member to a role holding scopes the key lacks", async () => {
    const v = await addMember(t, owner.headers, 'viewer');
    const k = await key(owner.headers, ['read', 'admin']);
    refused(await patchMember(bearer(k.key), v.id, { role: 'admin' }), 'grant_exceeds_own_scopes');
    const admin = await addMember(t, owner.headers, 'admin');
    refused(await patchMember(bearer(k.key), admin.id, { role: 'viewer' }), 'member_exceeds_own_access');
  });

  it('cannot create a key with more scopes or sites than its own', async () => {
    const k = await key(owner.headers, ['read', 'admin'], [siteA]);
    const scopes = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(k.key),
      payload: { name: 'x', scopes: ['read', 'purchasing'] },
    });
    refused(scopes, 'grant_exceeds_own_scopes');
    const sites = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(k.key),
      payload: { name: 'x', scopes: ['read'], siteIds: [siteA, siteB] },
    });
    refused(sites, 'grant_exceeds_own_sites');
  });
});
