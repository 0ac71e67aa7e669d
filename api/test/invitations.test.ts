import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, invitationTokenFor } from './support/members.ts';
import {
  bearer,
  PASSWORD,
  type SignedUp,
  signUp,
  startTestApp,
  type TestApp,
  uniqueEmail,
} from './support/test-app.ts';

let t: TestApp;
let hospitalA: SignedUp;
let hospitalB: SignedUp;
beforeAll(async () => {
  t = await startTestApp({ PUBLIC_URL: 'https://medstock.example.cn/' });
  hospitalA = await signUp(t, { organizationName: '甲医院' });
  hospitalB = await signUp(t, { organizationName: '乙医院' });
});
afterAll(async () => t?.close());

const invite = (headers: Record<string, string>, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/v1/invitations', headers, payload });
const accept = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/v1/invitations/accept', headers, payload });
const login = (email: string, password: string, organizationId?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { email, password, ...(organizationId ? { organizationId } : {}) },
  });

/** What an inviter learns, with the fields that are this invitation's own (id, times) removed. */
function disclosed(body: Record<string, unknown>) {
  const { id, createdAt, lastSentAt, expiresAt, email, ...rest } = body;
  return { keys: Object.keys(body).sort(), ...rest };
}

describe('invitations close the account takeover', () => {
  it("A's admin cannot choose a password for B's new hire, and cannot log into B", async () => {
    const newHire = `new.hire.${Date.now()}@hospital-b.example`;
    const knownPassword = 'attacker-chosen-2026';
    // The old way in is gone: no route creates an account with an admin-chosen password …
    const old = await t.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: hospitalA.headers,
      payload: { email: newHire, password: knownPassword, role: 'viewer' },
    });
    expect(old.statusCode).toBe(404);
    // … and an invitation takes no password.
    const withPassword = await invite(hospitalA.headers, {
      email: newHire,
      role: 'viewer',
      password: knownPassword,
    });
    expect(withPassword.statusCode).toBe(400);
    expect((await invite(hospitalA.headers, { email: newHire, role: 'viewer' })).statusCode).toBe(201);
    // B invites the same address as admin; the new hire accepts with a password of their own.
    expect((await invite(hospitalB.headers, { email: newHire, role: 'admin' })).statusCode).toBe(201);
    expect(t.mail.to(newHire)).toHaveLength(2);
    const mailB = await t.mail.waitFor(newHire, (m) => m.text.includes('乙医院'));
    const tokenB = new URL(mailB.links.find((l) => l.includes('accept-invitation'))!).searchParams.get(
      'token',
    );
    const accepted = await accept({ token: tokenB, password: 'my-own-secret-ward-7', name: '新同事' });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().organizationId).toBe(hospitalB.organizationId);

    // A knows no password of this account: neither its guess nor the invitee's name gets in.
    expect((await login(newHire, knownPassword, hospitalB.organizationId)).statusCode).toBe(401);
    expect((await login(newHire, PASSWORD, hospitalB.organizationId)).statusCode).toBe(401);
    const own = await login(newHire, 'my-own-secret-ward-7', hospitalB.organizationId);
    expect(own.statusCode).toBe(200);
    expect(own.json().organizations.map((o: { id: string }) => o.id)).toEqual([hospitalB.organizationId]);
    // Nor did any mail with a usable link reach anyone but the invitee.
    expect(t.mail.messages.filter((m) => m.text.includes(tokenB!)).map((m) => m.to)).toEqual([
      [newHire.toLowerCase()],
    ]);
  });

  it('the answer to an invite is the same whether or not the address has an account elsewhere', async () => {
    const fresh = uniqueEmail('fresh');
    const elsewhere = await signUp(t, { organizationName: '丙诊所' });
    const a = await invite(hospitalA.headers, { email: fresh, role: 'storekeeper' });
    const b = await invite(hospitalA.headers, { email: elsewhere.email, role: 'storekeeper' });
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(disclosed(b.json())).toEqual(disclosed(a.json()));
    expect(b.json().email).toBe(elsewhere.email);
    expect(b.body).not.toContain(elsewhere.userId);
    expect(b.body).not.toMatch(/password|userId|name/i);
    // The e-mails differ only in the address and the link.
    const isInvitation = (m: { links: string[] }) => m.links.some((l) => l.includes('/accept-invitation?'));
    const mailA = await t.mail.waitFor(fresh, isInvitation);
    const mailB = await t.mail.waitFor(elsewhere.email, isInvitation);
    const strip = (text: string) => text.replace(/token=[^\s]+/g, 'token=…');
    expect(strip(mailB.text)).toBe(strip(mailA.text));
    expect(mailB.subject).toBe(mailA.subject);
    // Someone already in this organisation may be named as such: that is this organisation's data.
    const dup = await invite(hospitalA.headers, { email: hospitalA.email, role: 'viewer' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('already_member');
    const again = await invite(hospitalA.headers, { email: fresh.toUpperCase(), role: 'viewer' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('already_invited');
  });

  it('mails a link to PUBLIC_URL/accept-invitation in 简体中文 and English', async () => {
    const email = uniqueEmail('mail');
    await invite(hospitalA.headers, { email, role: 'nurse' });
    const m = await t.mail.waitFor(email, (x) => x.links.some((l) => l.includes('/accept-invitation?')));
    expect(m.links[0]).toMatch(
      /^https:\/\/medstock\.example\.cn\/accept-invitation\?token=[A-Za-z0-9_-]{43}$/,
    );
    expect(m.subject).toContain('邀请您加入「甲医院」');
    expect(m.subject).toContain('Invitation to join 甲医院');
    expect(m.text).toContain('角色：科室护士');
    expect(m.text).toContain('as ward nurse');
  });
});

describe('accepting', () => {
  it('a link works once; a second accept is refused and opens no session', async () => {
    const email = uniqueEmail('once');
    await invite(hospitalA.headers, { email, role: 'viewer' });
    const token = await invitationTokenFor(t.mail, email);
    const preview = await t.app.inject({
      method: 'POST',
      url: '/v1/invitations/preview',
      payload: { token },
    });
    expect(preview.json()).toMatchObject({
      organizationName: '甲医院',
      email,
      role: 'viewer',
      accountExists: false,
    });
    const first = await accept({ token, password: 'first-choice-pass-1' });
    expect(first.statusCode).toBe(200);
    const second = await accept({ token, password: 'second-choice-pass-2' });
    expect(second.statusCode).toBe(410);
    expect(second.json().code).toBe('invitation_used');
    expect((await login(email, 'second-choice-pass-2')).statusCode).toBe(401);
    expect((await login(email, 'first-choice-pass-1')).statusCode).toBe(200);
    const sessions = await t.deps.database.pool.query(
      'select count(*)::int as n from control.sessions s join control.users u on u.id = s.user_id where lower(u.email) = lower($1)',
      [email],
    );
    expect(sessions.rows[0].n).toBe(2); // the accept and the login above
  });

  it('an expired link is refused; a resend sends a new link and the old one stops working', async () => {
    const email = uniqueEmail('late');
    const created = (await invite(hospitalA.headers, { email, role: 'viewer' })).json();
    const oldToken = await invitationTokenFor(t.mail, email);
    await t.deps.database.pool.query(
      `update control.invitations set expires_at = now() - interval '1 second' where id = $1`,
      [created.id],
    );
    const late = await accept({ token: oldToken, password: 'too-late-password-1' });
    expect(late.statusCode).toBe(410);
    expect(late.json().code).toBe('invitation_expired');
    const listed = (
      await t.app.inject({ method: 'GET', url: '/v1/invitations', headers: hospitalA.headers })
    ).json().items;
    expect(listed.find((i: { id: string }) => i.id === created.id).status).toBe('expired');

    const resent = await t.app.inject({
      method: 'POST',
      url: `/v1/invitations/${created.id}/resend`,
      headers: hospitalA.headers,
    });
    expect(resent.statusCode).toBe(200);
    expect(resent.json().status).toBe('pending');
    expect(new Date(resent.json().expiresAt).getTime() - Date.now()).toBeGreaterThan(6 * 86_400_000);
    const newToken = await invitationTokenFor(t.mail, email, 2);
    expect(newToken).not.toBe(oldToken);
    expect((await accept({ token: oldToken, password: 'old-link-password-1' })).json().code).toBe(
      'invitation_not_found',
    );
    expect((await accept({ token: newToken, password: 'new-link-password-1' })).statusCode).toBe(200);
  });

  it('a revoked invitation stops working at once and leaves the list', async () => {
    const email = uniqueEmail('revoked');
    const created = (await invite(hospitalA.headers, { email, role: 'viewer' })).json();
    const token = await invitationTokenFor(t.mail, email);
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/v1/invitations/${created.id}`,
      headers: hospitalA.headers,
    });
    expect(del.statusCode).toBe(204);
    const res = await accept({ token, password: 'revoked-password-1' });
    expect(res.statusCode).toBe(410);
    expect(res.json().code).toBe('invitation_revoked');
    const list = await t.app.inject({ method: 'GET', url: '/v1/invitations', headers: hospitalA.headers });
    expect(list.json().items.map((i: { id: string }) => i.id)).not.toContain(created.id);
    // Another organisation cannot see, resend or revoke it.
    for (const [method, url] of [
      ['DELETE', `/v1/invitations/${created.id}`],
      ['POST', `/v1/invitations/${created.id}/resend`],
    ] as const)
      expect((await t.app.inject({ method, url, headers: hospitalB.headers })).statusCode).toBe(404);
  });

  it("a removed admin's open invitations lapse with their membership", async () => {
    const admin = await addMember(t, hospitalA.headers, 'admin');
    const email = uniqueEmail('invited-by-removed');
    expect((await invite(admin.headers, { email, role: 'storekeeper' })).statusCode).toBe(201);
    const token = await invitationTokenFor(t.mail, email);
    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/v1/users/${admin.id}`,
      headers: hospitalA.headers,
    });
    expect(removed.statusCode).toBe(204);
    const res = await accept({ token, password: 'lapsed-invitation-1' });
    expect(res.statusCode).toBe(410);
    expect(res.json().code).toBe('invitation_revoked');
  });

  it('an existing account must sign in: its own password or its access token, never a new password', async () => {
    const person = await signUp(t, { organizationName: '丁药房' });
    await invite(hospitalA.headers, { email: person.email, role: 'purchaser' });
    const token = await invitationTokenFor(t.mail, person.email);
    const preview = await t.app.inject({
      method: 'POST',
      url: '/v1/invitations/preview',
      payload: { token },
    });
    expect(preview.json().accountExists).toBe(true);

    const none = await accept({ token });
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('sign_in_required');
    const fresh = await accept({ token, password: 'a-brand-new-password' });
    expect(fresh.statusCode).toBe(401);
    expect(fresh.json().code).toBe('invalid_credentials');
    // Someone else's access token does not accept it either.
    const other = await accept({ token }, hospitalB.headers);
    expect(other.statusCode).toBe(403);
    expect(other.json().code).toBe('invitation_for_another_account');

    const ok = await accept({ token }, bearer(person.accessToken));
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ organizationId: hospitalA.organizationId, userId: person.userId });
    // The password stayed the account's own.
    expect((await login(person.email, 'a-brand-new-password')).statusCode).toBe(401);
    const both = await login(person.email, PASSWORD, hospitalA.organizationId);
    expect(both.statusCode).toBe(200);
    expect(both.json().organizations).toHaveLength(2);
    const members = await t.app.inject({ method: 'GET', url: '/v1/users', headers: hospitalA.headers });
    expect(members.json().items.find((m: { id: string }) => m.id === person.userId).role).toBe('purchaser');
  });

  it('an existing account can accept with its own password', async () => {
    const person = await signUp(t, { organizationName: '戊卫生院' });
    const m = await addMember(t, hospitalB.headers, 'nurse', null, person.email, PASSWORD);
    expect(m.id).toBe(person.userId);
  });

  it('refuses unknown tokens and a new account without a password', async () => {
    const unknown = await accept({ token: 'x'.repeat(43), password: 'whatever-password-1' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('invitation_not_found');
    const email = uniqueEmail('nopw');
    await invite(hospitalA.headers, { email, role: 'viewer' });
    const token = await invitationTokenFor(t.mail, email);
    const res = await accept({ token });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('password_required');
  });
});
