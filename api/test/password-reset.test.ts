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

const NEW_PASSWORD = 'lantern-orchard-quietly-9';
const isResetMail = (m: CapturedMail) => m.subject.includes('Reset your medstock password');
const requestReset = (email: string) =>
  t.app.inject({ method: 'POST', url: '/v1/auth/password-reset', payload: { email } });
const confirmReset = (token: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', payload: { token, password } });
const login = (email: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });

function visible(res: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  const { date, 'x-request-id': _id, ...headers } = res.headers;
  for (const h of Object.keys(headers))
    if (h.startsWith('ratelimit') || h.startsWith('x-ratelimit')) delete headers[h];
  return { status: res.statusCode, headers, body: res.body };
}

describe('password reset by e-mailed token', () => {
  it('answers 202 with the same body whether or not the address has an account', async () => {
    const s = await signUp(t);
    const unknown = uniqueEmail('nobody');
    const a = await requestReset(s.email.toUpperCase());
    const b = await requestReset(unknown);
    expect(a.statusCode).toBe(202);
    expect(a.json()).toEqual({ status: 'reset_requested' });
    expect(visible(a)).toEqual(visible(b));
    // The account gets a link; the other address a note that it has no account, and no link.
    const toAccount = await t.mail.waitFor(s.email, isResetMail);
    expect(
      toAccount.links.some((l) => l.startsWith(`${t.config.PUBLIC_URL}/password-reset/confirm?token=`)),
    ).toBe(true);
    const toOther = await t.mail.waitFor(unknown, isResetMail);
    expect(toOther.text).toContain('has no medstock account');
    expect(toOther.links.some((l) => l.includes('token='))).toBe(false);
  });

  it('sets a new password once, revokes every session, and the old password stops working', async () => {
    const s = await signUp(t);
    const second = (await login(s.email, PASSWORD)).json();
    await requestReset(s.email);
    const token = confirmationToken(await t.mail.waitFor(s.email, isResetMail));
    const stored = await t.deps.database.pool.query<{ token_hash: string }>(
      'select r.token_hash from control.password_resets r join control.users u on u.id = r.user_id where u.id = $1',
      [s.userId],
    );
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]!.token_hash).not.toBe(token);

    const done = await confirmReset(token, NEW_PASSWORD);
    expect(done.statusCode).toBe(204);
    for (const access of [s.accessToken, second.accessToken]) {
      expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(access) })).statusCode).toBe(
        401,
      );
    }
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: s.refreshToken },
    });
    expect(refresh.statusCode).toBe(401);
    expect((await login(s.email, PASSWORD)).statusCode).toBe(401);
    expect((await login(s.email, NEW_PASSWORD)).statusCode).toBe(200);

    const reused = await confirmReset(token, 'another-fine-passphrase-4');
    expect(reused.statusCode).toBe(400);
    expect(reused.json().code).toBe('token_invalid');
    // The owner is told, and each organisation of the account has an audit entry.
    await t.mail.waitFor(s.email, (m) => m.subject.includes('password was changed'));
    const audit = await t.deps.database.pool.query(
      `select organization_id from control.audit_log where action = 'auth.password_reset' and actor_id = $1`,
      [s.userId],
    );
    expect(audit.rows).toEqual([{ organization_id: s.organizationId }]);
  });

  it('applies the password policy and keeps the link usable after a refusal', async () => {
    const s = await signUp(t);
    await requestReset(s.email);
    const token = confirmationToken(await t.mail.waitFor(s.email, isResetMail));
    const weak = await confirmReset(token, 'password123456');
    expect(weak.statusCode).toBe(422);
    expect(weak.json()).toMatchObject({
      code: 'password_too_weak',
      errors: [{ field: 'body:/password', code: 'password_too_weak' }],
    });
    expect((await confirmReset(token, NEW_PASSWORD)).statusCode).toBe(204);
  });

  it('refuses an expired link and one replaced by a newer request', async () => {
    const s = await signUp(t);
    await requestReset(s.email);
    const first = confirmationToken(await t.mail.waitFor(s.email, isResetMail));
    await requestReset(s.email);
    const second = confirmationToken(await t.mail.waitFor(s.email, isResetMail, 2));
    expect((await confirmReset(first, NEW_PASSWORD)).json().code).toBe('token_invalid');
    await t.deps.database.pool.query(
      `update control.password_resets set expires_at = now() - interval '1 second' where user_id = $1`,
      [s.userId],
    );
    const expired = await confirmReset(second, NEW_PASSWORD);
    expect(expired.statusCode).toBe(400);
    expect(expired.json().code).toBe('token_invalid');
    expect((await confirmReset('not-a-token', NEW_PASSWORD)).json().code).toBe('token_invalid');
    expect((await login(s.email, PASSWORD)).statusCode).toBe(200);
  });
});
