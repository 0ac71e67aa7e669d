import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, PASSWORD, signUp, startTestApp, type TestApp, uniqueEmail } from './support/test-app.ts';

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

  it('refuses a second sign-up with the same email (any case) with 409 and creates nothing', async () => {
    const email = uniqueEmail('dup');
    await signUp(t, { email });
    const before = await t.deps.database.pool.query('select count(*)::int as n from control.organizations');
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { organizationName: 'Again', email: email.toUpperCase(), password: PASSWORD },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('email_taken');
    const after = await t.deps.database.pool.query('select count(*)::int as n from control.organizations');
    expect(after.rows[0].n).toBe(before.rows[0].n);
    const schemas = await t.deps.database.pool.query(
      `select count(*)::int as n from information_schema.schemata where schema_name like 'tenant_%'`,
    );
    expect(schemas.rows[0].n).toBe(after.rows[0].n);
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
    // Replaying the first token is treated as theft: the whole session ends.
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

  it('survives concurrent sign-ups: 20 distinct all succeed, 10 with one email yield exactly one', async () => {
    const distinct = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/auth/signup',
          payload: { organizationName: `Clinic ${i}`, email: uniqueEmail('c'), password: PASSWORD },
        }),
      ),
    );
    expect(distinct.map((r) => r.statusCode)).toEqual(Array(20).fill(201));
    const email = uniqueEmail('race');
    const same = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.app.inject({
          method: 'POST',
          url: '/v1/auth/signup',
          payload: { organizationName: 'Race', email, password: PASSWORD },
        }),
      ),
    );
    const codes = same.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(9);
    const orgs = await t.deps.database.pool.query(
      `select count(*)::int as n from control.organizations where name = 'Race'`,
    );
    expect(orgs.rows[0].n).toBe(1);
  });
});
