import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapturedMail } from './support/smtp-capture.ts';
import {
  bearer,
  confirmationToken,
  PASSWORD,
  signUp,
  startTestApp,
  type TestApp,
  uniqueEmail,
} from './support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

describe('sign-up, login, refresh and revocation', () => {
  it('signs up an organisation with an active tenant schema, a first site and an owner', async () => {
    const s = await signUp(t, { siteName: 'Riverside clinic' });
    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: s.headers });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      kind: 'user',
      role: 'owner',
      organization: { id: s.organizationId, status: 'active' },
    });
    const sites = await t.app.inject({ method: 'GET', url: '/v1/sites', headers: s.headers });
    expect(sites.json().items.map((x: { name: string }) => x.name)).toEqual(['Riverside clinic']);
    const schema = await t.deps.database.pool.query(
      'select 1 from information_schema.schemata where schema_name = $1',
      [`tenant_${s.organizationId.replaceAll('-', '')}`],
    );
    expect(schema.rowCount).toBe(1);
  });

  it('logs in with the right password only, and sets an httpOnly refresh cookie', async () => {
    const s = await signUp(t);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: s.email, password: 'wrong-password' },
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const ok = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: s.email, password: PASSWORD },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().organizations).toHaveLength(1);
    const cookie = String(ok.headers['set-cookie']);
    expect(cookie).toContain('medstock_refresh=');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
  });

  it('rotates refresh tokens and revokes the session when an old one is replayed', async () => {
    const s = await signUp(t);
    const r1 = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: s.refreshToken },
    });
    expect(r1.statusCode).toBe(200);
    const next = r1.json().refreshToken;
    expect(next).not.toBe(s.refreshToken);
    // The cookie works as well as the body.
    const r2 = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      cookies: { medstock_refresh: next },
    });
    expect(r2.statusCode).toBe(200);
    // Replaying a rotated token after the short grace for racing tabs is treated as theft: the
    // whole session ends.
    await t.deps.database.pool.query(
      `update control.sessions set last_refreshed_at = now() - interval '1 minute' where user_id = $1`,
      [s.userId],
    );
    const replay = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: next },
    });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('refresh_token_reused');
    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(r2.json().accessToken) });
    expect(me.statusCode).toBe(401);
  });

  it('a token rotated a moment ago still works once more (two tabs, a reload mid-refresh), then the older one does not', async () => {
    const s = await signUp(t);
    const first = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: s.refreshToken },
    });
    expect(first.statusCode).toBe(200);
    // The page reloaded before it stored the new cookie: it sends the token it had.
    const raced = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: s.refreshToken },
    });
    expect(raced.statusCode, raced.body).toBe(200);
    const me = await t.app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: bearer(raced.json().accessToken),
    });
    expect(me.statusCode).toBe(200);
    // The raced answer's token is the one that lives on.
    const later = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: raced.json().refreshToken },
    });
    expect(later.statusCode).toBe(200);
  });

  it('logout revokes the access token at once and the refresh token too', async () => {
    const s = await signUp(t);
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: s.headers })).statusCode).toBe(200);
    const out = await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: s.headers });
    expect(out.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: s.headers })).statusCode).toBe(401);
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: s.refreshToken },
    });
    expect(r.statusCode).toBe(401);
  });

  it('lists and revokes sessions; a forged or foreign token is rejected', async () => {
    const s = await signUp(t);
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: s.email, password: PASSWORD },
    });
    const other = login.json().accessToken;
    const list = await t.app.inject({ method: 'GET', url: '/v1/auth/sessions', headers: s.headers });
    expect(list.json().items).toHaveLength(2);
    const otherSession = list.json().items.find((x: { current: boolean }) => !x.current).id;
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/v1/auth/sessions/${otherSession}`,
      headers: s.headers,
    });
    expect(del.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(other) })).statusCode).toBe(
      401,
    );
    const forged = `${s.accessToken.slice(0, -4)}AAAA`;
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(forged) })).statusCode).toBe(
      401,
    );
  });

  it('publishes a JWKS whose key verifies the access tokens', async () => {
    const s = await signUp(t);
    const jwks = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    const { createLocalJWKSet, jwtVerify } = await import('jose');
    const set = createLocalJWKSet(jwks.json());
    const { payload } = await jwtVerify(s.accessToken, set);
    expect(payload.sub).toBe(s.userId);
    expect(payload.org).toBe(s.organizationId);
  });
});

/** Everything a client sees of an answer, minus what differs between any two requests. */
function visible(res: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  const headers = { ...res.headers };
  for (const h of [
    'date',
    'x-request-id',
    'ratelimit-reset',
    'ratelimit-remaining',
    'x-ratelimit-remaining',
    'x-ratelimit-reset',
    'content-length',
  ])
    delete headers[h];
  return { status: res.statusCode, headers, body: res.body };
}

const countOrganizations = async () =>
  (await t.deps.database.pool.query<{ n: number }>('select count(*)::int as n from control.organizations'))
    .rows[0]!.n;

const isSignupMail = (m: CapturedMail) => m.links.some((l) => l.includes('/signup/confirm?token='));

describe('sign-up without enumeration', () => {
  it('answers a known and an unknown address identically and creates nothing before confirmation', async () => {
    const known = await signUp(t);
    const unknown = uniqueEmail('fresh');
    const before = await countOrganizations();
    const ask = (email: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/auth/signup',
        payload: { organizationName: 'Second clinic', email, password: 'another-long-phrase-77' },
      });
    const a = await ask(known.email.toUpperCase());
    const b = await ask(unknown);
    expect(a.statusCode).toBe(202);
    expect(a.json()).toEqual({ status: 'confirmation_sent' });
    expect(visible(a)).toEqual(visible(b));
    expect(await countOrganizations()).toBe(before);
    const users = await t.deps.database.pool.query(
      'select 1 from control.users where lower(email) = lower($1)',
      [unknown],
    );
    expect(users.rowCount).toBe(0);
    // Each mailbox gets one message; only there does the text differ.
    const toKnown = await t.mail.waitFor(known.email, isSignupMail, 2);
    const toUnknown = await t.mail.waitFor(unknown, isSignupMail);
    expect(toKnown.text).toContain('already has a medstock account');
    expect(toUnknown.text).not.toContain('already has a medstock account');
    expect(toUnknown.links[0]).toMatch(new RegExp(`^${t.config.PUBLIC_URL}/signup/confirm\\?token=`));
  });

  it('adds the organisation to an existing account only with that account’s password; the form’s password is never set', async () => {
    const existing = await signUp(t);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: {
        organizationName: 'Branch clinic',
        email: existing.email,
        password: 'attacker-chosen-phrase-1',
      },
    });
    expect(res.statusCode).toBe(202);
    const token = confirmationToken(await t.mail.waitFor(existing.email, isSignupMail, 2));
    const confirm = (password: string) =>
      t.app.inject({ method: 'POST', url: '/v1/auth/signup/confirm', payload: { token, password } });
    const wrong = await confirm('attacker-chosen-phrase-1');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().code).toBe('invalid_credentials');
    const ok = await confirm(PASSWORD);
    expect(ok.statusCode).toBe(201);
    expect(ok.json().userId).toBe(existing.userId);
    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(ok.json().accessToken) });
    expect(me.json()).toMatchObject({ role: 'owner', organization: { name: 'Branch clinic' } });
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: existing.email, password: PASSWORD },
    });
    expect(login.json().organizations).toHaveLength(2);
    const attacker = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: existing.email, password: 'attacker-chosen-phrase-1' },
    });
    expect(attacker.statusCode).toBe(401);
    // Single use.
    const again = await confirm(PASSWORD);
    expect(again.statusCode).toBe(400);
    expect(again.json().code).toBe('token_invalid');
  });

  it('a new address is confirmed only with the password chosen at sign-up (no pre-hijacking by a click)', async () => {
    const email = uniqueEmail('victim');
    await t.app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { organizationName: 'Planted', email, password: 'attacker-chosen-phrase-2' },
    });
    const token = confirmationToken(await t.mail.waitFor(email, isSignupMail));
    const byVictim = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/signup/confirm',
      payload: { token, password: 'victims-own-phrase-33' },
    });
    expect(byVictim.statusCode).toBe(401);
    const users = await t.deps.database.pool.query(
      'select 1 from control.users where lower(email) = lower($1)',
      [email],
    );
    expect(users.rowCount).toBe(0);
  });

  it('refuses an expired confirmation link, and a link used twice at once creates one organisation', async () => {
    const email = uniqueEmail('race');
    await t.app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { organizationName: 'Race', email, password: PASSWORD },
    });
    const token = confirmationToken(await t.mail.waitFor(email, isSignupMail));
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.app.inject({
          method: 'POST',
          url: '/v1/auth/signup/confirm',
          payload: { token, password: PASSWORD },
        }),
      ),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    // The others find the link used (400), or are held back as a burst of attempts (429).
    expect(codes.filter((c) => c !== 201).every((c) => c === 400 || c === 429)).toBe(true);
    const orgs = await t.deps.database.pool.query(
      `select count(*)::int as n from control.organizations where name = 'Race'`,
    );
    expect(orgs.rows[0].n).toBe(1);

    const late = uniqueEmail('late');
    await t.app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { organizationName: 'Late', email: late, password: PASSWORD },
    });
    const lateToken = confirmationToken(await t.mail.waitFor(late, isSignupMail));
    await t.deps.database.pool.query(
      `update control.signup_requests set expires_at = now() - interval '1 second' where lower(email) = lower($1)`,
      [late],
    );
    const expired = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/signup/confirm',
      payload: { token: lateToken, password: PASSWORD },
    });
    expect(expired.statusCode).toBe(400);
    expect(expired.json()).toMatchObject({ code: 'token_invalid', errors: [{ field: 'body:/token' }] });
  });

  it('20 concurrent sign-ups of distinct addresses all complete', async () => {
    const all = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signUp(t, { organizationName: `Clinic ${i}` })),
    );
    expect(new Set(all.map((s) => s.organizationId)).size).toBe(20);
  });
});

describe('password policy', () => {
  const attempt = (password: string, extra: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: {
        organizationName: 'Sunrise Health Centre',
        email: 'li.wei@sunrise.example',
        password,
        ...extra,
      },
    });

  it.each([
    ['a common password', 'password123456'],
    ['a keyboard walk', 'qwertyuiop123'],
    ['a common password, capitalised with a symbol', 'Password123!'],
    ['one built from the address', 'li.wei.sunrise'],
    ['one built from the organisation', 'sunrise-health-centre'],
  ])('refuses %s with password_too_weak and the reason, sending nothing', async (_what, password) => {
    const res = await attempt(password);
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.code).toBe('password_too_weak');
    expect(body.errors).toEqual([
      expect.objectContaining({
        field: 'body:/password',
        code: 'password_too_weak',
        message: expect.any(String),
      }),
    ]);
    expect(body.errors[0].message.length).toBeGreaterThan(10);
    expect(t.mail.to('li.wei@sunrise.example')).toEqual([]);
  });

  it('accepts a long passphrase (the test password)', async () => {
    expect((await attempt(PASSWORD)).statusCode).toBe(202);
  });
});
